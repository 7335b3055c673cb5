// What the App's jobs share, apart from the app function that builds it (so that a job can name
// it without importing the module that imports the job).
import type { OktaWriter } from "../workflows/apply.js";
import type { ArchiveCache } from "./archives.js";
import type { Observer } from "./observe.js";
import type { GitHubPort, RepoRef } from "./port.js";
import type { WorkItem, WorkQueue } from "./work/types.js";
import type { Timer } from "./jobs/drift.js";

/** What the App is given by whoever runs it (`okta-gitops serve`, or a test). */
export interface AppDeps {
  /** The Okta session the jobs use (opened once by the caller, which closes it). */
  okta(): Promise<OktaWriter>;
  /** OKTA_GITOPS_REPOSITORY: the one repository whose default branch may change Okta. */
  repository: RepoRef | undefined;
  /** Okta is the local org (no OKTA_* settings): said in the reports, never treated as approval. */
  sandbox?: boolean;
  clock(): Date;
  /** Where the App's own lines go (Probot's logger when not given). */
  log?: AppLog;
  /** The drift schedule's timer (the process's when not given; tests drive one by hand). */
  driftTimer?: Timer;
  /** The work queue (built once, when the App is loaded): in memory when not given; on Redis
   * with REDIS_URL, shared by the replicas. It is given the App's log for its own errors. */
  work?: (log: AppLog) => WorkQueue;
  /** Told of each job's end and each reconcile's outcome (the log line, the metrics). */
  observer?: Observer;
  /** Whether this replica runs this round of the drift schedule: with Redis, a claim (SET NX PX)
   * that one replica takes; absent, always. */
  driftClaim?: (ttlMs: number) => Promise<boolean>;
}

export interface AppLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What the jobs registered on the app share: the queue, the App's own login, the archive cache. */
export interface AppRuntime {
  deps: AppDeps;
  log: AppLog;
  observer: Observer;
  archives: ArchiveCache;
  /** Queues an item (a redelivered one is told to the observer as a duplicate, not queued). */
  enqueue(item: WorkItem): Promise<void>;
  /** `<app-slug>[bot]`: the login of the App's comments, check runs, issues and deployments. */
  appLogin(): Promise<string>;
  /** The port over an item's installation, for the item's repository. */
  portFor(item: Pick<WorkItem, "installation" | "repo">): Promise<GitHubPort>;
  /** Whether `repo` is the configured repository (the one whose default branch may change Okta). */
  isConfigured(repo: RepoRef): boolean;
}
