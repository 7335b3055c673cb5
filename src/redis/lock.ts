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
import { ANSWER_MS, answered } from "./answer.js";

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
  /** How long one command waits for Redis before acquire() or release() fails. */
  answerMs?: number;
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
  private readonly leaseMs: number;
  private readonly answerMs: number;
  /** A renewal found the lock no longer ours (it expired and another replica took it). */
  private taken = false;
  /** When the lease was last set or renewed (ms). */
  private renewedAt = 0;
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
    this.answerMs = options.answerMs ?? ANSWER_MS;
    if (!("oktaLockRenew" in redis)) {
      redis.defineCommand("oktaLockRenew", { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand("oktaLockRelease", { numberOfKeys: 1, lua: RELEASE });
    }
  }

  /** True when the lock may no longer be ours: a renewal found another holder, or none succeeded
   * for a whole lease (Redis unreachable), so the lease may have run out. */
  get lost(): boolean {
    return this.taken || (this.value !== undefined && Date.now() - this.renewedAt >= this.leaseMs);
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
      const asked = Date.now();
      const set = await answered(
        this.redis.set(this.key, value, "PX", this.leaseMs, "NX"),
        this.answerMs,
        `lock ${this.key}`,
      );
      if (set === "OK") return this.hold(value, asked);
      const left = deadline - Date.now();
      if (left <= 0) throw new LockHeldError(await this.heldBy());
      // Look again soon, or when the holder's lease would run out if that is sooner.
      const ttl = await answered(this.redis.pttl(this.key), this.answerMs, `lock ${this.key}`);
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
    // As the other locks do, a release that fails is not the apply's failure: the lease ends it.
    await answered(
      (this.redis as unknown as Scripts).oktaLockRelease(this.key, value),
      this.answerMs,
      `lock ${this.key}`,
    ).catch(() => undefined);
  }

  private hold(value: string, asked: number): void {
    this.value = value;
    this.taken = false;
    // The lease counts from when SET was sent, not from its answer: never later than Redis's.
    this.renewedAt = asked;
    this.timer = setInterval(() => {
      const sent = Date.now();
      (this.redis as unknown as Scripts)
        .oktaLockRenew(this.key, value, String(this.leaseMs))
        .then((renewed) => {
          if (this.value !== value) return;
          if (renewed === 1) this.renewedAt = Math.max(this.renewedAt, sent);
          else this.taken = true;
        })
        // Redis unreachable: the next renewal tries again; the lease covers two misses.
        .catch(() => undefined);
    }, this.leaseMs / 3);
    this.timer.unref();
  }

  private async heldBy(): Promise<string> {
    const raw = await answered(this.redis.get(this.key), this.answerMs, `lock ${this.key}`).catch(
      () => null,
    );
    let who = "unknown holder";
    if (raw) {
      try {
        who = shown(Value.parse(JSON.parse(raw)).holder);
      } catch {
        who = "a holder whose lock value is unreadable";
      }
    } else who = "a holder that just released it";
    return `another apply holds the lock ${this.key} (${who}); waited ${Number((this.waitMs / 1000).toFixed(1))} s`;
  }
}
