// Several replicas of `okta-gitops serve` on one Redis, as the real bin runs them (child processes
// over dist/: `npm run build` first), behind what a load balancer does to them: the same delivery
// reaching two replicas, a replica killed in the middle of an apply, a burst of deliveries with
// redeliveries, and two replicas reading Okta at once under a realistic rate limit. What is
// asserted is what a user relies on: Okta itself (the local org's objects and request log) and
// what GitHub shows (check runs, deployments, issues).
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { serviceApp, type SpecOverrides } from "../reconcile/fixtures.js";
import { ownedCounts, Repo, startOrg, testIo, envFor } from "../reconcile/harness.js";
import { REDIS_AVAILABLE, startRedis, type TestRedis } from "../support/redis.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { pullRequestEvent, pushEvent } from "../support/local-github/webhooks.js";
import {
  settled,
  startReplicas,
  until,
  type Replica,
  type ReplicaSet,
} from "../support/replicas.js";
import { integrationYaml, POLICY } from "./support.js";

const REPO = "acme/okta-access";
const APPLY = "okta-gitops/apply";
/** Every object of an integration the bot applies (a standard role). */
const FULL = { app: 1, grant: 2, role: 1, rateLimit: 1, zone: 1 };

let redis: TestRedis;
let gh: LocalGitHub;
let org: LocalOrg;
let set: ReplicaSet | undefined;

/** Each integration its own egress address: a shared allow list is a warning on each file. */
const spec = (i: number, extra: SpecOverrides = {}): SpecOverrides => ({
  network: { allow: [`198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}/32`] },
  ...extra,
});

/** The apps Okta holds with this label (from the org's own state). */
const appsLabelled = (label: string) =>
  Object.values(org.state.apps).filter((a) => a.label === label);

const calls = (key: string) => org.counters()[key]?.calls ?? 0;
const throttled = () => Object.values(org.counters()).reduce((n, c) => n + c.rateLimited, 0);

describe.skipIf(!REDIS_AVAILABLE)("replicas of okta-gitops serve on one Redis", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  afterEach(async (ctx) => {
    try {
      if (ctx.task.result?.state === "fail" && set) console.error(set.output());
      await set?.close();
    } finally {
      set = undefined;
      expect(gh.violations()).toEqual([]);
      await org.close();
      await gh.close();
    }
  });

  async function world(
    count: number,
    options: {
      repository?: string | ((i: number) => string);
      env?: Record<string, string>;
      org?: Parameters<typeof startOrg>[0];
    } = {},
  ): Promise<ReplicaSet> {
    gh = await startLocalGitHub();
    org = await startOrg(options.org);
    set = await startReplicas({
      github: gh,
      org,
      redisUrl: redis.url,
      prefix: redis.prefix(),
      count,
      repository: options.repository ?? REPO,
      ...(options.env ? { env: options.env } : {}),
    });
    return set;
  }

  it("the same push delivered to both replicas is applied exactly once", async () => {
    const s = await world(2);
    gh.createRepo(REPO);
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const after = gh.commit(REPO, "main", {
      "integrations/expenses.yaml": integrationYaml("expenses", spec(7)),
    });
    const payload = pushEvent(gh, REPO, { ref: "refs/heads/main", before: base, after });
    const deliveryId = randomUUID();
    // A load balancer hands the delivery to one replica, GitHub's redelivery to the other.
    const answers = await Promise.all(
      s.replicas.map((r) => r.deliver("push", payload, { deliveryId })),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202]);

    const applyChecks = () => gh.checkRuns(REPO, after).filter((c) => c.name === APPLY);
    // Each replica says how its part ended: one ran the job, the other found a duplicate.
    const lines = () =>
      s.replicas.flatMap((r) => r.jobLines()).filter((l) => l.delivery === deliveryId);
    await until("both replicas to end their part", () => lines().length >= 2, 90_000);
    await settled(gh, org);
    expect(
      lines()
        .map((l) => l.outcome)
        .sort(),
    ).toEqual(["done", "duplicate"]);

    expect(applyChecks()).toHaveLength(1);
    expect(applyChecks()[0]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.deployments(REPO)).toHaveLength(1);
    expect(gh.deployments(REPO)[0]!.statuses.map((st) => st.state)).toEqual([
      "in_progress",
      "success",
    ]);
    // Okta: one app created, once.
    expect(calls("POST /api/v1/apps")).toBe(1);
    expect(appsLabelled("expenses")).toHaveLength(1);
    expect(ownedCounts(org)).toEqual({ expenses: FULL });
  }, 120_000);

  it("a replica SIGKILLed in the middle of an apply: the other completes it, nothing lost, no duplicate in Okta", async () => {
    // Okta's writes slowed, so that an apply lasts; the job's lock and the org's lock with short
    // leases, so that the dead replica's hold on them ends in seconds.
    const s = await world(2, {
      org: { faults: { latencyMs: 500, onlyWrites: true } },
      env: { OKTA_GITOPS_LOCK_LEASE_SECONDS: "5", OKTA_GITOPS_JOB_LOCK_SECONDS: "5" },
    });
    gh.createRepo(REPO);
    const base = gh.commit(REPO, "main", { "README.md": "access\n" });
    const names = Array.from({ length: 6 }, (_, i) => `svc-${i}`);
    const files: Record<string, string> = {};
    names.forEach((n, i) => (files[`integrations/${n}.yaml`] = integrationYaml(n, spec(i))));
    const after = gh.commit(REPO, "main", files);
    const answer = await s.replicas[0]!.deliver(
      "push",
      pushEvent(gh, REPO, { ref: "refs/heads/main", before: base, after }),
    );
    expect(answer.status).toBe(202);

    // Mid-apply: Okta has answered the apply's first write. The replica applying is the one
    // holding the org's lock (its holder names the process).
    const writes = () =>
      org.requests().filter((r) => r.method !== "GET" && r.template !== "/oauth2/v1/token");
    await until("the apply's first write", () => writes().length > 0, 60_000);
    const lockKey = `${s.prefix}:lock:${new URL(org.url).host}`;
    const holder = JSON.parse((await redis.client().get(lockKey)) ?? "{}") as { holder?: string };
    const pid = Number(/ pid (\d+)\b/.exec(holder.holder ?? "")?.[1]);
    const applying = s.replicas.find((r) => r.child.pid === pid);
    expect(applying, `the lock's holder: ${holder.holder}`).toBeDefined();
    const other = s.replicas.find((r) => r !== applying)!;
    await applying!.stop("SIGKILL");
    const applyChecks = () => gh.checkRuns(REPO, after).filter((c) => c.name === APPLY);
    const full = Object.fromEntries(names.map((n) => [n, FULL]));
    // It really was cut short: Okta does not hold everything yet, the check is not complete.
    expect(ownedCounts(org)).not.toEqual(full);
    expect(applyChecks().some((c) => c.status === "completed")).toBe(false);
    org.setFaults({});

    // The other replica takes the job over once the dead one's hold on it (and on the org's lock)
    // expires, and completes it.
    await until(
      "the other replica to complete the apply",
      () =>
        applyChecks().some((c) => c.status === "completed" && c.conclusion === "success") ||
        !other.running,
      150_000,
    );
    expect(other.running).toBe(true);
    await settled(gh, org);
    // Nothing lost, nothing twice: each integration's objects exactly once.
    expect(ownedCounts(org)).toEqual(full);
    for (const n of names) expect(appsLabelled(n), n).toHaveLength(1);
    // One create per app answered by Okta (requests of the killed replica still in flight may have
    // been cut off, creating nothing: they are not creates).
    const creates = org
      .requests()
      .filter((r) => r.method === "POST" && r.template === "/api/v1/apps" && r.status < 300);
    expect(creates).toHaveLength(names.length);
    const done = applyChecks().filter((c) => c.status === "completed");
    expect(done).toHaveLength(1);
    expect(done[0]!.conclusion).toBe("success");
    for (const n of names) expect(done[0]!.output.summary).toContain(n);
  }, 240_000);

  it("50 deliveries in a burst to two replicas, some redelivered: all processed, none twice, each pull request in order", async () => {
    const s = await world(2);
    gh.createRepo(REPO);
    gh.commit(REPO, "main", { "integrations/hr-sync.yaml": integrationYaml("hr-sync", spec(0)) });
    const [r0, r1] = s.replicas as [Replica, Replica];
    const other = (i: number): [Replica, Replica] => (i % 2 === 0 ? [r0, r1] : [r1, r0]);
    const deliveries: { pr: number; id: string; redelivery: boolean; status: Promise<number> }[] =
      [];
    const send = (
      pr: number,
      to: Replica,
      payload: unknown,
      id = randomUUID(),
      redelivery = false,
    ) => {
      const status = to.deliver("pull_request", payload, { deliveryId: id }).then((d) => d.status);
      deliveries.push({ pr, id, redelivery, status });
      return { id, status };
    };

    // Ten pull requests of one event each, every one redelivered to the other replica: 20.
    const singles: { pr: number; head: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const branch = `single-${i}`;
      const head = gh.commit(
        REPO,
        branch,
        { [`integrations/${branch}.yaml`]: integrationYaml(branch, spec(10 + i)) },
        { author: "alice" },
      );
      const pr = gh.openPullRequest(REPO, { head: branch, author: "alice" });
      singles.push({ pr, head });
    }
    // Six pull requests of four events each (opened, three pushes), the second one redelivered:
    // 30. Each event is sent once the one before it was acknowledged, as GitHub sends a pull
    // request's events; the branch moves on in between. Every head but the last breaks the
    // policy, so the final check says which head it saw.
    const multiPrs = Array.from({ length: 6 }, (_, m) => m);
    const heads = new Map<number, string[]>();
    const multi = async (m: number) => {
      const branch = `multi-${m}`;
      const seen: string[] = [];
      let pr = 0;
      for (let k = 0; k < 4; k++) {
        const last = k === 3;
        const head = gh.commit(
          REPO,
          branch,
          {
            [`integrations/${branch}.yaml`]: integrationYaml(
              branch,
              last ? spec(30 + m) : { network: { allow: ["0.0.0.0/0"] } },
            ),
          },
          { author: "bob", message: `${branch} step ${k}` },
        );
        seen.push(head);
        if (k === 0) pr = gh.openPullRequest(REPO, { head: branch, author: "bob" });
        const payload = pullRequestEvent(
          gh,
          REPO,
          pr,
          k === 0 ? "opened" : "synchronize",
          k === 0 ? {} : { before: seen[k - 1]! },
        );
        const [to, redeliverTo] = other(m + k);
        const sent = send(pr, to, payload);
        if (k === 1) send(pr, redeliverTo, payload, sent.id, true);
        await sent.status;
      }
      heads.set(pr, seen);
    };
    const burst = [
      ...singles.map(({ pr }, i) => {
        const payload = pullRequestEvent(gh, REPO, pr, "opened");
        const [to, redeliverTo] = other(i);
        const sent = send(pr, to, payload);
        send(pr, redeliverTo, payload, sent.id, true);
        return sent.status;
      }),
      ...multiPrs.map(multi),
    ];
    await Promise.all(burst);
    const statuses = await Promise.all(deliveries.map((d) => d.status));
    expect(deliveries).toHaveLength(50);
    expect(statuses.every((st) => st === 202)).toBe(true);

    // Done when every delivery's job has ended on one replica or the other (its log line). GitHub
    // writes are spaced by Probot's throttling, shared by the replicas through Redis: a minute
    // or more for this burst.
    const distinct = new Set(deliveries.filter((d) => !d.redelivery).map((d) => d.id));
    expect(distinct.size).toBe(34);
    const ended = () =>
      s.replicas
        .flatMap((r) => r.jobLines())
        .filter((l) => l.outcome !== "duplicate" && typeof l.delivery === "string");
    await until(
      "every delivery's job to end",
      () => {
        const seen = new Set(ended().map((l) => String(l.delivery)));
        return [...distinct].every((id) => seen.has(id));
      },
      300_000,
    );
    await settled(gh, org, 3000, 120_000);
    const policyRuns = (sha: string) => gh.checkRuns(REPO, sha).filter((c) => c.name === POLICY);

    // None twice: a pull request of one delivery (and its redelivery) was checked once.
    for (const { pr, head } of singles) {
      const runs = policyRuns(head);
      expect(runs, `#${pr}`).toHaveLength(1);
      expect(runs[0], `#${pr}`).toMatchObject({ status: "completed", conclusion: "success" });
    }
    // In order: each pull request's last check is of its last head, which passes; nothing is
    // left in progress; no more checks than distinct deliveries.
    for (const [pr, hs] of heads) {
      const runs = hs.flatMap((h) => policyRuns(h));
      expect(
        runs.filter((c) => c.status !== "completed"),
        `#${pr}`,
      ).toEqual([]);
      const latest = runs.reduce((a, b) => (b.id > a.id ? b : a));
      expect(latest.headSha, `#${pr}: the last check is of the last head`).toBe(hs[3]);
      expect(latest.conclusion, `#${pr}`).toBe("success");
      expect(runs.length, `#${pr}`).toBeLessThanOrEqual(4);
    }
    // Each delivery's work ended once, across both replicas (its job line); a redelivery never
    // ran as a job of its own.
    const perDelivery = new Map<string, number>();
    for (const l of ended()) {
      const id = String(l.delivery);
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    }
    // Each redelivery was told apart as one (not done again).
    const duplicates = s.replicas
      .flatMap((r) => r.jobLines())
      .filter((l) => l.outcome === "duplicate");
    expect(duplicates).toHaveLength(16);
    for (const id of distinct) expect(perDelivery.get(id) ?? 0, `delivery ${id}`).toBe(1);
    expect(perDelivery.size).toBe(34);
  }, 420_000);

  it("two replicas checking drift at once stay under the bot's rate share: no 429 at a realistic limit", async () => {
    // Two repositories, one per replica, so that both drift checks run at the same time (the
    // schedule of one repository runs once across replicas); each holds 15 integrations, of
    // which Okta lacks one (drift to report).
    const repos = ["acme/okta-east", "acme/okta-west"];
    const names = (r: number) => Array.from({ length: 15 }, (_, i) => `drift-${r}-${i}`);
    gh = await startLocalGitHub();
    org = await startOrg();
    const setup = new Repo();
    try {
      repos.forEach((_, r) =>
        names(r)
          .slice(1)
          .forEach((n, i) => setup.writeDoc(serviceApp(n, spec(100 * r + i + 1)))),
      );
      const io = testIo(setup.dir, envFor(org));
      expect(await runApply(["--yes"], io), io.err).toBe(0);
    } finally {
      setup.cleanup();
    }
    repos.forEach((full, r) => {
      gh.createRepo(full);
      const files: Record<string, string> = {};
      names(r).forEach(
        (n, i) => (files[`integrations/${n}.yaml`] = integrationYaml(n, spec(100 * r + i))),
      );
      gh.commit(full, "main", files);
    });
    // Okta's shape of limits: a bucket per endpoint family, of which the bot's principal may use
    // half, and a cap on concurrent requests; the window is ten seconds instead of a minute so that
    // the test waits for a reset in seconds.
    org.setRateLimits({ perMinute: 60, windowMs: 10_000, concurrency: 75 });
    org.resetCounters();
    const started = Date.now();
    set = await startReplicas({
      github: gh,
      org,
      redisUrl: redis.url,
      prefix: redis.prefix(),
      count: 2,
      repository: (i) => repos[i]!,
    });
    const s = set;

    // The schedule's first check, a minute after start, opens each repository's drift issue.
    const driftIssue = (full: string) =>
      gh.issues(full).some((i) => (i.body ?? "").includes("okta-gitops:drift"));
    await until("both drift checks to report", () => repos.every(driftIssue), 240_000);
    await settled(gh, org);
    expect(Date.now() - started).toBeGreaterThan(55_000);
    for (const [r, full] of repos.entries()) {
      const issue = gh.issues(full).find((i) => (i.body ?? "").includes("okta-gitops:drift"))!;
      expect(issue.body, full).toContain(names(r)[0]);
    }
    expect(throttled(), s.output()).toBe(0);
    // The limit bit: together they made more app reads than one window's share allows.
    const appReads = Object.entries(org.counters())
      .filter(([k]) => k.startsWith("GET /api/v1/apps"))
      .reduce((n, [, c]) => n + c.calls, 0);
    expect(appReads).toBeGreaterThan(30);
  }, 300_000);
});
