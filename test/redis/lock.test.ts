// The lock per Okta org in Redis, between "replicas" (each with its own Redis connection): it
// excludes, a second acquire waits (bounded) and gets it once released, a holder that stops
// renewing (its process died: its connection is gone) loses it after one lease while a live holder
// keeps it past many, and a holder that stalled past its lease never removes its successor's lock.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockHeldError } from "../../src/okta/lock.js";
import { RedisLock } from "../../src/redis/lock.js";
import { REDIS_AVAILABLE, startRedis, type TestRedis } from "../support/redis.js";
import { relay } from "./relay.js";

let redis: TestRedis;
const ORG = "https://acme.okta.com";

describe.skipIf(!REDIS_AVAILABLE)("the lock per Okta org in Redis", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it("excludes a second holder, and says who holds it after a bounded wait", async () => {
    const prefix = redis.prefix();
    const first = new RedisLock(redis.client(), prefix, ORG, { holder: "replica-a" });
    await first.acquire();
    expect(first.key).toBe(`${prefix}:lock:acme.okta.com`);
    const second = new RedisLock(redis.client(), prefix, ORG, {
      holder: "replica-b",
      waitMs: 300,
      pollMs: 50,
    });
    const started = Date.now();
    const refused = await second.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as Error).message).toMatch(
      new RegExp(`another apply holds the lock ${prefix}:lock:acme.okta.com \\(replica-a since `),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // Another org is another lock.
    const elsewhere = new RedisLock(redis.client(), prefix, "https://other.okta.com", {
      waitMs: 0,
    });
    await elsewhere.acquire();
    await elsewhere.release();
    await first.release();
    expect(await redis.client().exists(first.key)).toBe(0);
  });

  it("a waiting acquire gets the lock as soon as the holder releases it", async () => {
    const prefix = redis.prefix();
    const first = new RedisLock(redis.client(), prefix, ORG);
    await first.acquire();
    const second = new RedisLock(redis.client(), prefix, ORG, { waitMs: 10_000, pollMs: 50 });
    const started = Date.now();
    let took = 0;
    const waiting = second.acquire().then(() => (took = Date.now() - started));
    await new Promise((r) => setTimeout(r, 400));
    expect(took).toBe(0);
    await first.release();
    await waiting;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(3000);
    await second.release();
  });

  it("a live holder keeps renewing past its lease; a dead one's lock expires after one lease", async () => {
    const prefix = redis.prefix();
    const holderConnection = redis.client();
    const holder = new RedisLock(holderConnection, prefix, ORG, { leaseMs: 300, holder: "a" });
    await holder.acquire();
    // Four leases later it still holds.
    await new Promise((r) => setTimeout(r, 1200));
    const probe = new RedisLock(redis.client(), prefix, ORG, { waitMs: 0 });
    await expect(probe.acquire()).rejects.toThrow(/\(a since /);
    expect(holder.lost).toBe(false);
    // The holder's process dies: its connection goes, nothing renews or releases the lock.
    holderConnection.disconnect();
    const next = new RedisLock(redis.client(), prefix, ORG, { waitMs: 5000, pollMs: 20 });
    const started = Date.now();
    await next.acquire();
    expect(Date.now() - started).toBeLessThan(300 + 500);
    await next.release();
  });

  it("a release Redis does not answer neither hangs nor fails the apply; the lease ends the lock", async () => {
    const prefix = redis.prefix();
    const link = await relay(redis.url);
    try {
      const connection = new Redis(link.url, { maxRetriesPerRequest: null });
      connection.on("error", () => undefined);
      const lock = new RedisLock(connection, prefix, ORG, { leaseMs: 500, answerMs: 200 });
      await lock.acquire();
      link.stall();
      const started = Date.now();
      await lock.release();
      expect(Date.now() - started).toBeLessThan(1500);
      connection.disconnect();
      const next = new RedisLock(redis.client(), prefix, ORG, { waitMs: 5000, pollMs: 20 });
      await next.acquire();
      await next.release();
    } finally {
      await link.close();
    }
  });

  it("a holder that stalled past its lease never deletes or renews its successor's lock", async () => {
    const prefix = redis.prefix();
    const stalledConnection = redis.client();
    const stalled = new RedisLock(stalledConnection, prefix, ORG, { leaseMs: 300 });
    await stalled.acquire();
    // Cut off from Redis (a pause, a partition): its renewals fail and the lease runs out.
    stalledConnection.disconnect();
    const successor = new RedisLock(redis.client(), prefix, ORG, {
      leaseMs: 5000,
      waitMs: 5000,
      pollMs: 20,
      holder: "successor",
    });
    await successor.acquire();
    // No renewal succeeded for a whole lease: it knows the lock may no longer be its own.
    expect(stalled.lost).toBe(true);
    const c = redis.client();
    const value = await c.get(successor.key);
    // It comes back: a renewal runs, then it releases what it believes it holds.
    await stalledConnection.connect();
    await new Promise((r) => setTimeout(r, 250));
    expect(stalled.lost).toBe(true);
    await stalled.release();
    expect(await c.get(successor.key)).toBe(value);
    expect(await c.pttl(successor.key)).toBeGreaterThan(300);
    await expect(new RedisLock(c, prefix, ORG, { waitMs: 0 }).acquire()).rejects.toThrow(
      /successor since/,
    );
    await successor.release();
    expect(await c.exists(successor.key)).toBe(0);
  });
});
