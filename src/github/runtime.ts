// What the App's jobs share, apart from the app function that builds it (so that a job can name
// it without importing the module that imports the job).
import type { Context } from "probot";
import type { OktaWriter } from "../workflows/apply.js";
import type { ArchiveCache } from "./archives.js";
import type { GitHubPort, RepoRef } from "./port.js";
import type { JobQueue } from "./queue.js";
import type { Timer } from "./jobs/drift.js";
import type { Observer } from "./observe.js";

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
  /** Told of each job's end and each reconcile's outcome (nothing recorded when not given). */
  observer?: Observer;
}

export interface AppLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What the jobs registered on the app share: the queue, the App's own login, the archive cache. */
export interface AppRuntime {
  deps: AppDeps;
  queue: JobQueue;
  log: AppLog;
  archives: ArchiveCache;
  /** `<app-slug>[bot]`: the login of the App's comments, check runs, issues and deployments. */
  appLogin(): Promise<string>;
  /** The port over the event's installation, for the event's repository. */
  portOf(context: Context): GitHubPort;
  /** Whether `repo` is the configured repository (the one whose default branch may change Okta). */
  isConfigured(repo: RepoRef): boolean;
}
