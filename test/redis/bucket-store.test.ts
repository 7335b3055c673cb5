// The Okta rate budget shared in Redis: two connections of the bot (as two replicas would hold)
// against one local org with Okta's kind of limit stay clear of 429 when they share a
// RedisBucketStore, where two memory pacers under the same load run into it; a killed replica's
// place in the budget is freed by its ticket's deadline; and the Redis store follows the memory
// store's rules step by step.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectOkta } from "../../src/okta/adapter.js";
import {
  MemoryBucketStore,
  type BucketStore,
  type PacerEvent,
  type RateHeaders,
} from "../../src/okta/pacer.js";
import { oktaSettingsFromEnv } from "../../src/okta/settings.js";
import { RedisBucketStore, TICKET_MS } from "../../src/redis/bucket-store.js";
import type { LocalOrg } from "../../src/local-org/index.js";
import { envFor, startOrg } from "../reconcile/harness.js";
import { REDIS_AVAILABLE, startRedis, type TestRedis } from "../support/redis.js";

let redis: TestRedis;
let org: LocalOrg | undefined;

/** Okta's shape of limit: the org's per window, of which the bot (a principal) may use half (50%
 * is Okta's default principal rate limit); the window shortened from a minute to 2 s so that the
 * load spans several windows quickly. */
const LIMITS = { perMinute: { zones: 40 }, windowMs: 2000 };
const BOT_LIMIT = 20;
/** Requests each connection makes at once (its transport keeps 8 in flight). */
const PER_CONNECTION = 30;

/** Two connections of the bot, each with its own store (or the same shared one), read zones at
 * once; what the org answered the bot, and what the pacers reported. */
async function burst(
  stores: [BucketStore | undefined, BucketStore | undefined],
  { rateShare = 1, perConnection = PER_CONNECTION } = {},
) {
  org = await startOrg({ rateLimits: LIMITS });
  const settings = oktaSettingsFromEnv(envFor(org))!;
  const events: PacerEvent[] = [];
  // What every answer said remained of the bot's limit (read off the headers the pacers see).
  const remaining: number[] = [];
  const connections = [];
  for (const store of stores) {
    const inner = store ?? new MemoryBucketStore();
    const seen: BucketStore = {
      take: (...a) => inner.take(...a),
      give: (bucket, headers, ...rest) => {
        const left = Number(headers?.get("x-rate-limit-remaining") ?? Number.NaN);
        if (bucket === "zones" && Number.isFinite(left)) remaining.push(left);
        return inner.give(bucket, headers, ...rest);
      },
    };
    connections.push(
      await connectOkta(settings, { rateShare, store: seen, observe: (e) => events.push(e) }),
    );
  }
  await Promise.all(
    connections.flatMap((c) =>
      Array.from({ length: perConnection }, () => c.adapter.call("GET", "/api/v1/zones")),
    ),
  );
  const answers = org
    .requests()
    .filter((r) => r.principal === org!.credentials.clientId && r.template === "/api/v1/zones");
  return {
    remaining,
    statuses: answers.map((r) => r.status),
    throttled: connections.reduce((n, c) => n + c.pacer.throttled, 0),
    events,
  };
}

function count<T>(items: T[], pick: (t: T) => boolean): number {
  return items.filter(pick).length;
}

describe.skipIf(!REDIS_AVAILABLE)("an Okta rate budget shared in Redis", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(async () => {
    await org?.close();
    org = undefined;
  });

  it("two memory pacers under the load run into 429 (the control: each counts only its own requests)", async () => {
    const { statuses, throttled, events } = await burst([undefined, undefined]);
    const n429 = count(statuses, (s) => s === 429);
    expect(n429).toBeGreaterThan(0);
    expect(count(statuses, (s) => s === 200)).toBe(2 * PER_CONNECTION);
    // The pacers' events tell what the org saw: one request event per request sent, one
    // throttled event per 429.
    expect(throttled).toBe(n429);
    expect(count(events, (e) => e.type === "throttled" && e.bucket === "zones")).toBe(n429);
    expect(count(events, (e) => e.type === "request" && e.bucket === "zones")).toBe(
      statuses.length,
    );
  }, 60_000);

  it("two connections sharing one Redis stay at 0 × 429 and within the bot's limit per window", async () => {
    const prefix = redis.prefix();
    const a = new RedisBucketStore(redis.client(), prefix, "http://org.example");
    const b = new RedisBucketStore(redis.client(), prefix, "http://org.example");
    const started = Date.now();
    const { statuses, throttled, events } = await burst([a, b]);
    expect(count(statuses, (s) => s === 429)).toBe(0);
    expect(throttled).toBe(0);
    expect(statuses).toHaveLength(2 * PER_CONNECTION);
    // 60 requests at 20 per window: they waited for resets (at least two) instead.
    expect(Date.now() - started).toBeGreaterThanOrEqual(
      ((2 * PER_CONNECTION) / BOT_LIMIT - 1) * 1000,
    );
    const waits = events.filter((e) => e.type === "wait");
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((e) => e.bucket === "zones" && (e.waitMs ?? 0) > 0)).toBe(true);
    // Nothing is left in flight once every request was answered.
    const c = redis.client();
    const keys = await c.keys(`${prefix}:*in-flight`);
    for (const key of keys) expect(await c.zcard(key)).toBe(0);
  }, 60_000);

  it("with a share of half the bot's limit, two sharing Redis never reach into the other half, where two memory pacers do", async () => {
    const reserve = BOT_LIMIT / 2;
    const memory = await burst([undefined, undefined], { rateShare: 0.5, perConnection: 15 });
    await org!.close();
    expect(Math.min(...memory.remaining)).toBeLessThan(reserve);
    const prefix = redis.prefix();
    const shared = await burst(
      [
        new RedisBucketStore(redis.client(), prefix, "http://org.example"),
        new RedisBucketStore(redis.client(), prefix, "http://org.example"),
      ],
      { rateShare: 0.5, perConnection: 15 },
    );
    expect(shared.statuses).toHaveLength(30);
    expect(shared.remaining).toHaveLength(30);
    expect(Math.min(...shared.remaining)).toBeGreaterThanOrEqual(reserve);
    expect(shared.throttled).toBe(0);
  }, 90_000);

  it("a replica killed mid-request holds its place only until its ticket's deadline", async () => {
    const prefix = redis.prefix();
    const now = 1_000_000_000_000;
    const dead = new RedisBucketStore(redis.client(), prefix, "https://acme.okta.com");
    const alive = new RedisBucketStore(redis.client(), prefix, "https://acme.okta.com");
    // The bucket is known: 2 remain of 10 until a reset an hour away.
    expect(await alive.take("apps", 1, now)).toEqual({ ok: true });
    await alive.give("apps", rate(10, 2, now + 3_600_000), false, now);
    // The replica that dies takes both places and never answers.
    expect(await dead.take("apps", 1, now)).toEqual({ ok: true });
    expect(await dead.take("apps", 1, now)).toEqual({ ok: true });
    expect((await alive.take("apps", 1, now + TICKET_MS - 1)).ok).toBe(false);
    // Past the deadline its tickets no longer count.
    expect(await alive.take("apps", 1, now + TICKET_MS + 1)).toEqual({ ok: true });
    expect(await alive.take("apps", 1, now + TICKET_MS + 1)).toEqual({ ok: true });
    expect((await alive.take("apps", 1, now + TICKET_MS + 1)).ok).toBe(false);
  });

  it("a replica's give ends its own request, not another's", async () => {
    const prefix = redis.prefix();
    const now = 1_000_000_000_000;
    const a = new RedisBucketStore(redis.client(), prefix, "https://acme.okta.com");
    const b = new RedisBucketStore(redis.client(), prefix, "https://acme.okta.com");
    expect(await a.take("apps", 1, now)).toEqual({ ok: true });
    await a.give("apps", rate(10, 1, now + 3_600_000), false, now);
    expect(await a.take("apps", 1, now)).toEqual({ ok: true });
    // b never took a place: its give (an answer to a request it did not pace, such as the
    // token's) records the headers but frees nothing.
    await b.give("apps", rate(10, 1, now + 3_600_000), false, now);
    expect((await b.take("apps", 1, now)).ok).toBe(false);
    await a.give("apps", rate(10, 1, now + 3_600_000), false, now);
    expect(await b.take("apps", 1, now)).toEqual({ ok: true });
  });

  it("follows the memory store's rules step by step", async () => {
    const memory = new MemoryBucketStore();
    const shared = new RedisBucketStore(redis.client(), redis.prefix(), "https://acme.okta.com");
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let now = 1_000_000_000_000;
    let window = now + 60_000;
    let remaining = 10;
    const inFlight = { apps: 0, zones: 0 };
    const trace: string[][] = [[], []];
    for (let step = 0; step < 400; step++) {
      const bucket = random() < 0.7 ? "apps" : "zones";
      const share = [1, 0.5, 0.25][step % 3]!;
      now += Math.floor(random() * 3000);
      if (now >= window) {
        window += 60_000;
        remaining = 10;
      }
      const roll = random();
      if (inFlight[bucket] && roll < 0.5) {
        inFlight[bucket]--;
        remaining = Math.max(0, remaining - 1);
        const throttled = roll < 0.05;
        const headers =
          roll < 0.1 ? undefined : rate(10, remaining, roll < 0.15 ? window - 60_000 : window);
        await memory.give(bucket, headers, throttled, now);
        await shared.give(bucket, headers, throttled, now);
        continue;
      }
      const m = await memory.take(bucket, share, now);
      const r = await shared.take(bucket, share, now);
      trace[0]!.push(`${step} ${bucket} ${JSON.stringify(m)}`);
      trace[1]!.push(`${step} ${bucket} ${JSON.stringify(r)}`);
      if (m.ok) inFlight[bucket]++;
    }
    expect(trace[1]).toEqual(trace[0]);
    // The sequence went through both answers: not a run of refusals or of grants only.
    expect(trace[0]!.some((t) => t.includes('"ok":true'))).toBe(true);
    expect(trace[0]!.some((t) => t.includes('"ok":false'))).toBe(true);
  });
});

function rate(limit: number, remaining: number, resetAtMs: number): RateHeaders {
  const h: Record<string, string> = {
    "x-rate-limit-limit": String(limit),
    "x-rate-limit-remaining": String(remaining),
    "x-rate-limit-reset": String(Math.ceil(resetAtMs / 1000)),
  };
  return { get: (name) => h[name.toLowerCase()] ?? null };
}
