// Two replicas of the App, in process, sharing one Redis (REDIS_URL, one key prefix), one local
// GitHub and one local Okta org: the same push delivered to both is applied to Okta once (the
// delivery id is the job's id), each replica's acknowledgement comes before the work, and the
// drift schedule fired on both checks once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import type { JobEnd, Observer, ReconcileEnd } from "../../src/github/observe.js";
import type { Timer } from "../../src/github/jobs/drift.js";
import { startApp, type StartedApp } from "../support/github-app.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { deliver, pushEvent } from "../support/local-github/webhooks.js";
import { sswsClient } from "../support/okta-sdk.js";
import { REDIS_AVAILABLE, startRedis, type TestRedis } from "../support/redis.js";
import { startOrg } from "../reconcile/harness.js";
import { integrationYaml, TODAY } from "./support.js";

const REPO = "acme/okta-access";
const APPLY = "okta-gitops/apply";

let redis: TestRedis;
let gh: LocalGitHub;
let org: LocalOrg;
const apps: StartedApp[] = [];

beforeAll(async () => {
  if (REDIS_AVAILABLE) redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await org?.close();
  await gh?.close();
});

/** What an observer heard. */
function recorder() {
  const jobs: JobEnd[] = [];
  const reconciles: ReconcileEnd[] = [];
  const observer: Observer = {
    jobEnded: (e) => void jobs.push(e),
    reconciled: (e) => void reconciles.push(e),
    githubRequest: () => {},
  };
  return { jobs, reconciles, observer };
}

/** A drift timer fired by the test. */
function manualTimer() {
  const armed = new Map<number, () => void>();
  let next = 1;
  const timer: Timer = {
    setTimeout: (fn) => (armed.set(next, fn), next++),
    clearTimeout: (h) => void armed.delete(h as number),
  };
  return {
    timer,
    fire: () => {
      const all = [...armed.values()];
      armed.clear();
      for (const f of all) f();
    },
  };
}

async function replicas(n: number, prefix: string) {
  const heard = recorder();
  const timers = Array.from({ length: n }, () => manualTimer());
  for (let i = 0; i < n; i++)
    apps.push(
      await startApp({
        github: gh,
        okta: org,
        repository: REPO,
        clock: () => TODAY,
        env: { REDIS_URL: redis.url, OKTA_GITOPS_REDIS_PREFIX: prefix },
        observer: heard.observer,
        driftTimer: timers[i]!.timer,
        queue: { lockDurationMs: 2000, stalledIntervalMs: 1000, retryDelayMs: 30 },
      }),
    );
  return { heard, timers };
}

async function oktaApps(label: string) {
  const found: string[] = [];
  for await (const a of await sswsClient(org).applicationApi.listApplications({ q: label }))
    if (a?.label === label) found.push(a.id!);
  return found;
}

describe.skipIf(!REDIS_AVAILABLE)("two replicas sharing one Redis", () => {
  it("apply the same push, delivered to both, exactly once", async () => {
    gh = await startLocalGitHub();
    org = await startOrg();
    gh.createRepo(REPO);
    const { heard } = await replicas(2, redis.prefix());
    const base = gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    const after = gh.commit(REPO, "main", {
      "integrations/expenses.yaml": integrationYaml("expenses", {
        network: { allow: ["198.51.100.7/32"] },
      }),
    });
    const payload = pushEvent(gh, REPO, { ref: "refs/heads/main", before: base, after });
    const delivery = "2f1b7c60-0c1d-11f1-8b7a-000000000001";
    const answers = await Promise.all(
      apps.map((a) => deliver(a.url, "push", payload, a.secret, { deliveryId: delivery })),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    for (const a of apps) await a.idle();

    // Okta: each app created once, through one apply.
    expect(await oktaApps("expenses")).toHaveLength(1);
    expect(await oktaApps("hr-sync")).toHaveLength(1);
    const creates = org
      .requests()
      .filter((r) => r.method === "POST" && r.template === "/api/v1/apps");
    expect(creates).toHaveLength(2);
    // GitHub: one apply check and one deployment for the commit.
    const checks = gh.checkRuns(REPO, after).filter((c) => c.name === APPLY);
    expect(checks.map((c) => c.conclusion)).toEqual(["success"]);
    expect(gh.deployments(REPO).filter((d) => d.sha === after)).toHaveLength(1);
    // The observers: one job done, one duplicate, one successful apply.
    const push = heard.jobs.filter((j) => j.kind === "push").map((j) => j.outcome);
    expect(push.sort()).toEqual(["done", "duplicate"]);
    expect(heard.jobs.every((j) => j.delivery === delivery)).toBe(true);
    expect(heard.reconciles.map((r) => `${r.kind}:${r.outcome}`)).toEqual(["apply:success"]);
    // Redelivered later to either: still not applied again.
    const again = await deliver(apps[1]!.url, "push", payload, apps[1]!.secret, {
      deliveryId: delivery,
    });
    expect(again.status).toBe(202);
    await apps[0]!.idle();
    expect(gh.checkRuns(REPO, after).filter((c) => c.name === APPLY)).toHaveLength(1);
    expect(heard.jobs.filter((j) => j.outcome === "duplicate")).toHaveLength(2);
  });

  it("check drift once when the schedule fires on both", async () => {
    gh = await startLocalGitHub();
    org = await startOrg();
    gh.createRepo(REPO);
    gh.commit(REPO, "main", { "integrations/hr-sync.yaml": integrationYaml("hr-sync") });
    const { heard, timers } = await replicas(2, redis.prefix());
    for (const t of timers) t.fire();
    for (const a of apps) await a.idle();
    const drift = heard.jobs.filter((j) => j.kind === "drift");
    expect(drift.map((j) => j.outcome)).toEqual(["done"]);
    // The check found hr-sync missing from Okta (never applied): drift, reported once.
    expect(heard.reconciles).toEqual([
      expect.objectContaining({ kind: "drift", outcome: "success", driftFound: 1 }),
    ]);
  });
});
