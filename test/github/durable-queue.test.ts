// The App's queue on Redis (REDIS_URL), with a real redis-server: each key's items run one at a
// time and in order across two queues (two replicas) sharing one Redis, waiting work is superseded
// by newer work of a rank at least its own, a redelivered delivery is not queued twice (also after
// it ran), and a job whose replica was killed (SIGKILL) in the middle is taken over by another.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { durableWorkQueue, type DurableWorkQueue } from "../../src/github/work/durable-queue.js";
import type { WorkItem } from "../../src/github/work/types.js";
import { REDIS_AVAILABLE, startRedis, type TestRedis } from "../support/redis.js";

let redis: TestRedis;
const opened: DurableWorkQueue[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (REDIS_AVAILABLE) redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  await Promise.all(opened.splice(0).map((q) => q.close()));
});

/** A queue as a replica has it, with the stalled-job takeover shortened for the test. */
function queue(prefix: string): DurableWorkQueue {
  const q = durableWorkQueue({
    settings: { url: redis.url, prefix },
    lockDurationMs: 1000,
    stalledIntervalMs: 500,
    laneLeaseMs: 3000,
    retryDelayMs: 30,
    closeGraceMs: 2000,
  });
  opened.push(q);
  return q;
}

let n = 0;
const item = (key: string, name: string, rank = 0, delivery = `del-${++n}`): WorkItem => ({
  kind: "pull",
  key,
  rank,
  delivery,
  repo: { owner: "acme", repo: "okta" },
  data: { name },
});
const nameOf = (i: WorkItem) => String(i.data.name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until `ok()`. */
async function until(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A gate a handler waits on until the test opens it. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { wait: () => p, open: () => open() };
}

describe.skipIf(!REDIS_AVAILABLE)("durable work queue (Redis)", () => {
  it("runs each key's items one at a time and in order across two replicas, keys side by side", async () => {
    const prefix = redis.prefix();
    const a = queue(prefix);
    const b = queue(prefix);
    const ran: string[] = [];
    const active = new Map<string, number>();
    let mostPerKey = 0;
    let mostAll = 0;
    const handler = (replica: string) => async (i: WorkItem) => {
      active.set(i.key, (active.get(i.key) ?? 0) + 1);
      mostPerKey = Math.max(mostPerKey, active.get(i.key)!);
      mostAll = Math.max(
        mostAll,
        [...active.values()].reduce((x, y) => x + y, 0),
      );
      await sleep(30);
      ran.push(`${i.key}:${nameOf(i)}@${replica}`);
      active.set(i.key, active.get(i.key)! - 1);
    };
    // Decreasing ranks: no item covers an older one, so every one runs, in the order queued.
    for (const [k, r] of [4, 3, 2, 1, 0].entries()) {
      await a.enqueue(item("acme/okta#1", `one-${k}`, r));
      await b.enqueue(item("acme/okta#2", `two-${k}`, r));
    }
    a.start(handler("a"));
    b.start(handler("b"));
    await a.idle();
    const of = (key: string) =>
      ran.filter((r) => r.startsWith(`${key}:`)).map((r) => r.split(":")[1]!.split("@")[0]);
    expect(of("acme/okta#1")).toEqual(["one-0", "one-1", "one-2", "one-3", "one-4"]);
    expect(of("acme/okta#2")).toEqual(["two-0", "two-1", "two-2", "two-3", "two-4"]);
    expect(mostPerKey).toBe(1);
    expect(mostAll).toBe(2);
    // Both replicas took work.
    expect(new Set(ran.map((r) => r.split("@")[1]))).toEqual(new Set(["a", "b"]));
    expect(await a.stats()).toEqual({ depth: 0, oldestAgeMs: undefined });
  });

  it("skips waiting items that newer work of the key covers (rank at least theirs), never the newest", async () => {
    const prefix = redis.prefix();
    const a = queue(prefix);
    const b = queue(prefix);
    const hold = gate();
    const ran: string[] = [];
    const skipped: string[] = [];
    const handler = async (i: WorkItem) => {
      if (nameOf(i) === "running") await hold.wait();
      ran.push(nameOf(i));
    };
    a.start(handler, (i, o) => skipped.push(`${nameOf(i)}:${o}`));
    b.start(handler, (i, o) => skipped.push(`${nameOf(i)}:${o}`));
    await a.enqueue(item("acme/okta#7", "running", 1));
    await sleep(300);
    // While it runs: two full checks and an approval-only one wait; then a newer approval-only
    // one (it covers only the older approval-only one) and a newer full check arrive.
    await b.enqueue(item("acme/okta#7", "full-1", 1));
    await a.enqueue(item("acme/okta#7", "approval-1", 0));
    await b.enqueue(item("acme/okta#7", "full-2", 1));
    await a.enqueue(item("acme/okta#7", "approval-2", 0));
    const depth = (await a.stats()).depth;
    expect(depth).toBe(5);
    expect((await a.stats()).oldestAgeMs).toBeGreaterThanOrEqual(250);
    hold.open();
    await a.idle();
    expect(ran).toEqual(["running", "full-2", "approval-2"]);
    expect(skipped.sort()).toEqual(["approval-1:superseded", "full-1:superseded"]);
  });

  it("does not queue a redelivery twice: not while it waits, not from another replica at once, not after it ran", async () => {
    const prefix = redis.prefix();
    const a = queue(prefix);
    const b = queue(prefix);
    const ran: string[] = [];
    const same = (name: string) => item("acme/okta@main", name, 0, "7f0c-delivery");
    const first = await Promise.all([a.enqueue(same("first")), b.enqueue(same("second"))]);
    expect(first.sort()).toEqual(["duplicate", "queued"]);
    expect(await a.enqueue(same("third"))).toBe("duplicate");
    a.start(async (i) => void ran.push(nameOf(i)));
    b.start(async (i) => void ran.push(nameOf(i)));
    await a.idle();
    expect(ran).toHaveLength(1);
    // Finished jobs are kept: the delivery is still known, and it does not block its key.
    expect(await b.enqueue(same("after"))).toBe("duplicate");
    expect(await b.enqueue(item("acme/okta@main", "next", 0, "other-delivery"))).toBe("queued");
    await a.idle();
    expect(ran.slice(1)).toEqual(["next"]);
  });

  it("hands a killed replica's running job (SIGKILL) to another, which completes it, then the key's next item", async () => {
    const prefix = redis.prefix();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "../support/queue-worker.ts")],
      {
        env: { ...process.env, REDIS_URL: redis.url, OKTA_GITOPS_REDIS_PREFIX: prefix },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    children.push(child);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await until(() => out.includes("ready"), "the worker process", 20_000);
    const a = queue(prefix);
    await a.enqueue(item("acme/okta@main", "apply", 1, "apply-delivery"));
    await until(() => out.includes("started apply-delivery"), "the job to start in the worker");
    // The other replica is up before the kill, its own work queued behind the running job.
    const ran: string[] = [];
    const started = Date.now();
    let tookOverMs = 0;
    a.start(async (i) => {
      if (nameOf(i) === "apply") tookOverMs = Date.now() - started;
      ran.push(nameOf(i));
    });
    await sleep(200);
    expect(ran).toEqual([]);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    // Newer work of the key that does not cover it (a lower rank): it runs after the takeover.
    await a.enqueue(item("acme/okta@main", "later", 0, "later-delivery"));
    await until(() => ran.length >= 2, "the killed replica's job to be taken over", 15_000);
    await a.idle();
    expect(ran).toEqual(["apply", "later"]);
    // Taken over once its lock lapsed (1 s) and the stalled check ran (every 0.5 s).
    expect(tookOverMs).toBeGreaterThan(500);
    expect(tookOverMs).toBeLessThan(10_000);
    console.log(`stalled job taken over ${tookOverMs} ms after the other replica started`);
  });
});
