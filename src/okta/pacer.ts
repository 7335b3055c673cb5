// Pacing from Okta's rate-limit headers. Okta announces, per bucket, the limit, what remains and
// when the window resets (X-Rate-Limit-Limit/Remaining/Reset). The pacer keeps the bot below its
// share of each bucket: it counts requests it has in flight against what remains, and when the
// share is used up it waits for the reset instead of running into a 429.
import { setTimeout as sleep } from "node:timers/promises";

/** Okta's rate-limit buckets are per endpoint family; these follow the path prefixes. */
export function bucketOf(path: string): string {
  const p = path.replace(/^https?:\/\/[^/]+/, "").split("?")[0]!;
  if (p.startsWith("/oauth2/v1/token")) return "token";
  if (p.startsWith("/oauth2/v1/clients")) return "clients";
  const m = /^\/api\/v1\/([^/]+)/.exec(p);
  return m?.[1] ?? "default";
}

interface Bucket {
  limit: number;
  remaining: number;
  /** Epoch ms of the window's end. */
  resetAt: number;
  inFlight: number;
}

export interface PacerOptions {
  /** Share (0..1] of each announced limit the bot allows itself. */
  share?: number;
  /** Clock and timer, for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

export class Pacer {
  private buckets = new Map<string, Bucket>();
  private readonly share: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<unknown>;
  /** 429 answers seen, for reports and benchmarks. */
  throttled = 0;
  waits = 0;

  constructor(options: PacerOptions = {}) {
    this.share = Math.min(1, Math.max(0.01, options.share ?? 1));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
  }

  /** Waits until one more request fits in the bucket's share, then counts it as in flight. */
  async acquire(bucket: string): Promise<void> {
    for (;;) {
      const b = this.buckets.get(bucket);
      if (!b) {
        // Nothing known yet: one request at a time until the first answer tells the limit.
        this.buckets.set(bucket, { limit: 1, remaining: 1, resetAt: 0, inFlight: 1 });
        return;
      }
      const now = this.now();
      if (b.resetAt && now >= b.resetAt) {
        b.remaining = b.limit;
        b.resetAt = 0;
      }
      const reserve = b.limit - Math.floor(b.limit * this.share);
      if (b.remaining - b.inFlight > reserve) {
        b.inFlight++;
        return;
      }
      this.waits++;
      const wait = b.resetAt ? Math.max(5, b.resetAt - now + 50) : 20;
      await this.sleep(Math.min(wait, 61_000));
    }
  }

  /** Records an answer's headers (or none, for a dropped connection) and ends the request. */
  release(bucket: string, headers?: { get(name: string): string | null }): void {
    const b = this.buckets.get(bucket);
    if (!b) return;
    b.inFlight = Math.max(0, b.inFlight - 1);
    const limit = Number(headers?.get("x-rate-limit-limit"));
    const remaining = Number(headers?.get("x-rate-limit-remaining"));
    const reset = Number(headers?.get("x-rate-limit-reset"));
    if (!Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset) || !limit)
      return;
    const resetAt = reset * 1000;
    // Answers of one window may arrive out of order: keep the lowest remaining of the window.
    if (resetAt > b.resetAt || b.limit === 1) b.remaining = remaining;
    else b.remaining = Math.min(b.remaining, remaining);
    b.limit = limit;
    b.resetAt = Math.max(b.resetAt, resetAt);
  }

  /** After a 429: nothing remains until the reset. */
  exhausted(bucket: string, headers?: { get(name: string): string | null }): void {
    this.throttled++;
    this.release(bucket, headers);
    const b = this.buckets.get(bucket);
    if (b) {
      b.remaining = 0;
      if (!b.resetAt) b.resetAt = this.now() + 1000;
    }
  }
}
