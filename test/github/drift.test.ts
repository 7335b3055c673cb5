// The drift schedule, end to end: the App (a real Probot server on 127.0.0.1) compares the default
// branch of the configured repository, read from the local GitHub over HTTP, with the local Okta
// org through the real SDK, on a timer the test fires by hand; a change made by hand in Okta (also
// through the SDK) comes back as the one drift issue, which is corrected in correct mode and closed
// when Okta is clean again.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import type { Timer } from "../../src/github/jobs/drift.js";
import { startApp, type StartedApp } from "../support/github-app.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { deliver, pushEvent } from "../support/local-github/webhooks.js";
import { sswsClient } from "../support/okta-sdk.js";
import { startOrg } from "../reconcile/harness.js";
import { integrationYaml, TODAY } from "./support.js";

const REPO = "acme/okta-access";
const BOT = "okta-gitops[bot]";
const DRIFT = "<!-- okta-gitops:drift -->";

/** The drift schedule's timer, driven by the test: what is armed, and firing it. */
function manualTimer() {
  const armed = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timer: Timer = {
    setTimeout: (fn, ms) => {
      armed.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (h) => void armed.delete(h as number),
  };
  return {
    timer,
    armed: () => [...armed.values()].map((a) => a.ms),
    fire: () => {
      const all = [...armed.values()];
      armed.clear();
      for (const a of all) a.fn();
    },
  };
}

let gh: LocalGitHub;
let org: LocalOrg;
let app: StartedApp;
let clock: ReturnType<typeof manualTimer>;

beforeEach(async () => {
  gh = await startLocalGitHub();
  org = await startOrg();
  clock = manualTimer();
  app = await startApp({
    github: gh,
    okta: org,
    repository: REPO,
    clock: () => TODAY,
    driftTimer: clock.timer,
  });
  gh.createRepo(REPO);
  gh.addTeamMember("acme", "identity", "ivy");
});

afterEach(async () => {
  await app.close();
  await org.close();
  await gh.close();
});

async function push(after: string, before: string) {
  const d = await deliver(
    app.url,
    "push",
    pushEvent(gh, REPO, { ref: "refs/heads/main", before, after }),
    app.secret,
  );
  expect(d.status, d.body).toBeLessThan(300);
  await app.idle();
}

/** One scheduled drift check, run now, and its work waited for. */
async function driftCheck() {
  expect(clock.armed(), "the drift check is scheduled").toHaveLength(1);
  clock.fire();
  await app.idle();
}

const driftIssues = () =>
  gh.issues(REPO).filter((i) => i.author === BOT && (i.body ?? "").includes(DRIFT));

/** The Okta app of an integration, through the SDK. */
async function oktaApp(label: string) {
  const admin = sswsClient(org);
  const id = Object.values(org.state.apps).find((a) => a.label === label)?.id;
  expect(id, `${label} in Okta`).toBeDefined();
  return { admin, id: id!, app: await admin.applicationApi.getApplication({ appId: id! }) };
}
const dpopOf = (a: unknown) =>
  (a as { settings: { oauthClient: { dpop_bound_access_tokens: boolean } } }).settings.oauthClient
    .dpop_bound_access_tokens;

/** Turns DPoP off by hand in Okta, as an admin in the console would. */
async function dpopOffByHand(label: string) {
  const { admin, id, app: a } = await oktaApp(label);
  (
    a as unknown as { settings: { oauthClient: { dpop_bound_access_tokens: boolean } } }
  ).settings.oauthClient.dpop_bound_access_tokens = false;
  await admin.applicationApi.replaceApplication({ appId: id, application: a });
  expect(dpopOf((await oktaApp(label)).app)).toBe(false);
}

/** Adds an address to the integration's zone by hand. */
async function widenZoneByHand(integration: string) {
  const admin = sswsClient(org);
  const zone = Object.values(org.state.zones).find((z) => z.name === `okta-gitops/${integration}`)!;
  const z = await admin.networkZoneApi.getNetworkZone({ zoneId: zone.id });
  (z as unknown as { gateways: { type: string; value: string }[] }).gateways.push({
    type: "CIDR",
    value: "192.0.2.0/24",
  });
  await admin.networkZoneApi.replaceNetworkZone({ zoneId: zone.id, zone: z });
}

describe("drift", () => {
  it("scenario 7: a change by hand in Okta opens the drift issue, is corrected in correct mode, and the issue is closed", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const first = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    await push(first, base);
    // Correct mode is a change of the settings: it needs the Identity team's approval.
    const head = gh.commit(
      REPO,
      "drift-correct",
      { ".okta-gitops.yml": "bot:\n  drift:\n    mode: correct\n    interval: 30m\n" },
      { author: "alice" },
    );
    const pr = gh.openPullRequest(REPO, { head: "drift-correct", author: "alice" });
    gh.review(REPO, pr, { user: "ivy", state: "APPROVED", commitId: head });
    // Squashed: the settings reach main in one new commit, which GitHub ties to the pull request.
    const merged = gh.mergePullRequest(REPO, pr, { by: "alice", method: "squash" });
    await push(merged, first);
    const check = gh.checkRuns(REPO, merged).find((c) => c.name === "okta-gitops/apply")!;
    expect(check.conclusion, check.output.summary ?? "").toBe("success");

    await dpopOffByHand("hr-sync");
    await driftCheck();

    // Corrected in Okta, and recorded in the one drift issue, closed.
    expect(dpopOf((await oktaApp("hr-sync")).app)).toBe(true);
    const issues = driftIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0]!.labels).toEqual(["okta-gitops"]);
    expect(issues[0]!.state).toBe("closed");
    expect(issues[0]!.body).toContain("mode: correct");
    expect(issues[0]!.body).toMatch(/`hr-sync` \| `app hr-sync` \| `dpop`.*✅ corrected/);
    // The next check waits the interval main's settings give.
    expect(clock.armed()).toEqual([30 * 60_000]);

    // Clean: nothing more to say, and no new issue.
    await driftCheck();
    expect(driftIssues()).toHaveLength(1);
    expect(driftIssues()[0]!.state).toBe("closed");

    // Correcting obeys the approvals: an exception pushed straight to main is not put into Okta
    // by the correction, and the one issue is opened again, naming it.
    const direct = gh.commit(
      REPO,
      "main",
      {
        "integrations/legacy-dpop.yaml": integrationYaml("legacy-dpop", {
          dpop: false,
          exceptions: { dpop: "The vendor's client cannot do DPoP" },
          network: { allow: ["198.51.100.20/32"] },
        }),
      },
      { author: "mallory" },
    );
    await push(direct, merged);
    await driftCheck();
    expect(Object.values(org.state.apps).some((a) => a.label === "legacy-dpop")).toBe(false);
    const reopened = driftIssues();
    expect(reopened).toHaveLength(1);
    expect(reopened[0]!.number).toBe(issues[0]!.number);
    expect(reopened[0]!.state).toBe("open");
    expect(reopened[0]!.body).toMatch(/`legacy-dpop`.*pushed straight to main/);
    expect(gh.violations()).toEqual([]);
  });

  it("in report mode, the one drift issue is opened, updated per field, and closed once Okta is clean again", async () => {
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const first = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    await push(first, base);

    await dpopOffByHand("hr-sync");
    await driftCheck();
    const opened = driftIssues();
    expect(opened).toHaveLength(1);
    expect(opened[0]!.state).toBe("open");
    expect(opened[0]!.body).toMatch(/`hr-sync` \| `app hr-sync` \| `dpop`/);
    expect(opened[0]!.body).toContain("reported only");
    expect(opened[0]!.body).not.toContain("gateways");
    // Reported, not corrected.
    expect(dpopOf((await oktaApp("hr-sync")).app)).toBe(false);

    await widenZoneByHand("hr-sync");
    await driftCheck();
    const updated = driftIssues();
    expect(updated).toHaveLength(1);
    expect(updated[0]!.number).toBe(opened[0]!.number);
    expect(updated[0]!.state).toBe("open");
    expect(updated[0]!.body).toMatch(/`dpop`/);
    expect(updated[0]!.body).toMatch(/`gateways`.*192\.0\.2\.0\/24/);

    // An apply puts Okta back to main; the next check finds it clean and closes the issue.
    const second = gh.commit(REPO, "main", { "README.md": "access, again\n" });
    await push(second, first);
    expect(dpopOf((await oktaApp("hr-sync")).app)).toBe(true);
    await driftCheck();
    const closed = driftIssues();
    expect(closed).toHaveLength(1);
    expect(closed[0]!.state).toBe("closed");
    expect(closed[0]!.body).toContain("No drift");
    expect(gh.violations()).toEqual([]);
  });

  it("names a refused integration in the drift issue instead of calling Okta clean", async () => {
    const base = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    const direct = gh.commit(
      REPO,
      "main",
      {
        "integrations/legacy-dpop.yaml": integrationYaml("legacy-dpop", {
          dpop: false,
          exceptions: { dpop: "The vendor's client cannot do DPoP" },
          network: { allow: ["198.51.100.20/32"] },
        }),
      },
      { author: "mallory" },
    );
    await push(direct, base);
    await driftCheck();
    const issues = driftIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0]!.state).toBe("open");
    expect(issues[0]!.body).not.toContain("No drift");
    expect(issues[0]!.body).toMatch(/`legacy-dpop`.*pushed straight to main/);
    expect(gh.violations()).toEqual([]);
  });
});
