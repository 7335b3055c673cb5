// openOkta with REDIS_URL: the CLI's and the App's Okta session takes its lock per org in Redis
// (not a network zone in Okta) and paces against a budget shared in Redis, and closes the Redis
// connection it opened; a REDIS_URL that is unusable or unreachable is refused up front.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runApply } from "../../src/cli/commands/apply.js";
import { openOkta } from "../../src/cli/reconcile-support.js";
import type { LocalOrg } from "../../src/local-org/index.js";
import { LOCK_ZONE, OktaLock } from "../../src/okta/lock.js";
import type { PacerEvent } from "../../src/okta/pacer.js";
import { RedisBucketStore } from "../../src/redis/bucket-store.js";
import { RedisLock } from "../../src/redis/lock.js";
import { withLock } from "../../src/workflows/lock.js";
import { envFor, ownedCounts, Repo, startOrg, testIo } from "../reconcile/harness.js";
import { freePort, REDIS_AVAILABLE, startRedis, type TestRedis } from "../support/redis.js";
import { relay } from "./relay.js";

let redis: TestRedis;

/** Connections Redis has open (this probe's included). */
async function clients(probe: ReturnType<TestRedis["client"]>): Promise<number> {
  const list = await probe.client("LIST");
  return String(list).trim().split("\n").length;
}

describe.skipIf(!REDIS_AVAILABLE)("openOkta with REDIS_URL", () => {
  let org: LocalOrg;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await org?.close();
    await redis?.close();
  });

  it("apply takes the org's lock in Redis, waits a bounded time for another replica's, and never makes a lock zone", async () => {
    org = await startOrg();
    const repo = new Repo();
    try {
      repo.write("hr-sync");
      const prefix = redis.prefix();
      const env = {
        ...envFor(org),
        REDIS_URL: redis.url,
        OKTA_GITOPS_REDIS_PREFIX: prefix,
        OKTA_GITOPS_LOCK_WAIT_SECONDS: "0.5",
      };
      // Another replica holds the org's lock.
      const other = new RedisLock(redis.client(), prefix, org.url, { holder: "replica-b" });
      await other.acquire();
      const refused = testIo(repo.dir, env);
      expect(await runApply(["--yes"], refused)).toBe(1);
      expect(refused.err).toMatch(
        new RegExp(
          `another apply holds the lock ${prefix}:lock:127\\.0\\.0\\.1:\\d+ \\(replica-b since`,
        ),
      );
      expect(refused.out).not.toMatch(/No changes|Applied/);
      expect(ownedCounts(org)).toEqual({});
      await other.release();

      const applied = testIo(repo.dir, env);
      expect(await runApply(["--yes"], applied), applied.err).toBe(0);
      expect(applied.out).toContain("Applied");
      expect(ownedCounts(org)["hr-sync"]).toMatchObject({ app: 1, zone: 1 });
      // The lock was Redis's, and is gone again; Okta never saw a lock zone.
      expect(await redis.client().exists(other.key)).toBe(0);
      const lockZones = org
        .requests()
        .filter(
          (r) =>
            r.template === "/api/v1/zones" &&
            r.method === "POST" &&
            JSON.stringify(r.requestBody ?? "").includes(LOCK_ZONE),
        );
      expect(lockZones).toEqual([]);
      expect(Object.values(org.state.zones).map((z) => z.name)).not.toContain(LOCK_ZONE);
    } finally {
      repo.cleanup();
      await org.close();
    }
  }, 60_000);

  it("two sessions share one rate budget in Redis (0 × 429 under a load beyond the bot's limit), report pacer events, and close their connection", async () => {
    org = await startOrg({ rateLimits: { perMinute: { zones: 40 }, windowMs: 2000 } });
    try {
      const io = testIo("/", {
        ...envFor(org),
        REDIS_URL: redis.url,
        OKTA_GITOPS_REDIS_PREFIX: redis.prefix(),
      });
      const probe = redis.client();
      const before = await clients(probe);
      const events: PacerEvent[] = [];
      const a = await openOkta(io, { observe: (e) => events.push(e) });
      const b = await openOkta(io, { observe: (e) => events.push(e) });
      expect(a.pacer.store).toBeInstanceOf(RedisBucketStore);
      expect(a.lock()).toBeInstanceOf(RedisLock);
      expect(await clients(probe)).toBe(before + 2);
      await Promise.all(
        [a, b].flatMap((s) =>
          Array.from({ length: 30 }, () => s.adapter.call("GET", "/api/v1/zones")),
        ),
      );
      const answers = org
        .requests()
        .filter((r) => r.principal === org.credentials.clientId && r.template === "/api/v1/zones");
      expect(answers).toHaveLength(60);
      expect(answers.filter((r) => r.status === 429)).toEqual([]);
      expect(events.filter((e) => e.type === "request" && e.bucket === "zones")).toHaveLength(60);
      expect(events.some((e) => e.type === "wait")).toBe(true);
      await a.close();
      await b.close();
      // Redis drops a connection just after answering its QUIT.
      for (let i = 0; i < 50 && (await clients(probe)) > before; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await clients(probe)).toBe(before);
    } finally {
      await org.close();
    }
  }, 60_000);

  it("once the lock in Redis is lost to another replica, no further Okta write is sent, and reads go on", async () => {
    org = await startOrg();
    const repo = new Repo();
    const prefix = redis.prefix();
    const env = {
      ...envFor(org),
      REDIS_URL: redis.url,
      OKTA_GITOPS_REDIS_PREFIX: prefix,
      OKTA_GITOPS_LOCK_LEASE_SECONDS: "0.3",
    };
    const session = await openOkta(testIo(repo.dir, env));
    const probe = redis.client();
    try {
      const zone = (name: string) => ({
        type: "IP",
        name,
        status: "ACTIVE",
        gateways: [{ type: "CIDR", value: "203.0.113.7/32" }],
      });
      await withLock(session, async () => {
        await session.adapter.call("POST", "/api/v1/zones", zone("written-under-the-lock"));
        // Our lease lapsed (a pause, a partition) and another replica took the org's lock.
        const key = `${prefix}:lock:${new URL(org.url).host}`;
        await probe.set(key, JSON.stringify({ token: "other", holder: "replica-b" }), "PX", 60_000);
        // The next renewal finds the other holder's value (renewals run every third of a lease).
        for (const end = Date.now() + 5000; !session.executor.writeGuard?.() && Date.now() < end;)
          await new Promise((r) => setTimeout(r, 50));
        await expect(
          session.adapter.call("POST", "/api/v1/zones", zone("written-after-losing-it")),
        ).rejects.toThrow(/the apply lock may have been lost/);
        // Reading is harmless and goes on.
        await session.adapter.call("GET", "/api/v1/zones");
      });
      const names = Object.values(org.state.zones).map((z) => z.name);
      expect(names).toContain("written-under-the-lock");
      expect(names).not.toContain("written-after-losing-it");
    } finally {
      await session.close();
      repo.cleanup();
      await org.close();
    }
  });

  it("closing a session whose Redis stopped answering does not hang", async () => {
    org = await startOrg();
    const link = await relay(redis.url);
    try {
      const session = await openOkta(
        testIo("/", {
          ...envFor(org),
          REDIS_URL: link.url,
          OKTA_GITOPS_REDIS_PREFIX: redis.prefix(),
        }),
      );
      await session.adapter.call("GET", "/api/v1/zones");
      link.stall();
      const started = Date.now();
      await session.close();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await link.close();
      await org.close();
    }
  }, 30_000);

  it("without REDIS_URL the lock stays the network zone in Okta and the budget in memory", async () => {
    org = await startOrg();
    try {
      const session = await openOkta(testIo("/", envFor(org)));
      expect(session.lock()).toBeInstanceOf(OktaLock);
      expect(session.pacer.store).not.toBeInstanceOf(RedisBucketStore);
      await session.close();
    } finally {
      await org.close();
    }
  });

  it("refuses an unusable or unreachable REDIS_URL, naming the variable and never its value", async () => {
    org = await startOrg();
    try {
      const base = envFor(org);
      await expect(
        openOkta(testIo("/", { ...base, REDIS_URL: "http://user:hunter2@127.0.0.1/" })),
      ).rejects.toThrow(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ address$/);
      await expect(
        openOkta(testIo("/", { ...base, REDIS_URL: redis.url, OKTA_GITOPS_REDIS_PREFIX: "a b" })),
      ).rejects.toThrow(/OKTA_GITOPS_REDIS_PREFIX must be/);
      const closed = await freePort();
      const unreachable = await openOkta(
        testIo("/", { ...base, REDIS_URL: `redis://:hunter2@127.0.0.1:${closed}` }),
      ).catch((e: unknown) => e as Error);
      expect(unreachable).toBeInstanceOf(Error);
      expect((unreachable as Error).message).toBe("cannot reach Redis at REDIS_URL within 10 s");
      expect((unreachable as Error).message).not.toContain("hunter2");
    } finally {
      await org.close();
    }
  }, 30_000);
});
