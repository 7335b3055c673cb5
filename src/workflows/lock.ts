// One apply per org: every job that changes Okta runs its plan and its operations under the lock.
import type { Lock } from "../okta/lock.js";

/** What the jobs need of an Okta session: the adapter and the org's lock. */
export interface LockSource {
  lock(): Lock;
}

/** Runs `body` holding the org's lock; `staleRemoved` hears of a stale lock that was removed. */
export async function withLock<T>(
  okta: LockSource,
  body: () => Promise<T>,
  staleRemoved?: (detail: string) => void,
): Promise<T> {
  const lock = okta.lock();
  await lock.acquire();
  if (lock.staleRemoved) staleRemoved?.(lock.staleRemoved);
  try {
    return await body();
  } finally {
    await lock.release();
  }
}
