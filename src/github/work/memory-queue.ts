// The App's work queue in one process (no REDIS_URL): items with the same key (one pull request,
// one repository's default branch) run one at a time, in order; while one runs, at most one more
// waits, and a newer item replaces the waiting one (each job reads GitHub's current state, so the
// newest is the one that matters: level-based, like a controller) unless the waiting one does more
// (a higher rank). The replaced item is told as superseded. A delivery id seen before (GitHub's
// redelivery) is not queued again; the ids kept are bounded. Nothing here survives a restart:
// that is what REDIS_URL is for.
import type { SkipListener, WorkHandler, WorkItem, WorkQueue } from "./types.js";

/** Most keys with work at once; beyond it a new key's item is refused (the delivery is answered
 * with an error, so that GitHub can deliver it again). */
export const MAX_KEYS = 1000;
/** Delivery ids remembered, to know a redelivery: the newest ones. */
export const SEEN_DELIVERIES = 10_000;

interface Lane {
  /** When the running item was queued. */
  since: number;
  waiting?: { item: WorkItem; at: number };
}

export interface MemoryQueueOptions {
  /** Told when a handler throws (the App's handler catches its own errors: a last resort). */
  onError?: (item: WorkItem, error: unknown) => void;
  now?: () => number;
}

export function memoryWorkQueue(options: MemoryQueueOptions = {}): WorkQueue {
  const now = options.now ?? Date.now;
  const lanes = new Map<string, Lane>();
  const seen = new Set<string>();
  let handler: WorkHandler | undefined;
  let skipped: SkipListener = () => {};
  /** Items queued before start(): run once a handler is given. */
  let early: WorkItem[] = [];
  let closed = false;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (lanes.size || early.length) return;
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };

  const run = (item: WorkItem, since: number) => {
    lanes.set(item.key, { since });
    void (async () => {
      try {
        await handler!(item);
      } catch (error) {
        options.onError?.(item, error);
      }
    })().then(() => {
      const next = lanes.get(item.key)?.waiting;
      if (next) run(next.item, next.at);
      else {
        lanes.delete(item.key);
        settle();
      }
    });
  };

  const place = (item: WorkItem) => {
    const lane = lanes.get(item.key);
    if (lane) {
      if (lane.waiting && lane.waiting.item.rank > item.rank) {
        // The waiting item does more (a full check covers an approval-only one).
        skipped(item, "superseded");
        return;
      }
      if (lane.waiting) skipped(lane.waiting.item, "superseded");
      lane.waiting = { item, at: now() };
      return;
    }
    if (lanes.size >= MAX_KEYS)
      throw new Error(`more than ${MAX_KEYS} pull requests and branches have work at once`);
    run(item, now());
  };

  const remember = (delivery: string) => {
    seen.add(delivery);
    if (seen.size > SEEN_DELIVERIES) seen.delete(seen.values().next().value!);
  };

  const idle = (): Promise<void> => {
    if (!lanes.size && !early.length) return Promise.resolve();
    return new Promise((resolve) => waiters.push(resolve));
  };

  return {
    async enqueue(item) {
      if (closed) throw new Error("the App is shutting down: the delivery was not queued");
      if (item.delivery !== undefined) {
        if (seen.has(item.delivery)) return "duplicate";
        remember(item.delivery);
      }
      if (!handler) {
        early.push(item);
        return "queued";
      }
      try {
        place(item);
      } catch (error) {
        // Not taken: a redelivery of it must be taken later.
        if (item.delivery !== undefined) seen.delete(item.delivery);
        throw error;
      }
      return "queued";
    },
    start(h, onSkip) {
      handler = h;
      if (onSkip) skipped = onSkip;
      const first = early;
      early = [];
      for (const item of first) place(item);
      settle();
    },
    idle,
    async stats() {
      let depth = early.length;
      let oldest: number | undefined;
      const older = (at: number) => (oldest = oldest === undefined ? at : Math.min(oldest, at));
      for (const lane of lanes.values()) {
        depth += lane.waiting ? 2 : 1;
        older(lane.since);
        if (lane.waiting) older(lane.waiting.at);
      }
      return { depth, oldestAgeMs: oldest === undefined ? undefined : Math.max(0, now() - oldest) };
    },
    async close() {
      closed = true;
      // Nothing of it survives the process: what runs and what waits is finished first.
      await idle();
    },
  };
}
