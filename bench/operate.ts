// `npm run bench -- operate [--json] [--deliveries 20]`: a burst of pull-request deliveries to the
// real `okta-gitops serve` (bin/okta-gitops.js over dist/: `npm run build` first), in child
// processes against the local GitHub and the local Okta org, spread round-robin over the replicas
// as a load balancer would; run with one replica in memory (no Redis, the default), one replica on
// Redis and two replicas on Redis, each time with a fresh GitHub, org and key prefix. Okta's limits
// are lifted (it is the App's own path that is measured, not the org's pacing).
//   <setup>_ack_p50_ms / _p95_ms    webhook sent -> HTTP 202 (the delivery acknowledged)
//   <setup>_done_p50_ms / _p95_ms   webhook sent -> its pull request's policy check completed
//   <setup>_burst_ms                first delivery sent -> last check completed
//   two_over_one_*                  two replicas over one replica, both on Redis
//   redis_over_memory_*             one replica on Redis over one in memory
// Bounded: at most 100 deliveries per setup, and three minutes for a burst's work.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startLocalOrg } from "../src/local-org/index.js";
import { serviceApp } from "../test/reconcile/fixtures.js";
import { stringify } from "yaml";
import { REDIS_AVAILABLE, startRedis, type TestRedis } from "../test/support/redis.js";
import { startLocalGitHub } from "../test/support/local-github/index.js";
import { pullRequestEvent } from "../test/support/local-github/webhooks.js";
import { startReplicas } from "../test/support/replicas.js";

const SETUP = { perMinute: 1_000_000, concurrency: 1000 };
const REPO = "acme/okta-access";
const POLICY = "okta-gitops/policy";
const BURST_MS = 180_000;
const MAX_DELIVERIES = 100;

interface Figures {
  ack: number[];
  done: number[];
  burstMs: number;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" },
      deliveries: { type: "string", default: "20" },
    },
  });
  const n = Math.min(MAX_DELIVERIES, Math.max(1, Math.floor(Number(values.deliveries)) || 20));
  const say = (s: string) => process.stdout.write(s + "\n");
  const dist = path.resolve(import.meta.dirname, "../dist/cli");
  if (!existsSync(dist)) {
    process.stderr.write("bench operate runs the built bin: `npm run build` first\n");
    process.exitCode = 2;
    return;
  }
  const result: Record<string, number | null> = { deliveries: n };
  const record = (name: string, f: Figures) => {
    result[`${name}_ack_p50_ms`] = round(pct(f.ack, 50));
    result[`${name}_ack_p95_ms`] = round(pct(f.ack, 95));
    result[`${name}_done_p50_ms`] = round(pct(f.done, 50));
    result[`${name}_done_p95_ms`] = round(pct(f.done, 95));
    result[`${name}_burst_ms`] = round(f.burstMs);
    say(
      `${name.padEnd(6)} ack p50 ${fmt(pct(f.ack, 50))} p95 ${fmt(pct(f.ack, 95))} | done p50 ${fmt(pct(f.done, 50))} p95 ${fmt(pct(f.done, 95))} | burst of ${n} done in ${fmt(f.burstMs)}`,
    );
  };

  say(`${n} pull-request deliveries in a burst, per setup (memory: one replica without Redis)`);
  record("memory", await measure(1, undefined, n));
  let redis: TestRedis | undefined;
  if (!REDIS_AVAILABLE) say("redis-server is not installed: the Redis setups are skipped");
  else {
    redis = await startRedis();
    try {
      const one = await measure(1, redis, n);
      record("one", one);
      const two = await measure(2, redis, n);
      record("two", two);
      const ratio = (a: number, b: number) => round(a / b, 3);
      for (const [k, a, b] of [
        ["ack_p50", pct(two.ack, 50), pct(one.ack, 50)],
        ["ack_p95", pct(two.ack, 95), pct(one.ack, 95)],
        ["done_p50", pct(two.done, 50), pct(one.done, 50)],
        ["done_p95", pct(two.done, 95), pct(one.done, 95)],
        ["burst", two.burstMs, one.burstMs],
      ] as const)
        result[`two_over_one_${k}`] = ratio(a, b);
      const memory = {
        ack: result.memory_ack_p50_ms!,
        done: result.memory_done_p50_ms!,
      };
      result.redis_over_memory_ack_p50 = ratio(pct(one.ack, 50), memory.ack);
      result.redis_over_memory_done_p50 = ratio(pct(one.done, 50), memory.done);
      say(
        `two / one replicas (Redis): ack p50 x${result.two_over_one_ack_p50} p95 x${result.two_over_one_ack_p95}, done p50 x${result.two_over_one_done_p50} p95 x${result.two_over_one_done_p95}, burst x${result.two_over_one_burst}`,
      );
      say(
        `one replica, Redis / memory: ack p50 x${result.redis_over_memory_ack_p50}, done p50 x${result.redis_over_memory_done_p50}`,
      );
    } finally {
      await redis.close();
    }
  }
  if (values.json) say(JSON.stringify(result));
}

async function measure(count: number, redis: TestRedis | undefined, n: number): Promise<Figures> {
  const gh = await startLocalGitHub();
  const org = await startLocalOrg({ rateLimits: SETUP, log: { max: 100 } });
  const set = await startReplicas({
    github: gh,
    org,
    count,
    repository: REPO,
    ...(redis ? { redisUrl: redis.url, prefix: redis.prefix() } : {}),
  });
  try {
    gh.createRepo(REPO);
    gh.commit(REPO, "main", { "integrations/hr-sync.yaml": yaml("hr-sync", 0) });
    // One pull request per delivery, each adding its own integration; the first `count` warm the
    // replicas up (installation token, modules, connections) and are not measured.
    const prs = Array.from({ length: n + count }, (_, i) => {
      const name = `svc-${i}`;
      const head = gh.commit(
        REPO,
        name,
        { [`integrations/${name}.yaml`]: yaml(name, i + 1) },
        { author: "erin" },
      );
      return { number: gh.openPullRequest(REPO, { head: name, author: "erin" }), head };
    });
    const completed = (head: string) =>
      gh.checkRuns(REPO, head).some((c) => c.name === POLICY && c.status === "completed");
    const warm = prs.slice(0, count);
    await Promise.all(
      warm.map(async (pr, i) => {
        const d = await set.replicas[i]!.deliver(
          "pull_request",
          pullRequestEvent(gh, REPO, pr.number, "opened"),
        );
        if (d.status !== 202) throw new Error(`warm-up delivery answered ${d.status}`);
      }),
    );
    await waitFor(() => warm.every((pr) => completed(pr.head)), "the warm-up checks");

    const measured = prs.slice(count);
    const payloads = measured.map((pr) => pullRequestEvent(gh, REPO, pr.number, "opened"));
    const ack: number[] = [];
    const done = new Map<string, number>();
    const start = performance.now();
    const sent = measured.map((pr, i) => {
      const t0 = performance.now();
      return set.replicas[i % count]!.deliver("pull_request", payloads[i]!).then((d) => {
        if (d.status !== 202) throw new Error(`a delivery answered ${d.status}`);
        ack.push(performance.now() - t0);
        return t0;
      });
    });
    const sentAt = await Promise.all(sent);
    // Polled in this process, where the local GitHub runs too.
    await waitFor(() => {
      measured.forEach((pr, i) => {
        if (!done.has(pr.head) && completed(pr.head))
          done.set(pr.head, performance.now() - sentAt[i]!);
      });
      return done.size === measured.length;
    }, "the burst's checks");
    return { ack, done: [...done.values()], burstMs: performance.now() - start };
  } finally {
    await set.close();
    await org.close();
    await gh.close();
  }
}

function yaml(name: string, i: number): string {
  return stringify(
    serviceApp(name, {
      network: { allow: [`198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}/32`] },
    }),
  );
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const end = performance.now() + BURST_MS;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`${what} did not finish within ${BURST_MS} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The p-th percentile (nearest rank). */
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function fmt(ms: number): string {
  return `${ms.toFixed(0)} ms`.padStart(8);
}
