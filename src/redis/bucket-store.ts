// The pacer's view of Okta's rate-limit buckets (src/okta/pacer.ts), kept in Redis so that every
// replica of the bot, all of them one Okta principal with one budget, counts the others' requests
// as well as its own. Each bucket is a hash (limit, remaining, reset, whether an answer announced
// them yet) and a sorted set of the requests in flight: one ticket each, scored by a deadline, so
// that a replica killed in the middle of a request does not hold its place in the budget for
// ever. Reading and updating run as one Lua script each: two replicas never both take the last
// place. The rules are those of MemoryBucketStore, line for line.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { rateOf, type BucketStore, type RateHeaders } from "../okta/pacer.js";
import { ANSWER_MS, answered } from "./answer.js";

/** How long a request may hold its place in the budget without an answer: beyond the transport's
 * timeout (30 s) and the SDK's token request before it. */
export const TICKET_MS = 60_000;

/** Keys outlive the window they describe by this much, then go (an idle org leaves nothing). */
const KEEP_MS = 15 * 60_000;

// KEYS: bucket hash, in-flight set. ARGV: share, now, ticket, deadline, keepMs.
// Returns {1} when taken, {0, waitMs} otherwise.
const TAKE = `
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local inFlight = redis.call('ZCARD', KEYS[2])
local h = redis.call('HMGET', KEYS[1], 'known', 'limit', 'remaining', 'resetAt')
local function keep()
  redis.call('ZADD', KEYS[2], tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end
if not h[2] then
  if inFlight > 0 then return {0, 20} end
  redis.call('HSET', KEYS[1], 'known', 0, 'limit', 1, 'remaining', 1, 'resetAt', 0)
  keep()
  return {1, 0}
end
local known = h[1] == '1'
local limit = tonumber(h[2])
local remaining = tonumber(h[3])
local resetAt = tonumber(h[4])
if resetAt > 0 and now >= resetAt then
  remaining = limit
  resetAt = 0
  redis.call('HSET', KEYS[1], 'remaining', remaining, 'resetAt', 0)
end
local fits
if known then
  fits = remaining - inFlight > limit - math.floor(limit * tonumber(ARGV[1]))
else
  fits = inFlight == 0 and remaining > 0
end
if fits then
  keep()
  return {1, 0}
end
if resetAt > 0 then return {0, math.max(5, resetAt - now + 50)} end
return {0, 20}
`;

// KEYS: bucket hash, in-flight set. ARGV: ticket ('' when none), hasRate, limit, remaining,
// resetAt, throttled, now, keepMs.
const GIVE = `
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[2], ARGV[1]) end
local h = redis.call('HMGET', KEYS[1], 'known', 'limit', 'remaining', 'resetAt')
if not h[2] then return 0 end
local known = h[1] == '1'
local remaining = tonumber(h[3])
local resetAt = tonumber(h[4])
if ARGV[2] == '1' then
  local rLimit = tonumber(ARGV[3])
  local rRemaining = tonumber(ARGV[4])
  local rResetAt = tonumber(ARGV[5])
  if rResetAt > resetAt or not known then
    remaining = rRemaining
  else
    remaining = math.min(remaining, rRemaining)
  end
  resetAt = math.max(resetAt, rResetAt)
  redis.call('HSET', KEYS[1], 'known', 1, 'limit', rLimit)
end
if ARGV[6] == '1' then
  remaining = 0
  if resetAt == 0 then resetAt = tonumber(ARGV[7]) + 1000 end
end
redis.call('HSET', KEYS[1], 'remaining', remaining, 'resetAt', resetAt)
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return 1
`;

interface Scripts {
  oktaBucketTake(
    hash: string,
    inFlight: string,
    share: string,
    now: string,
    ticket: string,
    deadline: string,
    keepMs: string,
  ): Promise<[number, number?]>;
  oktaBucketGive(hash: string, inFlight: string, ...args: string[]): Promise<number>;
}

/** A bucket's name as a key part: Okta's own path segments, but a next link is Okta's text. */
function keyPart(text: string): string {
  return encodeURIComponent(text).slice(0, 100);
}

export interface RedisBucketStoreOptions {
  /** How long a request holds its place without an answer. */
  ticketMs?: number;
  /** How long a take or give waits for Redis before it fails. */
  answerMs?: number;
}

export class RedisBucketStore implements BucketStore {
  private readonly base: string;
  /** This process's tickets per bucket, oldest first: give() ends one of them. */
  private readonly tickets = new Map<string, string[]>();
  private readonly ticketMs: number;
  private readonly answerMs: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    orgUrl: string,
    options: RedisBucketStoreOptions = {},
  ) {
    this.ticketMs = options.ticketMs ?? TICKET_MS;
    this.answerMs = options.answerMs ?? ANSWER_MS;
    this.base = `${prefix}:okta:${new URL(orgUrl).host}`;
    if (!("oktaBucketTake" in redis)) {
      redis.defineCommand("oktaBucketTake", { numberOfKeys: 2, lua: TAKE });
      redis.defineCommand("oktaBucketGive", { numberOfKeys: 2, lua: GIVE });
    }
  }

  /** The bucket's two keys; one hash tag, so that a cluster keeps them on one node. */
  private keys(bucket: string): [string, string] {
    const tag = `{${this.base}:${keyPart(bucket)}}`;
    return [`${tag}:rate`, `${tag}:in-flight`];
  }

  async take(
    bucket: string,
    share: number,
    now: number,
  ): Promise<{ ok: true } | { ok: false; waitMs: number }> {
    const ticket = randomUUID();
    const [ok, waitMs] = await answered(
      (this.redis as unknown as Scripts).oktaBucketTake(
        ...this.keys(bucket),
        String(share),
        String(now),
        ticket,
        String(now + this.ticketMs),
        String(KEEP_MS),
      ),
      this.answerMs,
      `rate budget of ${keyPart(bucket)}`,
    );
    if (ok !== 1) return { ok: false, waitMs: Number(waitMs) || 20 };
    const mine = this.tickets.get(bucket) ?? [];
    mine.push(ticket);
    this.tickets.set(bucket, mine);
    return { ok: true };
  }

  async give(
    bucket: string,
    headers: RateHeaders | undefined,
    throttled: boolean,
    now: number,
  ): Promise<void> {
    const mine = this.tickets.get(bucket);
    const ticket = mine?.shift() ?? "";
    if (mine && !mine.length) this.tickets.delete(bucket);
    const rate = rateOf(headers);
    await answered(
      (this.redis as unknown as Scripts).oktaBucketGive(
        ...this.keys(bucket),
        ticket,
        rate ? "1" : "0",
        String(rate?.limit ?? 0),
        String(rate?.remaining ?? 0),
        String(rate?.resetAt ?? 0),
        throttled ? "1" : "0",
        String(now),
        String(KEEP_MS),
      ),
      this.answerMs,
      `rate budget of ${keyPart(bucket)}`,
    );
  }
}
