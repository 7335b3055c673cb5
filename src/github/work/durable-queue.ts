// The App's work queue on Redis (REDIS_URL), shared by every replica: BullMQ keeps the jobs, so a
// delivery acknowledged by one replica is done by whichever is free, survives a restart, and a job
// whose replica died (SIGKILL) is handed to another by BullMQ's stalled-job check. BullMQ knows
// nothing of lanes, so each key (pull request, branch) has its own in Redis, next to the jobs:
//   - `${prefix}:lane:${key}:seq`: a counter giving each job of the key its place (seq);
//   - `${prefix}:lane:${key}:jobs`: the key's jobs not yet finished, id -> "seq:rank:queuedAt";
//   - `${prefix}:lane:${key}:lock`: the job running for the key (SET PX lease, renewed).
// Before a job runs, one script decides atomically: newer unfinished work of the key with a rank
// at least its own exists -> skipped (superseded; the jobs are level-based, so running the newest
// is enough); an older unfinished job exists, or another job holds the key -> moved back to
// delayed and tried again shortly (never failed); else it takes the key. The key's lock is held by
// the job's id, so the worker that takes over a stalled job may take the key at once; a lock whose
// holder vanished expires after one lease. The job id is the delivery id: BullMQ refuses a second
// job with the same id, and finished jobs are kept a day, so a redelivery is found and not done
// again.
import { createHash, randomUUID } from "node:crypto";
import { DelayedError, Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { connectRedis, type RedisSettings } from "../../redis/connection.js";
import {
  WorkItemSchema,
  type SkipListener,
  type WorkHandler,
  type WorkItem,
  type WorkQueue,
} from "./types.js";

export const QUEUE_NAME = "work";
/** Finished jobs (and so their delivery ids) are kept this long: a redelivery within it is
 * found. GitHub lets a delivery be redelivered for 3 days; after a day the work is redone, which
 * the jobs allow (they read GitHub's current state). */
export const KEEP_FINISHED_MS = 24 * 60 * 60 * 1000;

export interface DurableQueueOptions {
  settings: RedisSettings;
  /** Jobs one replica runs at once (of different keys). */
  concurrency?: number;
  /** BullMQ's lock on a running job: a replica that stops renewing it (killed) loses the job
   * after this long, to the next stalled check. */
  lockDurationMs?: number;
  /** How often BullMQ looks for stalled jobs. */
  stalledIntervalMs?: number;
  /** Times a job may be taken over after its replica died before it is failed (default 2). */
  maxStalledCount?: number;
  /** The lease of a key's lock (renewed every third of it while the job runs). */
  laneLeaseMs?: number;
  /** How long a job that cannot take its key waits before it is tried again. */
  retryDelayMs?: number;
  /** close(): how long the running jobs are given to finish before they are handed back. */
  closeGraceMs?: number;
  /** How long enqueue() waits for Redis before it fails (the delivery is then answered with an
   * error, so that GitHub can deliver it again, instead of hanging until GitHub gives up). */
  enqueueTimeoutMs?: number;
  log?: { warn(message: string): void; error(message: string): void };
}

const JobData = z.object({
  item: WorkItemSchema,
  seq: z.number().int().positive(),
  /** Which add this is: a job whose stored token is not ours was queued before (a duplicate). */
  token: z.string(),
});
type JobData = z.infer<typeof JobData>;

/** A key's entry written when a job is queued, unless the job (the same delivery) has one. */
const ENQUEUE = `
local cur = redis.call('HGET', KEYS[2], ARGV[1])
if cur then return {cur, 0} end
local seq = redis.call('INCR', KEYS[1])
local v = seq .. ':' .. ARGV[2] .. ':' .. ARGV[3]
redis.call('HSET', KEYS[2], ARGV[1], v)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {v, 1}`;

/** Whether a job may run now: 'run' (it holds the key), 'wait' or 'superseded'. An entry counts
 * while its job exists unfinished, or, not added yet, for a grace period after it was written. */
const BEGIN = `
local me = ARGV[1]
local seq = tonumber(ARGV[2])
local rank = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local newer = false
local older = false
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local id = entries[i]
  if id ~= me then
    local s, r, t = string.match(entries[i + 1], '^(%d+):(%d+):(%d+)$')
    local live = false
    if s then
      local jk = ARGV[6] .. id
      if redis.call('EXISTS', jk) == 1 then
        live = redis.call('HEXISTS', jk, 'finishedOn') == 0
      else
        live = (now - tonumber(t)) < tonumber(ARGV[7])
      end
    end
    if not live then
      redis.call('HDEL', KEYS[1], id)
    elseif tonumber(s) > seq and tonumber(r) >= rank then
      newer = true
    elseif tonumber(s) < seq then
      older = true
    end
  end
end
if newer then
  redis.call('HDEL', KEYS[1], me)
  return 'superseded'
end
if older then return 'wait' end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= me then return 'wait' end
redis.call('SET', KEYS[2], me, 'PX', ARGV[5])
return 'run'`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const END = `
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;

/** An entry not yet followed by its job counts this long (the add is on its way). */
const ADD_GRACE_MS = 30_000;

/** BullMQ's job id for an item: from its delivery id (so a redelivery is the same job). */
export function jobIdOf(item: WorkItem): string {
  if (item.delivery === undefined) return `w-${randomUUID()}`;
  // BullMQ refuses ':' and integer ids; GitHub's delivery ids are GUIDs, kept as they are (they
  // read back in Redis), anything else is hashed so that two ids never meet.
  if (/^[A-Za-z0-9_.-]{1,200}$/.test(item.delivery)) return `d-${item.delivery}`;
  return `h-${createHash("sha256").update(item.delivery).digest("hex")}`;
}

export interface DurableWorkQueue extends WorkQueue {
  /** The Redis client of the queue (for the drift claim and the readiness probe). */
  readonly redis: Redis;
}

export function durableWorkQueue(options: DurableQueueOptions): DurableWorkQueue {
  const { settings } = options;
  const lease = options.laneLeaseMs ?? 30_000;
  const retryDelay = options.retryDelayMs ?? 250;
  const redis = connectRedis(settings);
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: settings.prefix });
  const jobKey = queue.toKey("");
  const laneKey = (key: string, part: "seq" | "jobs" | "lock") =>
    `${settings.prefix}:lane:${key}:${part}`;
  let worker: Worker | undefined;
  let workerRedis: Redis | undefined;
  let closed = false;
  /** Jobs this replica runs now. */
  let active = 0;

  const onError = (what: string) => (error: unknown) =>
    options.log?.error(
      `work queue (${what}): ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
    );
  queue.on("error", onError("queue"));

  const runJob = async (
    job: Job,
    token: string | undefined,
    handler: WorkHandler,
    skipped: SkipListener,
  ): Promise<string> => {
    const parsed = JobData.safeParse(job.data);
    if (!parsed.success) {
      // Not written by this App (or by another version of it): nothing of it is run.
      options.log?.error(`work queue: job ${job.id} is not a work item: dropped`);
      return "dropped";
    }
    const { item, seq } = parsed.data;
    const id = job.id!;
    const verdict = (await redis.eval(
      BEGIN,
      2,
      laneKey(item.key, "jobs"),
      laneKey(item.key, "lock"),
      id,
      seq,
      item.rank,
      Date.now(),
      lease,
      jobKey,
      ADD_GRACE_MS,
    )) as string;
    if (verdict === "wait") {
      // Its key is busy (or older work of it waits): back to delayed, not failed.
      await job.moveToDelayed(Date.now() + retryDelay, token);
      throw new DelayedError();
    }
    if (verdict === "superseded") {
      skipped(item, "superseded");
      return "superseded";
    }
    active++;
    const renewal = setInterval(() => {
      redis
        .eval(RENEW, 1, laneKey(item.key, "lock"), id, lease)
        .then((renewed) => {
          if (!renewed) options.log?.warn(`work queue: ${item.key}: the key's lock was lost`);
        })
        .catch(onError("renewal"));
    }, lease / 3);
    try {
      return (await handler(item)) ?? "done";
    } finally {
      clearInterval(renewal);
      active--;
      await redis
        .eval(END, 2, laneKey(item.key, "jobs"), laneKey(item.key, "lock"), id)
        .catch(onError("end"));
    }
  };

  const counts = async () => {
    const c = await queue.getJobCounts("active", "waiting", "delayed", "prioritized", "paused");
    return Object.values(c).reduce((a, b) => a + b, 0);
  };

  const enqueue = async (item: WorkItem): Promise<"queued" | "duplicate"> => {
    if (closed) throw new Error("the App is shutting down: the delivery was not queued");
    const jobId = jobIdOf(item);
    const [entry, created] = (await redis.eval(
      ENQUEUE,
      2,
      laneKey(item.key, "seq"),
      laneKey(item.key, "jobs"),
      jobId,
      item.rank,
      Date.now(),
      KEEP_FINISHED_MS,
    )) as [string, number];
    const seq = Number(entry.split(":")[0]);
    const data: JobData = { item, seq, token: randomUUID() };
    await queue.add(item.kind, data, {
      jobId,
      attempts: 1,
      removeOnComplete: { age: KEEP_FINISHED_MS / 1000 },
      removeOnFail: { age: KEEP_FINISHED_MS / 1000 },
    });
    // BullMQ answers a second add of an id with the first job: its stored token says whose.
    const stored = await Job.fromId(queue, jobId);
    const theirs = JobData.safeParse(stored?.data);
    if (theirs.success && theirs.data.token === data.token) return "queued";
    if (created)
      // The entry written for this add belongs to no job: the first one has finished.
      await redis.hdel(laneKey(item.key, "jobs"), jobId);
    return "duplicate";
  };

  return {
    redis,
    enqueue: (item) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("Redis did not answer: the delivery was not queued")),
          options.enqueueTimeoutMs ?? 5000,
        );
      });
      return Promise.race([enqueue(item), late]).finally(() => clearTimeout(timer));
    },
    start(handler, skipped = () => {}) {
      if (worker || closed) return;
      workerRedis = connectRedis(settings);
      worker = new Worker(QUEUE_NAME, (job, token) => runJob(job, token, handler, skipped), {
        connection: workerRedis,
        prefix: settings.prefix,
        concurrency: options.concurrency ?? 8,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 2,
      });
      worker.on("error", onError("worker"));
      worker.on("stalled", (id) =>
        options.log?.warn(`work queue: job ${id} stalled (its replica stopped): taken over`),
      );
      worker.on("failed", (job, error) => {
        if (job && !(error instanceof DelayedError)) onError(`job ${job.id}`)(error);
      });
    },
    async idle() {
      // The whole queue, every replica's share: nothing waiting, delayed or running.
      for (;;) {
        if (closed) return;
        if (active === 0 && (await counts()) === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stats() {
      const depth = await counts();
      const jobs = await queue.getJobs(
        ["active", "waiting", "delayed", "prioritized"],
        0,
        99,
        true,
      );
      const oldest = jobs.reduce<number | undefined>(
        (m, j) => (j && (m === undefined || j.timestamp < m) ? j.timestamp : m),
        undefined,
      );
      return {
        depth,
        oldestAgeMs: oldest === undefined ? undefined : Math.max(0, Date.now() - oldest),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (worker) {
        const w = worker;
        // No new job; the running ones finish within the grace. Past it they are handed back:
        // the worker closes without waiting, its jobs' locks lapse, and BullMQ's stalled check
        // gives them to another replica.
        await w.pause(true);
        const end = Date.now() + (options.closeGraceMs ?? 20_000);
        while (active > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
        if (active > 0)
          options.log?.warn(
            `work queue: ${active} running job(s) handed back to the other replicas`,
          );
        await w.close(active > 0);
      }
      await queue.close();
      redis.disconnect();
      workerRedis?.disconnect();
    },
  };
}
