// The drift schedule: runs on its timer, waits the interval the last check returned (main's
// bot.drift.interval), never runs two checks at once, and stops for good.
import { describe, expect, it } from "vitest";
import { DEFAULT_DRIFT_MS, DriftSchedule, type Timer } from "../../src/github/jobs/drift.js";

/** A timer driven by hand: what is armed, and a way to fire it. */
function manualTimer() {
  const armed = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timer: Timer = {
    setTimeout: (fn, ms) => {
      armed.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (h) => void armed.delete(h as number),
  };
  return {
    timer,
    armed: () => [...armed.values()].map((a) => a.ms),
    fire: () => {
      const all = [...armed.entries()];
      armed.clear();
      for (const [, a] of all) a.fn();
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("drift schedule", () => {
  it("runs when its timer fires and then waits the interval the check returned", async () => {
    const t = manualTimer();
    let runs = 0;
    const schedule = new DriftSchedule(async () => (runs++, 30 * 60_000), t.timer);
    schedule.start(1000);
    expect(t.armed()).toEqual([1000]);
    expect(runs).toBe(0);
    t.fire();
    await flush();
    expect(runs).toBe(1);
    expect(t.armed()).toEqual([30 * 60_000]);
    await schedule.stop();
    expect(t.armed()).toEqual([]);
  });

  it("runs one check at a time, falls back to the default interval after a failure, and stops", async () => {
    const t = manualTimer();
    let release: (() => void) | undefined;
    let runs = 0;
    const errors: unknown[] = [];
    const schedule = new DriftSchedule(
      async () => {
        runs++;
        await new Promise<void>((r) => (release = r));
        throw new Error("Okta is down");
      },
      t.timer,
      (e) => errors.push(e),
    );
    schedule.start();
    const first = schedule.runNow();
    const second = schedule.runNow();
    await flush();
    expect(runs).toBe(1);
    release!();
    await Promise.all([first, second]);
    expect(errors).toHaveLength(1);
    expect(t.armed()).toEqual([DEFAULT_DRIFT_MS]);
    await schedule.stop();
    t.fire();
    await flush();
    expect(runs).toBe(1);
  });
});
