// Pacing from Okta's rate-limit headers. Okta announces, per bucket, the limit, what remains and
// when the window resets (X-Rate-Limit-Limit/Remaining/Reset). The pacer keeps the bot below its
// share of each bucket: it counts requests it has in flight against what remains, and when the
// share is used up it waits for the reset instead of running into a 429.
//
// The view of each bucket lives in a BucketStore: in memory for one process (the default), or in
// Redis (src/redis/bucket-store.ts) so that several replicas of the bot, which share one Okta
// principal and so one budget, count each other's requests too.
import { setTimeout as sleep } from "node:timers/promises";

/** Okta's rate-limit buckets are per endpoint family; these follow the path prefixes. */
export function bucketOf(path: string): string {
  const p = path.replace(/^https?:\/\/[^/]+/, "").split("?")[0]!;
  if (p.startsWith("/oauth2/v1/token")) return "token";
  if (p.startsWith("/oauth2/v1/clients")) return "clients";
  const m = /^\/api\/v1\/([^/]+)/.exec(p);
  return m?.[1] ?? "default";
}

export interface RateHeaders {
  get(name: string): string | null;
}

/** Where the pacer keeps its view of each bucket. */
export interface BucketStore {
  /** Takes a place for one request in the bucket's share, or says how long to wait. */
  take(
    bucket: string,
    share: number,
    now: number,
  ): Promise<{ ok: true } | { ok: false; waitMs: number }>;
  /** Ends one request of this process in the bucket, recording the answer's headers
   * (undefined: no answer); throttled: it was a 429. */
  give(
    bucket: string,
    headers: RateHeaders | undefined,
    throttled: boolean,
    now: number,
  ): Promise<void>;
}

/** What one answer says of its bucket; undefined when the headers are missing or unusable. */
export function rateOf(
  headers: RateHeaders | undefined,
): { limit: number; remaining: number; resetAt: number } | undefined {
  const limit = Number(headers?.get("x-rate-limit-limit"));
  const remaining = Number(headers?.get("x-rate-limit-remaining"));
  const reset = Number(headers?.get("x-rate-limit-reset"));
  if (!Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset) || !limit)
    return undefined;
  return { limit, remaining, resetAt: reset * 1000 };
}

/** How long to wait when the share is used up: until just after the reset when one is known,
 * otherwise a short poll (an answer of another request is awaited). */
export function waitFor(resetAt: number, now: number): number {
  return resetAt ? Math.max(5, resetAt - now + 50) : 20;
}

interface Bucket {
  /** False until an answer announced the limit: one request at a time until then. */
  known: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms of the window's end. */
  resetAt: number;
  inFlight: number;
}

/** One process's view, in memory. */
export class MemoryBucketStore implements BucketStore {
  private buckets = new Map<string, Bucket>();

  async take(
    bucket: string,
    share: number,
    now: number,
  ): Promise<{ ok: true } | { ok: false; waitMs: number }> {
    const b = this.buckets.get(bucket);
    if (!b) {
      this.buckets.set(bucket, { known: false, limit: 1, remaining: 1, resetAt: 0, inFlight: 1 });
      return { ok: true };
    }
    if (b.resetAt && now >= b.resetAt) {
      b.remaining = b.limit;
      b.resetAt = 0;
    }
    // Before the first answer the share cannot be computed (the limit is unknown): one request
    // at a time, whatever the share, so that a first request lost without an answer does not
    // leave the bucket closed for ever.
    const fits = b.known
      ? b.remaining - b.inFlight > b.limit - Math.floor(b.limit * share)
      : b.inFlight === 0 && b.remaining > 0;
    if (fits) {
      b.inFlight++;
      return { ok: true };
    }
    return { ok: false, waitMs: waitFor(b.resetAt, now) };
  }

  async give(
    bucket: string,
    headers: RateHeaders | undefined,
    throttled: boolean,
    now: number,
  ): Promise<void> {
    const b = this.buckets.get(bucket);
    if (!b) return;
    b.inFlight = Math.max(0, b.inFlight - 1);
    const rate = rateOf(headers);
    if (rate) {
      // Answers of one window may arrive out of order: keep the lowest remaining of the window.
      if (rate.resetAt > b.resetAt || !b.known) b.remaining = rate.remaining;
      else b.remaining = Math.min(b.remaining, rate.remaining);
      b.limit = rate.limit;
      b.resetAt = Math.max(b.resetAt, rate.resetAt);
      b.known = true;
    }
    if (throttled) {
      // After a 429: nothing remains until the reset.
      b.remaining = 0;
      if (!b.resetAt) b.resetAt = now + 1000;
    }
  }
}

/** What the pacer reports, for metrics: each request let through, each 429, each wait. */
export interface PacerEvent {
  type: "request" | "throttled" | "wait";
  bucket: string;
  /** For a wait: how long. */
  waitMs?: number;
}

export interface PacerOptions {
  /** Share (0..1] of each announced limit the bot allows itself. */
  share?: number;
  /** The view of the buckets; in memory unless given (Redis, to share it between replicas). */
  store?: BucketStore;
  /** Hears of every request, 429 and wait (metrics). It must not throw. */
  observe?: (e: PacerEvent) => void;
  /** Clock and timer, for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

export class Pacer {
  readonly store: BucketStore;
  private readonly share: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<unknown>;
  private readonly observe: (e: PacerEvent) => void;
  /** 429 answers seen, for reports and benchmarks. */
  throttled = 0;
  waits = 0;

  constructor(options: PacerOptions = {}) {
    this.share = Math.min(1, Math.max(0.01, options.share ?? 1));
    this.store = options.store ?? new MemoryBucketStore();
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.observe = options.observe ?? (() => {});
  }

  /** Waits until one more request fits in the bucket's share, then counts it as in flight. */
  async acquire(bucket: string): Promise<void> {
    for (;;) {
      const taken = await this.store.take(bucket, this.share, this.now());
      if (taken.ok) {
        this.observe({ type: "request", bucket });
        return;
      }
      this.waits++;
      const waitMs = Math.min(taken.waitMs, 61_000);
      this.observe({ type: "wait", bucket, waitMs });
      await this.sleep(waitMs);
    }
  }

  /** Records an answer's headers (or none, for a dropped connection) and ends the request. */
  release(bucket: string, headers?: RateHeaders): Promise<void> {
    return this.store.give(bucket, headers, false, this.now());
  }

  /** After a 429: nothing remains until the reset. */
  exhausted(bucket: string, headers?: RateHeaders): Promise<void> {
    this.throttled++;
    this.observe({ type: "throttled", bucket });
    return this.store.give(bucket, headers, true, this.now());
  }
}
