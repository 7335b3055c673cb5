// The connection to Redis, for running several replicas of the App (REDIS_URL): the durable work
// queue, the lock per Okta org, the shared rate budget and the drift schedule's claim all use it.
// The URL may hold a password: it is never printed, and an error names the variable only.
import { Redis } from "ioredis";
import { z } from "zod";

export interface RedisSettings {
  url: string;
  /** Every key the bot writes starts with it, so that one Redis can serve several bots. */
  prefix: string;
}

const Url = z
  .string()
  .max(2000)
  .refine(
    (u) => {
      try {
        const p = new URL(u).protocol;
        return p === "redis:" || p === "rediss:";
      } catch {
        return false;
      }
    },
    { error: "REDIS_URL must be a redis:// or rediss:// address" },
  );
const Prefix = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, {
  error: "OKTA_GITOPS_REDIS_PREFIX must be 1 to 64 letters, digits, '_', '.' or '-'",
});

export const DEFAULT_PREFIX = "okta-gitops";

/** REDIS_URL and OKTA_GITOPS_REDIS_PREFIX, or undefined when REDIS_URL is not set (one process,
 * work in memory). Throws an Error naming the variable, never its value. */
export function redisSettings(env: Record<string, string | undefined>): RedisSettings | undefined {
  if (!env.REDIS_URL) return undefined;
  const url = Url.safeParse(env.REDIS_URL);
  if (!url.success) throw new Error(url.error.issues[0]!.message);
  const prefix = Prefix.safeParse(env.OKTA_GITOPS_REDIS_PREFIX || DEFAULT_PREFIX);
  if (!prefix.success) throw new Error(prefix.error.issues[0]!.message);
  return { url: url.data, prefix: prefix.data };
}

/** A client as BullMQ's workers need it (no per-command retry limit: a blocking read waits for
 * Redis to come back instead of failing the worker). */
export function connectRedis(settings: RedisSettings): Redis {
  return new Redis(settings.url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}
