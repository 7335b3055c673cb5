// The pull-request flow end to end: a real Probot server on 127.0.0.1 receives signed webhooks
// built from GitHub's example payloads, reads the local GitHub over HTTP and plans against the
// local Okta org through the real SDK. What is asserted is what a user sees on the pull request:
// the check runs' conclusions and annotations, and the one plan comment.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkRunRerequestedEvent,
  checkSuiteRerequestedEvent,
  deliver,
  pullRequestEvent,
} from "../support/local-github/webhooks.js";
import {
  APPROVAL,
  botComments,
  integrationYaml,
  latestCheck,
  oktaCalls,
  POLICY,
  pullRequestDelivery,
  send,
  startWorld,
  type World,
} from "./support.js";
import { MAX_PLANNED_INTEGRATIONS } from "../../src/github/jobs/pull-request.js";

let w: World;
const CONFIGURED = "acme/okta-access";

beforeAll(async () => {
  w = await startWorld({ repository: CONFIGURED });
});

afterAll(async () => {
  // Every request the App sent, and every answer, is one GitHub's description allows.
  expect(w.gh.violations()).toEqual([]);
  await w.close();
});

describe("a pull request", () => {
  it("compliant: a success check and one plan comment, updated in place by the next push", async () => {
    const repo = CONFIGURED;
    w.gh.createRepo(repo);
    w.gh.commit(repo, "main", { "integrations/hr-sync.yaml": integrationYaml("hr-sync") });
    const head1 = w.gh.commit(
      repo,
      "add-expenses",
      {
        "integrations/expenses.yaml": integrationYaml("expenses", {
          network: { allow: ["198.51.100.7/32"] },
        }),
      },
      { author: "alice" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "add-expenses", author: "alice" });
    await pullRequestDelivery(w, repo, pr, "opened");

    const policy = latestCheck(w, repo, head1, POLICY);
    expect(policy.status).toBe("completed");
    expect(policy.conclusion).toBe("success");
    expect(policy.annotations.filter((a) => a.annotation_level === "failure")).toEqual([]);
    expect(policy.output.text).toContain("expenses");
    expect(latestCheck(w, repo, head1, APPROVAL).conclusion).toBe("neutral");
    const first = botComments(w, repo, pr);
    expect(first).toHaveLength(1);
    expect(first[0]!.body).toContain("<!-- okta-gitops:plan -->");
    expect(first[0]!.body).toContain(head1);
    expect(first[0]!.body).toMatch(/create/);
    // Only the changed integration is planned: hr-sync, on main, is not in the plan.
    expect(first[0]!.body).not.toContain("hr-sync");

    const head2 = w.gh.commit(
      repo,
      "add-expenses",
      {
        "integrations/expenses.yaml": integrationYaml("expenses", {
          network: { allow: ["198.51.100.8/32"] },
        }),
      },
      { author: "alice" },
    );
    await pullRequestDelivery(w, repo, pr, "synchronize", head1);
    const second = botComments(w, repo, pr);
    expect(second).toHaveLength(1);
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(second[0]!.body).toContain(head2);
    expect(second[0]!.body).toContain("198.51.100.8/32");
    expect(second[0]!.body).not.toContain("198.51.100.7/32");
    expect(latestCheck(w, repo, head2, POLICY).conclusion).toBe("success");

    // Two pushes delivered at once: handled one after the other, the newest head wins, still one
    // comment.
    const head3 = w.gh.commit(
      repo,
      "add-expenses",
      {
        "integrations/expenses.yaml": integrationYaml("expenses", {
          network: { allow: ["198.51.100.9/32"] },
        }),
      },
      { author: "alice" },
    );
    const both = [
      deliver(
        w.app.url,
        "pull_request",
        pullRequestEvent(w.gh, repo, pr, "synchronize", { before: head2 }),
        w.app.secret,
      ),
      deliver(
        w.app.url,
        "pull_request",
        pullRequestEvent(w.gh, repo, pr, "synchronize", { before: head2 }),
        w.app.secret,
      ),
    ];
    for (const d of await Promise.all(both)) expect(d.status).toBe(202);
    await w.app.idle();
    const third = botComments(w, repo, pr);
    expect(third).toHaveLength(1);
    expect(third[0]!.body).toContain(head3);

    // A push that leaves the pull request changing nothing: the comment says so, never stale.
    const head4 = w.gh.commit(
      repo,
      "add-expenses",
      { "integrations/expenses.yaml": null },
      { author: "alice" },
    );
    await pullRequestDelivery(w, repo, pr, "synchronize", head3);
    const fourth = botComments(w, repo, pr);
    expect(fourth).toHaveLength(1);
    expect(fourth[0]!.body).toContain(head4);
    expect(fourth[0]!.body).toContain("changes no integration and no settings");
    expect(fourth[0]!.body).not.toContain("198.51.100.9/32");
    expect(latestCheck(w, repo, head4, POLICY).conclusion).toBe("neutral");
  });

  it("is checked again when one of its check runs, or its check suite, is re-run", async () => {
    const repo = CONFIGURED;
    const head = w.gh.commit(
      repo,
      "rerun",
      {
        "integrations/rerun.yaml": integrationYaml("rerun", {
          network: { allow: ["198.51.100.11/32"] },
        }),
      },
      { author: "alice" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "rerun", author: "alice" });
    await pullRequestDelivery(w, repo, pr, "opened");
    const first = latestCheck(w, repo, head, POLICY);
    await send(w, "check_run", checkRunRerequestedEvent(w.gh, repo, first.id));
    const second = latestCheck(w, repo, head, POLICY);
    expect(second.id).not.toBe(first.id);
    expect(second.conclusion).toBe("success");
    await send(w, "check_suite", checkSuiteRerequestedEvent(w.gh, repo, head));
    const third = latestCheck(w, repo, head, POLICY);
    expect(third.id).not.toBe(second.id);
    expect(botComments(w, repo, pr)).toHaveLength(1);
  });

  it("from a fork is checked again on a re-run, though GitHub lists no pull request on its check run", async () => {
    const repo = CONFIGURED;
    const head = w.gh.commit(
      repo,
      "fork-rerun",
      {
        "integrations/fork-rerun.yaml": integrationYaml("fork-rerun", {
          network: { allow: ["198.51.100.14/32"] },
        }),
      },
      { author: "trudy" },
    );
    const pr = w.gh.openPullRequest(repo, {
      head: "fork-rerun",
      author: "trudy",
      fromFork: "trudy/okta-access",
    });
    await pullRequestDelivery(w, repo, pr, "opened");
    const first = latestCheck(w, repo, head, POLICY);
    await send(w, "check_run", checkRunRerequestedEvent(w.gh, repo, first.id));
    const again = latestCheck(w, repo, head, POLICY);
    expect(again.id).not.toBe(first.id);
    expect(again.conclusion).toBe("success");
  });

  it("fails closed, saying why, when its tree cannot be read", async () => {
    const repo = CONFIGURED;
    const head = w.gh.commit(
      repo,
      "unreadable",
      {
        "integrations/unreadable.yaml": integrationYaml("unreadable", {
          network: { allow: ["198.51.100.15/32"] },
        }),
      },
      { author: "alice" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "unreadable", author: "alice" });
    w.gh.failNext("repos/download-tarball-archive", 502, 1);
    await pullRequestDelivery(w, repo, pr, "opened");
    const policy = latestCheck(w, repo, head, POLICY);
    expect(policy.status).toBe("completed");
    expect(policy.conclusion).toBe("failure");
    expect(policy.output.summary).toContain("could not check this commit");
    expect(latestCheck(w, repo, head, APPROVAL).conclusion).toBe("failure");
    // A push (or a re-run) checks it again.
    await pullRequestDelivery(w, repo, pr, "reopened");
    expect(latestCheck(w, repo, head, POLICY).conclusion).toBe("success");
  });

  it("fails closed when GitHub refuses the plan comment: no check is left in progress, the approval check fails", async () => {
    const repo = CONFIGURED;
    const head = w.gh.commit(
      repo,
      "no-comment",
      {
        "integrations/no-comment.yaml": integrationYaml("no-comment", {
          network: { allow: ["198.51.100.16/32"] },
        }),
      },
      { author: "alice" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "no-comment", author: "alice" });
    w.gh.failNext("issues/create-comment", 502, 1);
    await pullRequestDelivery(w, repo, pr, "opened");
    const runs = w.gh.checkRuns(repo, head);
    expect(runs.filter((r) => r.status !== "completed")).toEqual([]);
    expect(latestCheck(w, repo, head, POLICY).conclusion).toBe("failure");
    expect(latestCheck(w, repo, head, APPROVAL).conclusion).toBe("failure");
    expect(latestCheck(w, repo, head, APPROVAL).output.summary).toContain(
      "could not check this commit",
    );
  });

  it("never takes a person's comment that imitates the plan marker for its own", async () => {
    const repo = CONFIGURED;
    const head = w.gh.commit(
      repo,
      "imitated",
      {
        "integrations/imitated.yaml": integrationYaml("imitated", {
          network: { allow: ["198.51.100.16/32"] },
        }),
      },
      { author: "eve" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "imitated", author: "eve" });
    const fake = "<!-- okta-gitops:plan -->\nNo changes: Okta matches the repository.";
    const id = w.gh.addComment(repo, pr, { author: "eve", body: fake });
    await pullRequestDelivery(w, repo, pr, "opened");
    expect(w.gh.comments(repo, pr).find((c) => c.id === id)!.body).toBe(fake);
    const mine = botComments(w, repo, pr);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain(head);
  });

  it("ignores the events the App itself causes", async () => {
    const repo = CONFIGURED;
    const head = w.gh.commit(
      repo,
      "by-bot",
      {
        "integrations/by-bot.yaml": integrationYaml("by-bot", {
          network: { allow: ["198.51.100.12/32"] },
        }),
      },
      { author: "alice" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "by-bot", author: "alice" });
    const payload = pullRequestEvent(w.gh, repo, pr, "opened", { sender: `${w.gh.appSlug}[bot]` });
    expect((payload.sender as { type: string }).type).toBe("Bot");
    await send(w, "pull_request", payload);
    expect(w.gh.checkRuns(repo, head)).toEqual([]);
    // The same event from a person is handled.
    await send(w, "pull_request", pullRequestEvent(w.gh, repo, pr, "opened"));
    expect(latestCheck(w, repo, head, POLICY).conclusion).toBe("success");
  });

  it("violating: a failure check with every finding as an annotation on its line, more than 50 of them", async () => {
    const repo = "acme/violations";
    w.gh.createRepo(repo);
    w.gh.commit(repo, "main", { "integrations/hr-sync.yaml": integrationYaml("hr-sync") });
    // 60 private addresses, one a line: each is a network.not-public finding at its own line.
    const allow = Array.from({ length: 60 }, (_, i) => `      - 10.0.${i}.1/32`);
    const text = [
      "apiVersion: okta-gitops/v1",
      "kind: ServiceApp",
      "metadata:",
      "  name: noisy",
      '  owner: "@acme/people-eng"',
      "  purpose: Reads users to mirror the directory",
      "  request: https://tracker.example.com/ACCESS-9",
      "spec:",
      "  scopes: [okta.users.read]",
      "  role: { standard: READ_ONLY_ADMIN }",
      "  dpop: true",
      "  network:",
      "    allow:",
      ...allow,
      "",
    ].join("\n");
    const head = w.gh.commit(repo, "noisy", { "integrations/noisy.yaml": text }, { author: "bob" });
    const pr = w.gh.openPullRequest(repo, { head: "noisy", author: "bob" });
    await pullRequestDelivery(w, repo, pr, "opened");

    const policy = latestCheck(w, repo, head, POLICY);
    expect(policy.conclusion).toBe("failure");
    const notPublic = policy.annotations.filter((a) => a.title === "network.not-public");
    expect(notPublic.map((a) => a.start_line)).toEqual(allow.map((_, i) => 14 + i));
    expect(notPublic.every((a) => a.path === "integrations/noisy.yaml")).toBe(true);
    expect(policy.annotations.length).toBeGreaterThan(50);
    // Sent in batches of 50: more than one write, and the check completed with the last.
    expect(policy.writes).toBeGreaterThan(2);
    expect(policy.output.summary).toMatch(/error/);
  });

  it("from a fork: validated and planned like any other, and nothing is applied", async () => {
    const repo = CONFIGURED;
    const before = JSON.stringify(w.org.state.apps);
    const head = w.gh.commit(
      repo,
      "fork-change",
      {
        "integrations/forked.yaml": integrationYaml("forked", {
          network: { allow: ["198.51.100.9/32"] },
        }),
      },
      { author: "mallory" },
    );
    const pr = w.gh.openPullRequest(repo, {
      head: "fork-change",
      author: "mallory",
      fromFork: "mallory/okta-access",
    });
    await pullRequestDelivery(w, repo, pr, "opened");
    expect(latestCheck(w, repo, head, POLICY).conclusion).toBe("success");
    const comment = botComments(w, repo, pr);
    expect(comment).toHaveLength(1);
    expect(comment[0]!.body).toContain("forked");
    expect(JSON.stringify(w.org.state.apps)).toBe(before);
  });

  it("that touches no integration and no settings: neutral checks, no comment, no Okta call", async () => {
    const repo = CONFIGURED;
    const calls = oktaCalls(w.org);
    const head = w.gh.commit(repo, "docs", { "README.md": "# Access\n" }, { author: "dana" });
    const pr = w.gh.openPullRequest(repo, { head: "docs", author: "dana" });
    await pullRequestDelivery(w, repo, pr, "opened");
    expect(latestCheck(w, repo, head, POLICY).conclusion).toBe("neutral");
    expect(latestCheck(w, repo, head, APPROVAL).conclusion).toBe("neutral");
    expect(botComments(w, repo, pr)).toEqual([]);
    expect(oktaCalls(w.org)).toBe(calls);
  });

  it("whose tree holds a symbolic link under integrations/: refused with a finding on that path", async () => {
    const repo = CONFIGURED;
    const head = w.gh.commit(
      repo,
      "symlink",
      {
        "integrations/linked-ok.yaml": integrationYaml("linked-ok", {
          network: { allow: ["198.51.100.13/32"] },
        }),
      },
      { author: "eve", symlinks: { "integrations/evil.yaml": "../../../etc/passwd" } },
    );
    const pr = w.gh.openPullRequest(repo, { head: "symlink", author: "eve" });
    await pullRequestDelivery(w, repo, pr, "opened");
    const policy = latestCheck(w, repo, head, POLICY);
    expect(policy.conclusion).toBe("failure");
    const refused = policy.annotations.filter((a) => a.title === "archive.unsafe-entry");
    expect(refused.map((a) => a.path)).toEqual(["integrations/evil.yaml"]);
    expect(refused[0]!.start_line).toBe(1);
  });

  it("in a repository without integrations/ (the last one removed): checked, not failed for a missing folder", async () => {
    const repo = "acme/emptied";
    w.gh.createRepo(repo);
    w.gh.commit(repo, "main", {
      "integrations/only.yaml": integrationYaml("only"),
      "README.md": "x\n",
    });
    const head = w.gh.commit(
      repo,
      "remove-last",
      { "integrations/only.yaml": null },
      { author: "dana" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "remove-last", author: "dana" });
    await pullRequestDelivery(w, repo, pr, "opened");
    const policy = latestCheck(w, repo, head, POLICY);
    expect(policy.conclusion, policy.output.summary ?? "").toBe("success");
    // "only" never reached Okta: nothing to delete, and the comment says so.
    const body = botComments(w, repo, pr)[0]!.body;
    expect(body).toContain("The plan is empty");
    // Not the configured repository: the comment says it is never applied.
    expect(body).toContain("never applied");
  });

  it("costs Okta and GitHub the same calls for a one-file change in a repository of 3 or of 40 integrations", async () => {
    const cost = async (repo: string, n: number) => {
      w.gh.createRepo(repo);
      const files: Record<string, string> = {};
      for (let i = 0; i < n; i++)
        files[`integrations/svc-${i}.yaml`] = integrationYaml(`svc-${i}`, {
          network: { allow: [`198.51.100.${i + 10}/32`] },
        });
      w.gh.commit(repo, "main", files);
      w.gh.commit(
        repo,
        "one",
        { "integrations/svc-1.yaml": integrationYaml("svc-1", { rateLimit: { percent: 5 } }) },
        { author: "erin" },
      );
      const pr = w.gh.openPullRequest(repo, { head: "one", author: "erin" });
      const before = oktaCalls(w.org);
      const asked = w.gh.requests().length;
      await pullRequestDelivery(w, repo, pr, "opened");
      return { okta: oktaCalls(w.org) - before, github: w.gh.requests().length - asked };
    };
    await cost("acme/warm-up", 2);
    const small = await cost("acme/small", 3);
    const large = await cost("acme/large", 40);
    expect(small.okta).toBeGreaterThan(0);
    // GitHub too: one archive per tree, whatever the repository holds.
    expect(large).toEqual(small);
  });

  it(`that changes more than ${MAX_PLANNED_INTEGRATIONS} integrations is validated, not planned: no Okta read, and the check fails saying why`, async () => {
    const repo = "acme/bulk";
    w.gh.createRepo(repo);
    w.gh.commit(repo, "main", { "integrations/svc-0.yaml": integrationYaml("svc-0") });
    const files: Record<string, string> = {};
    for (let i = 1; i <= MAX_PLANNED_INTEGRATIONS + 1; i++)
      files[`integrations/bulk-${i}.yaml`] = integrationYaml(`bulk-${i}`, {
        network: { allow: [`198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}/32`] },
      });
    const head = w.gh.commit(repo, "bulk", files, { author: "erin" });
    const pr = w.gh.openPullRequest(repo, { head: "bulk", author: "erin" });
    const before = oktaCalls(w.org);
    await pullRequestDelivery(w, repo, pr, "opened");
    expect(oktaCalls(w.org)).toBe(before);
    const policy = latestCheck(w, repo, head, POLICY);
    expect(policy.conclusion).toBe("failure");
    expect(policy.output.summary).toContain(
      `more than the ${MAX_PLANNED_INTEGRATIONS} a pull request's plan reads from Okta`,
    );
    const comment = botComments(w, repo, pr)[0]!.body;
    expect(comment).not.toMatch(/No changes|plan is empty/i);
  });

  it("refuses a forged delivery: nothing is done, and the only log line is the refusal", async () => {
    const repo = CONFIGURED;
    w.gh.commit(
      repo,
      "forged",
      { "integrations/forged.yaml": integrationYaml("forged") },
      { author: "eve" },
    );
    const pr = w.gh.openPullRequest(repo, { head: "forged", author: "eve" });
    const requests = w.gh.requests().length;
    const calls = oktaCalls(w.org);
    const logged = w.app.logs.length;
    const d = await deliver(
      w.app.url,
      "pull_request",
      pullRequestEvent(w.gh, repo, pr, "opened"),
      w.app.secret,
      {
        badSignature: true,
      },
    );
    await w.app.idle();
    expect(d.status).toBe(401);
    expect(w.gh.requests().length).toBe(requests);
    expect(oktaCalls(w.org)).toBe(calls);
    expect(w.gh.checkRuns(repo, w.gh.branchHead(repo, "forged"))).toEqual([]);
    expect(w.app.logs.slice(logged)).toEqual([
      "warn: refused a webhook delivery: its signature does not match WEBHOOK_SECRET",
    ]);
  });
});
