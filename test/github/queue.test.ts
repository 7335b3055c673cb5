// The App's in-process queue: one job at a time per key, in order; a newer job replaces one still
// waiting (the newest state wins), unless the waiting one does more; idle() waits for all of it.
import { describe, expect, it } from "vitest";
import { jobQueue } from "../../src/github/queue.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("jobQueue", () => {
  it("runs one job at a time per key, the running one and then only the newest waiting one", async () => {
    const errors: string[] = [];
    const q = jobQueue((key, e) => errors.push(`${key}: ${String(e)}`));
    const ran: string[] = [];
    let active = 0;
    let most = 0;
    const job = (name: string) => async () => {
      active++;
      most = Math.max(most, active);
      await tick();
      ran.push(name);
      active--;
    };
    q.push("pr#1", job("a"));
    q.push("pr#1", job("b"));
    q.push("pr#1", job("c"));
    q.push("pr#2", job("x"));
    await q.idle();
    expect(ran.filter((r) => r !== "x")).toEqual(["a", "c"]);
    expect(ran).toContain("x");
    expect(most).toBe(2); // the two keys ran side by side, never two of one key
    expect(errors).toEqual([]);
  });

  it("keeps a waiting job of a higher rank over a newer lower one, and reports a failure", async () => {
    const errors: string[] = [];
    const q = jobQueue((key, e) => errors.push(`${key}: ${(e as Error).message}`));
    const ran: string[] = [];
    const job =
      (name: string, fail = false) =>
      async () => {
        await tick();
        if (fail) throw new Error(`${name} failed`);
        ran.push(name);
      };
    q.push("pr#1", job("first", true), 1);
    q.push("pr#1", job("full"), 1);
    q.push("pr#1", job("approval-only"), 0);
    await q.idle();
    expect(ran).toEqual(["full"]);
    expect(errors).toEqual(["pr#1: first failed"]);
    expect(q.size).toBe(0);
  });
});
