// The pacer over its memory store: what it reports to metrics (each request let through, each
// wait with its length, each 429), and a bucket whose first request got no answer stays usable
// whatever the share.
import { describe, expect, it } from "vitest";
import { Pacer, type PacerEvent, type RateHeaders } from "../../src/okta/pacer.js";

function rate(limit: number, remaining: number, resetAtMs: number): RateHeaders {
  const h: Record<string, string> = {
    "x-rate-limit-limit": String(limit),
    "x-rate-limit-remaining": String(remaining),
    "x-rate-limit-reset": String(Math.ceil(resetAtMs / 1000)),
  };
  return { get: (name) => h[name.toLowerCase()] ?? null };
}

/** A pacer on a fake clock whose every sleep moves the clock on; a bounded number of sleeps. */
function pacer(share: number) {
  const clock = { now: 1_000_000_000_000, sleeps: 0 };
  const events: PacerEvent[] = [];
  const p = new Pacer({
    share,
    now: () => clock.now,
    sleep: async (ms) => {
      if (++clock.sleeps > 100) throw new Error("the pacer never let the request through");
      clock.now += ms;
    },
    observe: (e) => events.push(e),
  });
  return { p, clock, events };
}

describe("pacer", () => {
  it("reports each request, each wait with its length, and each 429", async () => {
    const { p, clock, events } = pacer(1);
    const resetAt = clock.now + 10_000;
    await p.acquire("apps");
    await p.release("apps", rate(3, 2, resetAt));
    await p.acquire("apps");
    await p.acquire("apps");
    // Both remaining places are in flight: the next one waits for the reset.
    const third = p.acquire("apps");
    await third;
    await p.exhausted("zones", rate(3, 0, resetAt));
    expect(events.filter((e) => e.type === "request")).toEqual([
      { type: "request", bucket: "apps" },
      { type: "request", bucket: "apps" },
      { type: "request", bucket: "apps" },
      { type: "request", bucket: "apps" },
    ]);
    const waits = events.filter((e) => e.type === "wait");
    expect(waits).toEqual([{ type: "wait", bucket: "apps", waitMs: 10_050 }]);
    expect(p.waits).toBe(1);
    expect(events.filter((e) => e.type === "throttled")).toEqual([
      { type: "throttled", bucket: "zones" },
    ]);
    expect(p.throttled).toBe(1);
  });

  it("a bucket whose first request got no answer is not closed for ever when the share is below 1", async () => {
    const { p, clock } = pacer(0.5);
    await p.acquire("apps");
    await p.release("apps"); // a dropped connection: no headers
    await p.acquire("apps");
    await p.release("apps", rate(10, 9, clock.now + 60_000));
    // Then the announced share applies.
    for (let i = 0; i < 4; i++) await p.acquire("apps");
  });
});
