// `npm run bench -- reconcile [--json] [--integrations N]`: the reconciler against the local org
// with a realistic rate limit (6,000 requests a minute per bucket, of which the bot may use its
// default 50%) and 20 ms of latency per request, through the CLI's own entry points.
//   drift_calls_per_integration  Okta calls of a full drift check / integrations   (target <= 2.1)
//   plan_calls_1_of_1000 / _5000 calls of a pull request's plan that changes one integration,
//                                among 1,000 and among 5,000                      (target: equal)
//   responses_429                429 answers during the measured runs                (target 0)
//   drift_time_over_bound        the drift check's wall time / (its calls / allowed rate) (<= 1.2)
//   noop_apply_writes            writes of an apply with nothing to do                (target 0)
// The integrations are applied over HTTP beforehand with the limits lifted (setup, not measured).
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { startLocalOrg, type LocalOrg } from "../src/local-org/index.js";
import { runApply } from "../src/cli/commands/apply.js";
import { runDrift } from "../src/cli/commands/drift.js";
import { runPlan } from "../src/cli/commands/plan.js";
import { envFor, Repo, testIo } from "../test/reconcile/harness.js";

const PER_MINUTE = 6000;
const BOT_SHARE = 0.5;
const LATENCY_MS = 20;
const SETUP = { perMinute: 1_000_000, concurrency: 1000 };

interface Measured {
  calls: number;
  writes: number;
  throttled: number;
  ms: number;
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
      const t = performance.now();
      const code = await fn(args, io);
      const ms = performance.now() - t;
      if (code === 1) throw new Error(`${args.join(" ")}: ${io.err}${io.out.slice(-500)}`);
      let calls = 0;
      let writes = 0;
      let throttled = 0;
      for (const [key, c] of Object.entries(org.counters())) {
        calls += c.calls;
        throttled += c.rateLimited;
        if (!key.startsWith("GET ") && !key.includes("/oauth2/v1/token")) writes += c.calls;
      }
      return { calls, writes, throttled, ms, code };
    };
    const realistic = () => {
      org.setRateLimits({ perMinute: PER_MINUTE });
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
    const allowedPerSecond = (PER_MINUTE * BOT_SHARE) / 60;
    const boundS = drift.calls / allowedPerSecond;
    say(
      `drift check: ${drift.calls} calls (${(drift.calls / count).toFixed(3)} per integration) in ${(drift.ms / 1000).toFixed(1)} s; bound ${boundS.toFixed(1)} s at ${allowedPerSecond} requests/s`,
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
      drift_time_over_bound: round(drift.ms / 1000 / boundS),
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

const round = (x: number) => Math.round(x * 1000) / 1000;

async function closeQuietly(org: LocalOrg): Promise<void> {
  await org.close().catch(() => undefined);
}
