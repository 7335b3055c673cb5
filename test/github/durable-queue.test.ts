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
    // Nothing covers these two yet: the running one and both wait.
    expect((await a.stats()).depth).toBe(3);
    expect((await a.stats()).oldestAgeMs).toBeGreaterThanOrEqual(250);
    await b.enqueue(item("acme/okta#7", "full-2", 1));
    await a.enqueue(item("acme/okta#7", "approval-2", 0));
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

  it("refuses an item within its timeout when Redis does not answer, instead of hanging the delivery", async () => {
    const q = durableWorkQueue({
      // Nothing listens there.
      settings: { url: "redis://127.0.0.1:1", prefix: redis.prefix() },
      enqueueTimeoutMs: 300,
    });
    const started = Date.now();
    await expect(q.enqueue(item("acme/okta#1", "lost"))).rejects.toThrow(/Redis did not answer/);
    expect(Date.now() - started).toBeLessThan(3000);
    await q.close();
  });

  it("close() stops taking work and hands a job that does not finish within the grace back to another replica", async () => {
    const prefix = redis.prefix();
    const a = durableWorkQueue({
      settings: { url: redis.url, prefix },
      lockDurationMs: 1000,
      stalledIntervalMs: 500,
      retryDelayMs: 30,
      closeGraceMs: 300,
    });
    const b = queue(prefix);
    const onA: string[] = [];
    const onB: string[] = [];
    a.start(async (i) => {
      onA.push(nameOf(i));
      await new Promise(() => {}); // never finishes here
    });
    await a.enqueue(item("acme/okta@main", "long", 0, "long-delivery"));
    await until(() => onA.length === 1, "the job to start on the first replica");
    const closing = Date.now();
    await a.close();
    expect(Date.now() - closing).toBeLessThan(3000);
    await expect(a.enqueue(item("acme/okta#3", "refused"))).rejects.toThrow(/shutting down/);
    b.start(async (i) => void onB.push(nameOf(i)));
    await until(() => onB.length === 1, "the job handed back to the other replica", 15_000);
    await b.idle();
    expect(onB).toEqual(["long"]);
    expect(onA).toEqual(["long"]);
  });

  it("close() lets a running job finish within the grace, and another replica does not run it again", async () => {
    const prefix = redis.prefix();
    const a = queue(prefix);
    const b = queue(prefix);
    const ran: string[] = [];
    const hold = gate();
    a.start(async (i) => {
      await hold.wait();
      ran.push(`${nameOf(i)}@a`);
    });
    await a.enqueue(item("acme/okta@main", "short", 0, "short-delivery"));
    await sleep(200);
    const closed = a.close();
    b.start(async (i) => void ran.push(`${nameOf(i)}@b`));
    await sleep(100);
    hold.open();
    await closed;
    await sleep(1500); // past a lock's lapse: nothing stalls
    await b.idle();
    expect(ran).toEqual(["short@a"]);
  });

  it("takes a burst of 50 items over 5 keys on two replicas, 10 of them redelivered: each done at most once, in order per key, the newest of each key done", async () => {
    const prefix = redis.prefix();
    const replicas = [queue(prefix), queue(prefix)];
    const ran: WorkItem[] = [];
    const skipped: WorkItem[] = [];
    const active = new Set<string>();
    let overlap = 0;
    for (const q of replicas)
      q.start(
        async (i) => {
          if (active.has(i.key)) overlap++;
          active.add(i.key);
          await sleep(40 + (Number(i.data.n) % 3) * 20);
          active.delete(i.key);
          ran.push(i);
        },
        (i) => void skipped.push(i),
      );
    const answers: string[] = [];
    const sent: WorkItem[] = [];
    const enqueueMs: number[] = [];
    for (let n = 0; n < 50; n++) {
      const sentItem: WorkItem = {
        ...item(`acme/okta#${n % 5}`, `burst-${n}`, n % 4 === 0 ? 0 : 1, `burst-${n}`),
        data: { name: `burst-${n}`, n },
      };
      sent.push(sentItem);
      const t = performance.now();
      answers.push(await replicas[n % 2]!.enqueue(sentItem));
      enqueueMs.push(performance.now() - t);
      // Every fifth one is redelivered at once to the other replica.
      if (n % 5 === 0) answers.push(await replicas[(n + 1) % 2]!.enqueue(sentItem));
    }
    await replicas[0]!.idle();
    expect(answers.filter((a) => a === "duplicate")).toHaveLength(10);
    expect(overlap).toBe(0);
    const deliveries = ran.map((i) => i.delivery);
    expect(new Set(deliveries).size).toBe(deliveries.length);
    // Everything sent was done or superseded, never both, never lost.
    expect(ran.length + skipped.length).toBe(50);
    expect(skipped.length, "some waiting items were superseded").toBeGreaterThan(0);
    // Only by newer work of the key, doing at least as much, that was done.
    for (const s of skipped)
      expect(
        ran.some((r) => r.key === s.key && Number(r.data.n) > Number(s.data.n) && r.rank >= s.rank),
        `${nameOf(s)} covered by a newer item`,
      ).toBe(true);
    for (let k = 0; k < 5; k++) {
      const key = `acme/okta#${k}`;
      const order = ran.filter((i) => i.key === key).map((i) => Number(i.data.n));
      expect(order, key).toEqual([...order].sort((a, b) => a - b));
      const last = sent.filter((i) => i.key === key).at(-1)!;
      expect(order.at(-1), `${key}: its newest item`).toBe(Number(last.data.n));
    }
    enqueueMs.sort((a, b) => a - b);
    console.log(
      `burst: ${ran.length} done, ${skipped.length} superseded, 10 duplicates; enqueue p50 ${enqueueMs[25]!.toFixed(1)} ms, max ${enqueueMs.at(-1)!.toFixed(1)} ms`,
    );
  });
});
