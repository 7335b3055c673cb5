// The App's work queue, in process: jobs with the same key (one pull request, one repository's
// default branch) run one at a time, in order; while one runs, at most one more waits, and a newer
// job replaces the waiting one (each job reads GitHub's current state, so the newest is the one
// that matters: level-based, like a controller). `idle()` resolves once nothing runs or waits,
// so that a caller (a test, a clean shutdown) can wait for every delivery's work.

export type Job = () => Promise<void>;

export interface JobQueue {
  /** Runs `job` after the running job of `key`, replacing one still waiting unless that one does
   * more (a higher `rank`: a full check of a pull request covers an approval-only one). */
  push(key: string, job: Job, rank?: number): void;
  /** Resolves when no job runs or waits. */
  idle(): Promise<void>;
  /** Jobs running or waiting. */
  readonly size: number;
}

/** Most keys with work at once; beyond it a new key's job is refused (and reported). */
export const MAX_KEYS = 1000;

export function jobQueue(onError: (key: string, error: unknown) => void): JobQueue {
  const lanes = new Map<string, { running: Promise<void>; waiting?: Job; rank?: number }>();
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (lanes.size) return;
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };

  const run = (key: string, job: Job) => {
    const running = (async () => {
      try {
        await job();
      } catch (error) {
        onError(key, error);
      }
    })().then(() => {
      const lane = lanes.get(key);
      const next = lane?.waiting;
      if (next) run(key, next);
      else {
        lanes.delete(key);
        settle();
      }
    });
    lanes.set(key, { running });
  };

  return {
    push(key, job, rank = 0) {
      const lane = lanes.get(key);
      if (lane) {
        if (lane.waiting && (lane.rank ?? 0) > rank) return;
        lane.waiting = job;
        lane.rank = rank;
        return;
      }
      if (lanes.size >= MAX_KEYS) {
        onError(key, new Error(`more than ${MAX_KEYS} jobs at once: this one was dropped`));
        return;
      }
      run(key, job);
    },
    idle() {
      if (!lanes.size) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get size() {
      let n = 0;
      for (const l of lanes.values()) n += l.waiting ? 2 : 1;
      return n;
    },
  };
}
