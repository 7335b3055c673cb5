// Apply on merge, end to end: a real Probot server on 127.0.0.1 receives signed push webhooks
// built from GitHub's example payloads, reads the pushed tree from the local GitHub over HTTP, and
// applies it to the local Okta org through the real SDK. What is asserted is what a user relies
// on: Okta itself (read back through the SDK), the commit's check run, the merged pull request's
// comment, the deployment and its statuses, and the one failure issue.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { startApp, type StartedApp } from "../support/github-app.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { deliver, pushEvent } from "../support/local-github/webhooks.js";
import { sswsClient } from "../support/okta-sdk.js";
import { startOrg } from "../reconcile/harness.js";
import { integrationYaml, TODAY } from "./support.js";
import { DEFAULT_CONFIG } from "../../src/model/index.js";
import { exceptionsOf } from "../../src/policy/exceptions.js";
import { validate } from "../../src/validate.js";

const REPO = "acme/okta-access";
const APPLY = "okta-gitops/apply";
const BOT = "okta-gitops[bot]";

let gh: LocalGitHub;
let org: LocalOrg;
let app: StartedApp;

beforeEach(async () => {
  gh = await startLocalGitHub();
  org = await startOrg();
  app = await startApp({ github: gh, okta: org, repository: REPO, clock: () => TODAY });
  gh.createRepo(REPO);
  gh.addTeamMember("acme", "identity", "ivy");
});

afterEach(async () => {
  await app.close();
  await org.close();
  await gh.close();
});

/** Delivers the push of `before..after` to the branch, signed, and waits for its work. */
async function push(
  after: string,
  before: string,
  opts: { repo?: string; branch?: string; wait?: boolean } = {},
) {
  const repo = opts.repo ?? REPO;
  const d = await deliver(
    app.url,
    "push",
    pushEvent(gh, repo, { ref: `refs/heads/${opts.branch ?? "main"}`, before, after }),
    app.secret,
  );
  expect(d.status, d.body).toBeLessThan(300);
  if (opts.wait !== false) await app.idle();
}

/** The apps Okta holds with this label, read through the SDK. */
async function oktaApps(label: string) {
  const found: { id: string; label: string; dpop: boolean }[] = [];
  const list = await sswsClient(org).applicationApi.listApplications({ q: label });
  for await (const a of list) {
    if (!a || a.label !== label) continue;
    const oauth = (
      a as unknown as { settings?: { oauthClient?: { dpop_bound_access_tokens?: boolean } } }
    ).settings?.oauthClient;
    found.push({ id: a.id!, label: a.label, dpop: Boolean(oauth?.dpop_bound_access_tokens) });
  }
  return found;
}

const applyChecks = (sha: string) => gh.checkRuns(REPO, sha).filter((c) => c.name === APPLY);
const ownIssues = (marker: string) =>
  gh.issues(REPO).filter((i) => i.author === BOT && (i.body ?? "").includes(marker));
const FAILURE = "<!-- okta-gitops:apply-failure -->";

/** An integration with an exception: DPoP off, with its written reason (needs approval). */
const exceptionYaml = (reason: string) =>
  integrationYaml("legacy-dpop", {
    dpop: false,
    exceptions: { dpop: reason },
    network: { allow: ["198.51.100.20/32"] },
  });

describe("apply on merge", () => {
  it("scenario 4: a merged pull request is applied to Okta as planned, and the commit check, the PR comment and the deployment say so", async () => {
    const base = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    gh.commit(
      REPO,
      "add-expenses",
      {
        "integrations/expenses.yaml": integrationYaml("expenses", {
          network: { allow: ["198.51.100.7/32"] },
        }),
      },
      { author: "alice" },
    );
    const pr = gh.openPullRequest(REPO, { head: "add-expenses", author: "alice" });
    const merged = gh.mergePullRequest(REPO, pr, { by: "alice" });
    expect(await oktaApps("expenses")).toEqual([]);

    await push(merged, base);

    // Okta: both integrations of main exist (level-based: main is applied, not a diff).
    expect(await oktaApps("expenses")).toHaveLength(1);
    expect(await oktaApps("hr-sync")).toHaveLength(1);
    const zone = Object.values(org.state.zones).find((z) => z.name === "okta-gitops/expenses");
    expect(zone, "the expenses zone").toBeDefined();
    expect(JSON.stringify(zone)).toContain("198.51.100.7/32");

    const [check] = applyChecks(merged);
    expect(check?.status).toBe("completed");
    expect(check?.conclusion).toBe("success");
    expect(check?.output.summary).toContain("expenses");

    const comments = gh.comments(REPO, pr).filter((c) => c.author === BOT);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("<!-- okta-gitops:apply -->");
    expect(comments[0]!.body).toMatch(/`expenses` \| ✅ applied/);

    const deployments = gh.deployments(REPO);
    expect(deployments).toHaveLength(1);
    const d = deployments[0]!;
    expect(d).toMatchObject({
      sha: merged,
      environment: "okta",
      autoMerge: false,
      requiredContexts: [],
      creator: BOT,
      payload: { okta_gitops: { approved: {} } },
    });
    expect(d.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    expect(ownIssues(FAILURE)).toEqual([]);
    expect(gh.violations()).toEqual([]);
  });

  it("scenario 5: an exception pushed straight to main is not applied, on that push nor the next unrelated one, and is reported; an approved pull request changing it is applied", async () => {
    const base = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    const direct = gh.commit(
      REPO,
      "main",
      { "integrations/legacy-dpop.yaml": exceptionYaml("The vendor's client cannot do DPoP") },
      { author: "mallory" },
    );
    await push(direct, base);
    expect(await oktaApps("legacy-dpop")).toEqual([]);
    expect(await oktaApps("hr-sync")).toHaveLength(1);
    const first = applyChecks(direct)[0]!;
    expect(first.conclusion).toBe("failure");
    expect(first.output.summary).toMatch(/`legacy-dpop` \| ⛔ refused/);
    expect(first.output.summary).toContain("pushed straight to main");
    const opened = ownIssues(FAILURE);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.state).toBe("open");
    expect(opened[0]!.labels).toEqual(["okta-gitops"]);
    expect(opened[0]!.body).toContain("legacy-dpop");
    expect(gh.deployments(REPO)[0]!.payload).toEqual({ okta_gitops: { approved: {} } });

    // The next, unrelated push: still refused (nothing remembers it as approved).
    const unrelated = gh.commit(REPO, "main", {
      "integrations/siem.yaml": integrationYaml("siem", {
        network: { allow: ["198.51.100.9/32"] },
      }),
    });
    await push(unrelated, direct);
    expect(await oktaApps("siem")).toHaveLength(1);
    expect(await oktaApps("legacy-dpop")).toEqual([]);
    expect(applyChecks(unrelated)[0]!.conclusion).toBe("failure");
    expect(applyChecks(unrelated)[0]!.output.summary).toMatch(/`legacy-dpop` \| ⛔ refused/);
    // Still one failure issue, updated in place.
    expect(ownIssues(FAILURE)).toHaveLength(1);
    expect(ownIssues(FAILURE)[0]!.number).toBe(opened[0]!.number);

    // A pull request that changes the exception, approved by a member of the Identity team.
    const head = gh.commit(
      REPO,
      "fix-legacy",
      {
        "integrations/legacy-dpop.yaml": exceptionYaml(
          "The vendor's client cannot do DPoP until Q3",
        ),
      },
      { author: "alice" },
    );
    const pr = gh.openPullRequest(REPO, { head: "fix-legacy", author: "alice" });
    gh.review(REPO, pr, { user: "ivy", state: "APPROVED", commitId: head });
    const merged = gh.mergePullRequest(REPO, pr, { by: "alice" });
    await push(merged, unrelated);
    const applied = await oktaApps("legacy-dpop");
    expect(applied).toHaveLength(1);
    expect(applied[0]!.dpop).toBe(false);
    expect(applyChecks(merged)[0]!.conclusion).toBe("success");
    const latest = gh.deployments(REPO).find((d) => d.sha === merged)!;
    expect(
      Object.keys((latest.payload as { okta_gitops: { approved: object } }).okta_gitops.approved),
    ).toEqual(["legacy-dpop"]);
    expect(latest.statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    // The success closes the failure issue.
    expect(ownIssues(FAILURE)[0]!.state).toBe("closed");
    const comment = gh.comments(REPO, pr).find((c) => c.author === BOT)!;
    expect(comment.body).toMatch(/`legacy-dpop` \| ✅ applied/);

    // A comment added straight to main leaves the exception as approved (the App's deployment
    // records its content's hash); a change of its content straight to main is refused again.
    const approvedYaml = exceptionYaml("The vendor's client cannot do DPoP until Q3");
    const reformatted = gh.commit(
      REPO,
      "main",
      { "integrations/legacy-dpop.yaml": `# Owned by payroll.\n${approvedYaml}` },
      { author: "mallory" },
    );
    await push(reformatted, merged);
    expect(applyChecks(reformatted)[0]!.conclusion).toBe("success");
    expect(applyChecks(reformatted)[0]!.output.summary).not.toContain("refused");
    const changed = gh.commit(
      REPO,
      "main",
      {
        "integrations/legacy-dpop.yaml": approvedYaml.replace(
          "198.51.100.20/32",
          "198.51.100.21/32",
        ),
      },
      { author: "mallory" },
    );
    await push(changed, reformatted);
    expect(applyChecks(changed)[0]!.conclusion).toBe("failure");
    expect(applyChecks(changed)[0]!.output.summary).toMatch(/`legacy-dpop` \| ⛔ refused/);
    expect(JSON.stringify(org.state.zones)).toContain("198.51.100.20/32");
    expect(JSON.stringify(org.state.zones)).not.toContain("198.51.100.21/32");
    expect(gh.violations()).toEqual([]);
  });

  it("scenario 8: a push to another repository, or to another branch of the configured one, never applies", async () => {
    const other = "acme/elsewhere";
    gh.createRepo(other);
    const otherBase = gh.commit(other, "main", { "README.md": "other\n" });
    const otherSha = gh.commit(other, "main", {
      "integrations/rogue.yaml": integrationYaml("rogue"),
    });
    await push(otherSha, otherBase, { repo: other });

    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const branchSha = gh.commit(REPO, "feature", {
      "integrations/early.yaml": integrationYaml("early"),
    });
    await push(branchSha, base, { branch: "feature" });

    expect(await oktaApps("rogue")).toEqual([]);
    expect(await oktaApps("early")).toEqual([]);
    expect(gh.checkRuns(other).filter((c) => c.name === APPLY)).toEqual([]);
    expect(gh.checkRuns(REPO).filter((c) => c.name === APPLY)).toEqual([]);
    expect(gh.deployments(other)).toEqual([]);
    expect(gh.deployments(REPO)).toEqual([]);
    expect(app.logs.join("\n")).toContain("acme/elsewhere is not the configured repository");
    expect(gh.violations()).toEqual([]);
  });

  it("a failed apply opens the failure issue, and the next apply that succeeds closes it", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const first = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    // Every write to Okta fails.
    org.setFaults({ errorRate: 1, onlyWrites: true });
    await push(first, base);
    org.setFaults({});
    expect(await oktaApps("hr-sync")).toEqual([]);
    expect(applyChecks(first)[0]!.conclusion).toBe("failure");
    const failed = gh.deployments(REPO).find((d) => d.sha === first)!;
    expect(failed.statuses.map((s) => s.state)).toEqual(["in_progress", "failure"]);
    const issues = ownIssues(FAILURE);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.state).toBe("open");

    const second = gh.commit(REPO, "main", { "README.md": "access, again\n" });
    await push(second, first);
    expect(await oktaApps("hr-sync")).toHaveLength(1);
    expect(applyChecks(second)[0]!.conclusion).toBe("success");
    const after = ownIssues(FAILURE);
    expect(after).toHaveLength(1);
    expect(after[0]!.number).toBe(issues[0]!.number);
    expect(after[0]!.state).toBe("closed");
    expect(after[0]!.body).toContain("The apply to Okta succeeded again");
    expect(gh.violations()).toEqual([]);
  });

  it("two pushes in quick succession are applied once, at the newest commit", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const a = gh.commit(REPO, "main", { "integrations/one.yaml": integrationYaml("one") });
    const b = gh.commit(REPO, "main", {
      "integrations/two.yaml": integrationYaml("two", { network: { allow: ["198.51.100.30/32"] } }),
    });
    await push(a, base, { wait: false });
    await push(b, a, { wait: false });
    await app.idle();

    expect(await oktaApps("one")).toHaveLength(1);
    expect(await oktaApps("two")).toHaveLength(1);
    const deployments = gh.deployments(REPO);
    expect(deployments.map((d) => d.sha)).toEqual([b]);
    expect(applyChecks(b)[0]!.conclusion).toBe("success");
    const skipped = applyChecks(a);
    expect(skipped.map((c) => c.conclusion)).toEqual(["neutral"]);
    expect(skipped[0]!.output.title).toBe("Superseded by a newer push");
    expect(gh.violations()).toEqual([]);
  });
  it("the deletion guard holds: removing more integrations than bot.deletionGuard.maxDeletions refuses the apply, and says the App never confirms deletions", async () => {
    const base = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    const names = ["d-one", "d-two", "d-three", "d-four"];
    const files = Object.fromEntries(
      names.map((n, i) => [
        `integrations/${n}.yaml`,
        integrationYaml(n, { network: { allow: [`198.51.100.${40 + i}/32`] } }),
      ]),
    );
    const added = gh.commit(REPO, "main", files);
    await push(added, base);
    for (const n of names) expect(await oktaApps(n)).toHaveLength(1);

    const removed = gh.commit(
      REPO,
      "main",
      Object.fromEntries(Object.keys(files).map((f) => [f, null])),
    );
    await push(removed, added);
    for (const n of names) expect(await oktaApps(n)).toHaveLength(1);
    const check = applyChecks(removed)[0]!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("bot.deletionGuard.maxDeletions");
    expect(check.output.summary).toContain("The App never confirms deletions");
    expect(
      gh
        .deployments(REPO)
        .find((d) => d.sha === removed)!
        .statuses.map((s) => s.state),
    ).toEqual(["in_progress", "failure"]);
    expect(ownIssues(FAILURE)).toHaveLength(1);
    expect(gh.violations()).toEqual([]);
  });

  it("settings pushed straight to main that depart from the defaults are not applied under: nothing is applied, and the check says why", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const loosened = gh.commit(
      REPO,
      "main",
      {
        ".okta-gitops.yml": "policy:\n  rateLimit:\n    maxPercent: 90\n",
        "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
      },
      { author: "mallory" },
    );
    await push(loosened, base);
    expect(await oktaApps("hr-sync")).toEqual([]);
    const check = applyChecks(loosened)[0]!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("the settings file .okta-gitops.yml is not approved");
    expect(check.output.summary).toContain("pushed straight to main");
    expect(gh.deployments(REPO)[0]!.statuses.map((s) => s.state)).toEqual([
      "in_progress",
      "failure",
    ]);
    expect(gh.violations()).toEqual([]);
  });
  it("removing the last integration deletes it from Okta: a tree without integrations/ is an empty repository", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const added = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    await push(added, base);
    expect(await oktaApps("hr-sync")).toHaveLength(1);
    const removed = gh.commit(REPO, "main", { "integrations/hr-sync.yaml": null });
    await push(removed, added);
    expect(await oktaApps("hr-sync")).toEqual([]);
    expect(applyChecks(removed)[0]!.conclusion).toBe("success");
    expect(gh.violations()).toEqual([]);
  });
  it("a deployment or issue by anyone but the App is never taken for its own: an imitated approval record approves nothing", async () => {
    const base = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    const yaml = exceptionYaml("The vendor's client cannot do DPoP");
    const path = "integrations/legacy-dpop.yaml";
    const found = validate({
      files: [{ path, bytes: new TextEncoder().encode(yaml) }],
      config: DEFAULT_CONFIG,
      today: TODAY.toISOString().slice(0, 10),
    });
    const [entry] = exceptionsOf(found.integrations, found.findings);
    expect(entry?.key).toBe("legacy-dpop");
    // A person records the exact hash as approved, in the App's payload shape, and files an issue
    // with the App's failure marker.
    gh.addDeployment(REPO, {
      creator: "mallory",
      sha: base,
      environment: "okta",
      payload: { okta_gitops: { approved: { "legacy-dpop": entry!.hash } } },
      state: "success",
    });
    const decoy = gh.addIssue(REPO, {
      author: "mallory",
      title: "apply failed",
      body: `${FAILURE}\nnothing to see`,
      labels: ["okta-gitops"],
    });
    const direct = gh.commit(REPO, "main", { [path]: yaml }, { author: "mallory" });
    await push(direct, base);

    expect(await oktaApps("legacy-dpop")).toEqual([]);
    expect(applyChecks(direct)[0]!.output.summary).toMatch(/`legacy-dpop` \| ⛔ refused/);
    const own = gh.deployments(REPO).find((d) => d.creator === BOT)!;
    expect(own.payload).toEqual({ okta_gitops: { approved: {} } });
    // The App's own issue is opened; the imitation is left as it was.
    expect(ownIssues(FAILURE)).toHaveLength(1);
    const theirs = gh.issues(REPO).find((i) => i.number === decoy)!;
    expect(theirs.body).toBe(`${FAILURE}\nnothing to see`);
    expect(theirs.state).toBe("open");
    expect(gh.violations()).toEqual([]);
  });

  it("an apply check whose full report GitHub refuses is completed as a failure, never left in progress", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "reported\n" });
    const sha = gh.commit(REPO, "main", {
      "integrations/ledger.yaml": integrationYaml("ledger", {
        network: { allow: ["198.51.100.88/32"] },
      }),
    });
    gh.failNext("checks/update", 502, 1);
    await push(sha, base);
    const checks = applyChecks(sha);
    expect(checks.filter((c) => c.status !== "completed")).toEqual([]);
    expect(checks[0]!.conclusion).toBe("failure");
    expect(checks[0]!.output.summary).toContain("could not report this apply in full");
    expect(gh.violations()).toEqual([]);
  });

  it("a tree GitHub cannot give is not applied: the check fails saying why, and the deployment records the attempt", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const sha = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    gh.failNext("repos/download-tarball-archive", 502);
    await push(sha, base);
    expect(await oktaApps("hr-sync")).toEqual([]);
    const check = applyChecks(sha)[0]!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("Nothing was applied");
    const d = gh.deployments(REPO).find((x) => x.sha === sha)!;
    expect(d.statuses.map((s) => s.state)).toEqual(["failure"]);
    expect(ownIssues(FAILURE)).toHaveLength(1);
    expect(gh.violations()).toEqual([]);
  });
});
