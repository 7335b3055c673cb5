// Every command of the lock and the rate budget waits for Redis a bounded time: the connection
// queues commands while Redis is away (so that a short outage goes unnoticed), and without a bound
// an Okta call or an apply would hang for as long as Redis stays down. Past the bound the caller
// fails, saying why; a command that still runs later is harmless (a ticket or a lock it leaves
// expires by its deadline or its lease).
export const ANSWER_MS = 10_000;

export class RedisTimeoutError extends Error {}

/** `command`'s answer, or a RedisTimeoutError after `ms`. */
export async function answered<T>(command: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisTimeoutError(`Redis did not answer within ${ms / 1000} s (${what})`)),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([command, late]);
  } finally {
    clearTimeout(timer);
  }
}
