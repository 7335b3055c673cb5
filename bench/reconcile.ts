// `npm run bench -- reconcile [--json] [--integrations N]`: the reconciler against the local org
// with Okta's published per-endpoint rate limits of a Workforce Identity org (WORKFORCE_PER_MINUTE,
// of which the bot may use its default 50%) and 20 ms of latency per request, through the CLI's
// own entry points.
//   drift_calls_per_integration  Okta calls of a full drift check / integrations   (target <= 2.1)
//   plan_calls_1_of_1000 / _5000 calls of a pull request's plan that changes one integration,
//                                among 1,000 and among 5,000                      (target: equal)
//   responses_429                429 answers during the measured runs                (target 0)
//   drift_time_over_bound        the drift check's wall time / the least time Okta's limits allow
//                                for its calls: the largest, over buckets, of the time that bucket
//                                needs at the bot's share. Okta (and the local org) count fixed
//                                one-minute windows, so a bucket of c calls with q allowed per
//                                window needs ceil(c / q) windows: the run's first window is
//                                already partly gone when it starts, and its last ends with its
//                                last call, so the least time is (ceil(c / q) - 1) minutes less
//                                what had passed of the first. >= 1 by construction (faster would
//                                break a limit); target <= 1.15
//   drift_time_over_rate         the same wall time / (c / the bucket's per-second rate): the
//                                plain calls-over-rate figure, for reference (it can fall under 1
//                                by up to one window's worth, the quota of the first window)
//   noop_apply_writes            writes of an apply with nothing to do                (target 0)
// The integrations are applied over HTTP beforehand with the limits lifted (setup, not measured).
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { startLocalOrg, type Family, type LocalOrg } from "../src/local-org/index.js";
import { familyOf } from "../src/local-org/ratelimit.js";
import { runApply } from "../src/cli/commands/apply.js";
import { runDrift } from "../src/cli/commands/drift.js";
import { runPlan } from "../src/cli/commands/plan.js";
import { envFor, Repo, testIo } from "../test/reconcile/harness.js";

/**
 * Okta's per-minute limits of a Workforce Identity org, by the local org's buckets, from Okta's
 * rate-limit reference pages:
 * - Management rate limits (https://developer.okta.com/docs/reference/rl-global-mgmt/), column
 *   "Workforce identity": `/api/v1/apps` and every `/api/v1/apps/*` (lists, grants) 100;
 *   `/oauth2/v1/clients` (client role assignments) 100; create or list groups (`/api/v1/groups`
 *   except `/api/v1/groups/{id}`, which is 1,000) 500: the bot lists the group and its members;
 *   create or list users and update a user by id 600 (a GET of one user by id is 2,000; the
 *   bucket takes the lower figure, as it also carries `/api/v1/users/{id}/roles`); "most other API
 *   actions" (`/api/v1`: iam, zones, api-tokens, policies, principal-rate-limits) 1,200.
 * - Authentication/End-user rate limits (https://developer.okta.com/docs/reference/rl-global-enduser/):
 *   the OAuth 2.0 rows of a Workforce org are 2,000; the org authorization server's token endpoint
 *   is taken at that figure (a run asks for one or two tokens, so it never sets the bound).
 */
export const WORKFORCE_PER_MINUTE: Record<Family, number> = {
  token: 2000,
  apps: 100,
  clients: 100,
  iam: 1200,
  zones: 1200,
  apiTokens: 1200,
  users: 600,
  groups: 500,
  policies: 1200,
  principalRateLimits: 1200,
  default: 1200,
};
/** The bot's app has no principal rate limit of its own here: Okta's default share, 50%. */
const BOT_SHARE = 0.5;
const LATENCY_MS = 20;
const SETUP = { perMinute: 1_000_000, concurrency: 1000 };

interface Measured {
  calls: number;
  /** Calls by the local org's rate-limit bucket. */
  byBucket: Partial<Record<Family, number>>;
  writes: number;
  throttled: number;
  ms: number;
  /** When the run started, by the wall clock the local org counts its windows with. */
  startedAt: number;
  code: number;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: "boolean" }, integrations: { type: "string", default: "1000" } },
  });
  const count = Number(values.integrations);
  const say = (s: string) => process.stdout.write(s + "\n");
  const org = await startLocalOrg({ rateLimits: SETUP, log: { max: 100 } });
  const repo = new Repo();
  try {
    const name = (i: number) => `svc-${String(i).padStart(5, "0")}`;
    const write = (from: number, to: number) => {
      for (let i = from; i < to; i++)
        repo.write(name(i), { role: { standard: "READ_ONLY_ADMIN" } });
    };
    const cmd = async (fn: typeof runApply, args: string[]): Promise<Measured> => {
      org.resetCounters();
      const io = testIo(repo.dir, envFor(org));
      const startedAt = Date.now();
      const t = performance.now();
      const code = await fn(args, io);
      const ms = performance.now() - t;
      if (code === 1) throw new Error(`${args.join(" ")}: ${io.err}${io.out.slice(-500)}`);
      let calls = 0;
      let writes = 0;
      let throttled = 0;
      const byBucket: Partial<Record<Family, number>> = {};
      for (const [key, c] of Object.entries(org.counters())) {
        calls += c.calls;
        const family = familyOf(key.slice(key.indexOf(" ") + 1));
        byBucket[family] = (byBucket[family] ?? 0) + c.calls;
        throttled += c.rateLimited;
        if (!key.startsWith("GET ") && !key.includes("/oauth2/v1/token")) writes += c.calls;
      }
      return { calls, byBucket, writes, throttled, ms, startedAt, code };
    };
    const realistic = () => {
      org.setRateLimits({ perMinute: WORKFORCE_PER_MINUTE });
      org.setFaults({ latencyMs: LATENCY_MS });
    };
    const setup = () => {
      org.setRateLimits(SETUP);
      org.setFaults({});
    };

    write(0, count);
    let t = performance.now();
    const seeded = await cmd(runApply, ["--yes"]);
    say(
      `setup: applied ${count} integrations over HTTP in ${((performance.now() - t) / 1000).toFixed(1)} s (${seeded.writes} writes)`,
    );

    // A full drift check, then an apply with nothing to do, at the realistic limit.
    realistic();
    const drift = await cmd(runDrift, []);
    if (drift.code !== 0) throw new Error("drift found differences right after apply");
    const { seconds: boundS, bucket } = bound(drift.byBucket, drift.startedAt);
    const { seconds: rateS } = rateBound(drift.byBucket);
    say(
      `drift check: ${drift.calls} calls (${(drift.calls / count).toFixed(3)} per integration) in ${(drift.ms / 1000).toFixed(1)} s; bound ${boundS.toFixed(1)} s, set by the ${bucket} bucket (${drift.byBucket[bucket]} calls at ${(WORKFORCE_PER_MINUTE[bucket] * BOT_SHARE) / 60} requests/s)`,
    );
    const noop = await cmd(runApply, ["--yes"]);
    say(`apply with nothing to do: ${noop.calls} calls, ${noop.writes} writes`);

    // A pull request changing one integration among `count`.
    const changed = name(Math.floor(count / 2));
    repo.write(changed, {
      role: { standard: "READ_ONLY_ADMIN" },
      scopes: ["okta.users.read", "okta.groups.read", "okta.apps.read"],
    });
    const plan1 = await cmd(runPlan, ["--only", changed]);
    say(`plan of 1 changed integration among ${count}: ${plan1.calls} calls (exit ${plan1.code})`);

    // The same among five times as many.
    setup();
    write(count, count * 5);
    repo.write(changed, { role: { standard: "READ_ONLY_ADMIN" } });
    t = performance.now();
    await cmd(runApply, ["--yes"]);
    say(
      `setup: applied ${count * 4} more integrations in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    realistic();
    await sleep(10);
    repo.write(changed, {
      role: { standard: "READ_ONLY_ADMIN" },
      scopes: ["okta.users.read", "okta.groups.read", "okta.apps.read"],
    });
    const plan5 = await cmd(runPlan, ["--only", changed]);
    say(
      `plan of 1 changed integration among ${count * 5}: ${plan5.calls} calls (exit ${plan5.code})`,
    );

    const result = {
      drift_calls_per_integration: round(drift.calls / count),
      plan_calls_1_of_1000: plan1.calls,
      plan_calls_1_of_5000: plan5.calls,
      responses_429: drift.throttled + noop.throttled + plan1.throttled + plan5.throttled,
      // No bound when every bucket's calls fit in the first window's quota (a small run).
      drift_time_over_bound: boundS > 0 ? round(drift.ms / 1000 / boundS) : null,
      drift_time_over_rate: round(drift.ms / 1000 / rateS),
      noop_apply_writes: noop.writes,
    };
    say(
      `429 answers: ${result.responses_429}; drift time / bound: ${result.drift_time_over_bound}`,
    );
    if (values.json) say(JSON.stringify(result));
  } finally {
    await closeQuietly(org);
    repo.cleanup();
  }
}

const WINDOW_S = 60;

/** The least time Okta's limits allow for these calls, started at `startedAt` (epoch ms): each
 * bucket allows q = its limit at the bot's share per fixed one-minute window (as the local org and
 * Okta count), so c calls need ceil(c / q) windows, the first of them already partly gone; the
 * buckets drain in parallel, so the slowest sets it. */
export function bound(
  byBucket: Partial<Record<Family, number>>,
  startedAt: number,
): { seconds: number; bucket: Family } {
  const gone = (startedAt / 1000) % WINDOW_S;
  return slowest(byBucket, (family, calls) => {
    const perWindow = Math.max(1, Math.floor(WORKFORCE_PER_MINUTE[family] * BOT_SHARE));
    return Math.max(0, (Math.ceil(calls / perWindow) - 1) * WINDOW_S - gone);
  });
}

/** Calls over rate: each bucket drained at its per-second rate at the bot's share. */
export function rateBound(byBucket: Partial<Record<Family, number>>): {
  seconds: number;
  bucket: Family;
} {
  return slowest(
    byBucket,
    (family, calls) => calls / ((WORKFORCE_PER_MINUTE[family] * BOT_SHARE) / WINDOW_S),
  );
}

function slowest(
  byBucket: Partial<Record<Family, number>>,
  seconds: (family: Family, calls: number) => number,
): { seconds: number; bucket: Family } {
  let worst: { seconds: number; bucket: Family } = { seconds: 0, bucket: "default" };
  for (const [family, calls] of Object.entries(byBucket) as [Family, number][]) {
    const s = seconds(family, calls);
    if (s > worst.seconds) worst = { seconds: s, bucket: family };
  }
  return worst;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

async function closeQuietly(org: LocalOrg): Promise<void> {
  await org.close().catch(() => undefined);
}
