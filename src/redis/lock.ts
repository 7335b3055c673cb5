// One apply at a time per Okta org across every replica of the bot, held in Redis: one key per org
// (`<prefix>:lock:<org host>`), taken with SET NX PX (a lease) and a value of our own (a random
// token and who holds it), renewed every third of the lease for as long as the apply runs, and
// released by deleting it only while it still holds our value (a holder that stalled past its lease
// and comes back must not remove the lock its successor took). A holder that dies stops renewing:
// its lock expires after one lease. Waiting for a lock that another replica holds is bounded.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { z } from "zod";
import { LockHeldError, type Lock } from "../okta/lock.js";

export const LOCK_LEASE_MS = 30_000;
export const LOCK_WAIT_MS = 10 * 60_000;

export interface RedisLockOptions {
  /** How long the lock holds without renewal. */
  leaseMs?: number;
  /** How long acquire() waits while another replica holds the lock, then throws LockHeldError. */
  waitMs?: number;
  /** How often a waiting acquire() looks again. */
  pollMs?: number;
  /** Who we are, as other replicas see it when they wait for us. */
  holder?: string;
}

// KEYS: the lock. ARGV: our value, lease. 1 when it is still ours (and renewed).
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;
// KEYS: the lock. ARGV: our value. 1 when it was ours and is gone.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

interface Scripts {
  oktaLockRenew(key: string, value: string, leaseMs: string): Promise<number>;
  oktaLockRelease(key: string, value: string): Promise<number>;
}

/** What a lock's value says; another replica wrote it, so it is read with care. */
const Value = z.object({ token: z.string(), holder: z.string() });

/** A holder's text as we print it: printable, short. */
function shown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").slice(0, 200);
}

export function defaultHolder(): string {
  return `${hostname()} pid ${process.pid}`;
}

export class RedisLock implements Lock {
  readonly key: string;
  /** Set when a renewal found the lock no longer ours (it expired and another replica took it). */
  lost = false;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly holder: string;
  private value?: string;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    orgUrl: string,
    options: RedisLockOptions = {},
  ) {
    // The URL parser leaves a host of letters, digits, '.', '-', ':' and brackets only.
    this.key = `${prefix}:lock:${new URL(orgUrl).host}`;
    this.leaseMs = Math.max(100, options.leaseMs ?? LOCK_LEASE_MS);
    this.waitMs = Math.max(0, options.waitMs ?? LOCK_WAIT_MS);
    this.pollMs = Math.max(10, options.pollMs ?? Math.min(1000, this.leaseMs / 3));
    this.holder = options.holder ?? defaultHolder();
    if (!("oktaLockRenew" in redis)) {
      redis.defineCommand("oktaLockRenew", { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand("oktaLockRelease", { numberOfKeys: 1, lua: RELEASE });
    }
  }

  /** Takes the lock, waiting (bounded) while another replica holds it. */
  async acquire(): Promise<void> {
    if (this.value) throw new Error(`the lock ${this.key} is already held by this process`);
    const value = JSON.stringify({
      token: randomBytes(16).toString("hex"),
      holder: `${this.holder} since ${new Date().toISOString()}`,
    });
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const set = await this.redis.set(this.key, value, "PX", this.leaseMs, "NX");
      if (set === "OK") return this.hold(value);
      const left = deadline - Date.now();
      if (left <= 0) throw new LockHeldError(await this.heldBy());
      // Look again soon, or when the holder's lease would run out if that is sooner.
      const ttl = await this.redis.pttl(this.key);
      const next = ttl === -2 ? 1 : ttl > 0 ? Math.min(this.pollMs, ttl) : this.pollMs;
      await sleep(Math.max(1, Math.min(next, left)));
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const value = this.value;
    if (!value) return;
    this.value = undefined;
    await (this.redis as unknown as Scripts).oktaLockRelease(this.key, value);
  }

  private hold(value: string): void {
    this.value = value;
    this.lost = false;
    this.timer = setInterval(() => {
      (this.redis as unknown as Scripts)
        .oktaLockRenew(this.key, value, String(this.leaseMs))
        .then((renewed) => {
          if (renewed !== 1 && this.value === value) this.lost = true;
        })
        // Redis unreachable: the next renewal tries again; the lease covers two misses.
        .catch(() => undefined);
    }, this.leaseMs / 3);
    this.timer.unref();
  }

  private async heldBy(): Promise<string> {
    const raw = await this.redis.get(this.key).catch(() => null);
    let who = "unknown holder";
    if (raw) {
      try {
        who = shown(Value.parse(JSON.parse(raw)).holder);
      } catch {
        who = "a holder whose lock value is unreadable";
      }
    } else who = "a holder that just released it";
    return `another apply holds the lock ${this.key} (${who}); waited ${Math.round(this.waitMs / 1000)} s`;
  }
}
