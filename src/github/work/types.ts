// The App's work as plain data: what a webhook asks for, queued, and done by one item runner. The
// same items go through the queue in memory (one process) or through Redis (several replicas), so
// an item holds only what can cross Redis: which lane it belongs to, what it covers, where it came
// from, and what the runner needs to redo it by reading GitHub's current state (level-based).
import { z } from "zod";
import type { JobKind, JobOutcome } from "../observe.js";

/** One unit of work, plain data (it crosses Redis): what the runner needs to redo it. */
export interface WorkItem {
  kind: JobKind;
  /** The lane (lower-case): owner/repo#12 | owner/repo@main | owner/repo#drift. One job of a lane
   * runs at a time, in order. */
  key: string;
  /** What it covers: a full check (1) covers an approval-only one (0), so a waiting job is
   * superseded only by newer work of a rank at least its own. */
  rank: number;
  /** X-GitHub-Delivery (+ "-n" when one delivery gives n items): a redelivery is not done twice. */
  delivery?: string;
  /** payload.installation.id: the runner authenticates as it. */
  installation?: number;
  repo: { owner: string; repo: string };
  /** What the kind needs, e.g. { number, defaultBranch } | { after, branch } | { headSha }. */
  data: Record<string, unknown>;
}

/** Runs one item; says how it ended when it did not simply get done (e.g. superseded). */
export type WorkHandler = (item: WorkItem) => Promise<JobOutcome | void>;

/** Told of an item the queue skipped without running it: newer work of its lane covers it. */
export type SkipListener = (item: WorkItem, outcome: "superseded") => void;

export interface WorkQueue {
  /** Queues `item`; a delivery id seen before is not queued again. */
  enqueue(item: WorkItem): Promise<"queued" | "duplicate">;
  /** Starts handing items to `handler` (one at a time per key, in order; superseded ones are
   * skipped and told to `skipped`). */
  start(handler: WorkHandler, skipped?: SkipListener): void;
  /** Resolves when nothing runs or waits (tests, clean shutdown). */
  idle(): Promise<void>;
  /** Items waiting or running, and how long ago the oldest of them was queued (metrics,
   * readiness): one stuck running ages as one stuck waiting does. */
  stats(): Promise<{ depth: number; oldestAgeMs: number | undefined }>;
  /** Stop taking work; wait for the running job (memory) or hand it back (Redis), then close. */
  close(): Promise<void>;
}

const KINDS = ["pull", "approval", "push", "rerun", "drift"] as const satisfies readonly JobKind[];

/** A work item as read back from Redis: checked like any outside input. */
export const WorkItemSchema = z.object({
  kind: z.enum(KINDS),
  key: z.string().min(1).max(400),
  rank: z.number().int().min(0).max(100),
  delivery: z.string().min(1).max(200).optional(),
  installation: z.number().int().positive().optional(),
  repo: z.object({ owner: z.string().min(1).max(100), repo: z.string().min(1).max(100) }),
  data: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<WorkItem>;
