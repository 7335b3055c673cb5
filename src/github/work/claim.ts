// Once across replicas: the drift schedule runs on every replica, and each round only the one
// that takes the claim (SET NX PX on one key) checks; the claim lapses on its own before the next
// round, so a replica that died never holds it.
import { hostname } from "node:os";
import type { Redis } from "ioredis";

/** A claim on `key` for ttlMs: true for the one replica that took it. */
export function redisClaim(redis: Redis, key: string): (ttlMs: number) => Promise<boolean> {
  const holder = `${hostname()}:${process.pid}`;
  return async (ttlMs) =>
    (await redis.set(key, holder, "PX", Math.max(1000, Math.round(ttlMs)), "NX")) === "OK";
}
