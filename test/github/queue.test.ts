// The App's queue in memory (no REDIS_URL): one item at a time per key, in order; a newer item
// replaces one still waiting (the newest state wins) unless the waiting one does more, and the
// replaced one is told as superseded; a delivery seen before is not queued again; idle() waits
// for all of it.
import { describe, expect, it } from "vitest";
import { memoryWorkQueue, SEEN_DELIVERIES } from "../../src/github/work/memory-queue.js";
import type { WorkItem } from "../../src/github/work/types.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

const item = (key: string, name: string, rank = 0, delivery?: string): WorkItem => ({
  kind: "pull",
  key,
  rank,
  ...(delivery ? { delivery } : {}),
  repo: { owner: "acme", repo: "okta" },
  data: { name },
});
const nameOf = (i: WorkItem) => String(i.data.name);

describe("memory work queue", () => {
  it("runs one item at a time per key, the running one and then only the newest waiting one", async () => {
    const errors: string[] = [];
    const q = memoryWorkQueue({ onError: (i, e) => errors.push(`${i.key}: ${String(e)}`) });
    const ran: string[] = [];
    const skipped: string[] = [];
    let active = 0;
    let most = 0;
    q.start(
      async (i) => {
        active++;
        most = Math.max(most, active);
        await tick();
        ran.push(nameOf(i));
        active--;
      },
      (i, outcome) => skipped.push(`${nameOf(i)}: ${outcome}`),
    );
    await q.enqueue(item("pr#1", "a"));
    await q.enqueue(item("pr#1", "b"));
    await q.enqueue(item("pr#1", "c"));
    await q.enqueue(item("pr#2", "x"));
    expect((await q.stats()).depth).toBe(3);
    await q.idle();
    expect(ran.filter((r) => r !== "x")).toEqual(["a", "c"]);
    expect(ran).toContain("x");
    expect(skipped).toEqual(["b: superseded"]);
    expect(most).toBe(2); // the two keys ran side by side, never two of one key
    expect(errors).toEqual([]);
    expect(await q.stats()).toEqual({ depth: 0, oldestAgeMs: undefined });
  });

  it("keeps a waiting item of a higher rank over a newer lower one, and reports a failure", async () => {
    const errors: string[] = [];
    const q = memoryWorkQueue({
      onError: (i, e) => errors.push(`${i.key}: ${(e as Error).message}`),
    });
    const ran: string[] = [];
    const skipped: string[] = [];
    q.start(
      async (i) => {
        await tick();
        if (nameOf(i) === "first") throw new Error("first failed");
        ran.push(nameOf(i));
      },
      (i) => skipped.push(nameOf(i)),
    );
    await q.enqueue(item("pr#1", "first", 1));
    await q.enqueue(item("pr#1", "full", 1));
    await q.enqueue(item("pr#1", "approval-only", 0));
    await q.idle();
    expect(ran).toEqual(["full"]);
    expect(skipped).toEqual(["approval-only"]);
    expect(errors).toEqual(["pr#1: first failed"]);
  });

  it("does not queue a delivery seen before (a redelivery), and remembers a bounded number of them", async () => {
    const q = memoryWorkQueue();
    const ran: string[] = [];
    q.start(async (i) => void ran.push(nameOf(i)));
    expect(await q.enqueue(item("pr#1", "first", 1, "d-1"))).toBe("queued");
    await q.idle();
    expect(await q.enqueue(item("pr#1", "again", 1, "d-1"))).toBe("duplicate");
    expect(await q.enqueue(item("pr#1", "other", 1, "d-2"))).toBe("queued");
    await q.idle();
    expect(ran).toEqual(["first", "other"]);
    // The oldest ids are forgotten past the bound: memory stays bounded.
    for (let n = 0; n < SEEN_DELIVERIES; n++)
      await q.enqueue(item(`k#${n % 50}`, "bulk", 0, `b-${n}`));
    await q.idle();
    expect(await q.enqueue(item("pr#1", "long ago", 1, "d-1"))).toBe("queued");
    expect(await q.enqueue(item("pr#1", "recent", 1, `b-${SEEN_DELIVERIES - 1}`))).toBe(
      "duplicate",
    );
    await q.idle();
  });

  it("holds items queued before start, and refuses new ones once closed after finishing the rest", async () => {
    const q = memoryWorkQueue();
    const ran: string[] = [];
    await q.enqueue(item("pr#1", "early"));
    q.start(async (i) => {
      await tick();
      ran.push(nameOf(i));
    });
    await q.enqueue(item("pr#2", "running"));
    await q.close();
    expect(ran.sort()).toEqual(["early", "running"]);
    await expect(q.enqueue(item("pr#3", "late"))).rejects.toThrow(/shutting down/);
  });
});
