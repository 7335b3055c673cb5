// The App's Prometheus metrics, on a registry of its own (prom-client's global one is shared by
// every module that loads prom-client, and a test's second App would count into the first one's
// figures). What the App tells its Observer (jobs, reconciles, GitHub requests) and what the Okta
// pacer tells its `observe` callback (requests, 429s and waits per rate-limit bucket) become
// counters; the queue's depth, its oldest job's age and the time since the last successful apply
// are read when scraped, so they are never stale.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PacerEvent } from "../okta/pacer.js";
import type { JobKind, JobOutcome, Observer } from "./observe.js";

/** What the pacer reports: each request let through, each 429, each wait (with its length). */
export type { PacerEvent };

/** The work queue's view (WorkQueue.stats). */
export interface QueueStats {
  depth: number;
  oldestAgeMs: number | undefined;
}

export interface MetricsOptions {
  /** The work queue's figures, read at each scrape (no queue: the gauges read 0). */
  stats?: () => Promise<QueueStats>;
  /** Epoch ms (tests move it). */
  now?: () => number;
  /** prom-client's process metrics (CPU, memory, event loop, handles); default on. */
  processMetrics?: boolean;
}

export interface AppMetrics {
  registry: Registry;
  /** The App's observer: jobs, reconciles, GitHub requests. */
  observer: Observer;
  /** The Okta pacer's `observe` callback. */
  pacerObserve(e: PacerEvent): void;
  /** Sets (or replaces) where the queue's figures come from. */
  setStats(stats: (() => Promise<QueueStats>) | undefined): void;
  /** The text exposition format, for `/metrics`. */
  metrics(): Promise<string>;
  contentType: string;
}

const JOB_KINDS: readonly JobKind[] = ["pull", "approval", "push", "rerun", "drift"];
const JOB_OUTCOMES: readonly JobOutcome[] = ["done", "failed", "superseded", "duplicate"];
const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "error"] as const;

/** An answer's status as its class; 0 (no answer) or anything outside 100..599 is "error". */
export function statusClass(status: number): (typeof STATUS_CLASSES)[number] {
  if (!Number.isInteger(status) || status < 200 || status > 599) return "error";
  return `${Math.floor(status / 100)}xx` as (typeof STATUS_CLASSES)[number];
}

/** A bucket name as a label value: Okta's path families are short words; anything else (the
 * pacer names buckets after request paths) is bounded so that no caller can grow the series
 * without limit. */
const MAX_BUCKETS = 100;

export function createMetrics(options: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  let stats = options.stats;
  let lastApplyMs: number | undefined;
  const registers = [registry];

  const jobs = new Counter({
    name: "okta_gitops_jobs_total",
    help: "Jobs ended, by kind (pull, approval, push, rerun, drift) and outcome (done, failed, superseded, duplicate).",
    labelNames: ["kind", "outcome"] as const,
    registers,
  });
  const jobSeconds = new Histogram({
    name: "okta_gitops_job_duration_seconds",
    help: "How long jobs ran, by kind.",
    labelNames: ["kind"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
    registers,
  });
  const reconciles = new Counter({
    name: "okta_gitops_reconciles_total",
    help: "Applies and drift checks against Okta, by kind (apply, drift) and outcome (success, failure, refused).",
    labelNames: ["kind", "outcome"] as const,
    registers,
  });
  const driftFound = new Counter({
    name: "okta_gitops_drift_found_total",
    help: "Integrations found drifted from the default branch by drift checks.",
    registers,
  });
  const driftCorrected = new Counter({
    name: "okta_gitops_drift_corrected_total",
    help: "Drifted integrations put back by drift checks (correct mode).",
    registers,
  });
  const oktaRequests = new Counter({
    name: "okta_gitops_okta_requests_total",
    help: "Requests to Okta's API let through by the pacer, by rate-limit bucket.",
    labelNames: ["bucket"] as const,
    registers,
  });
  const oktaThrottled = new Counter({
    name: "okta_gitops_okta_throttled_total",
    help: "Okta answers 429 (rate limited), by rate-limit bucket.",
    labelNames: ["bucket"] as const,
    registers,
  });
  const oktaWaits = new Counter({
    name: "okta_gitops_okta_waits_total",
    help: "Times the pacer held a request back to stay within the bot's share, by bucket.",
    labelNames: ["bucket"] as const,
    registers,
  });
  const oktaWaitSeconds = new Counter({
    name: "okta_gitops_okta_wait_seconds_total",
    help: "Time the pacer held requests back, by bucket.",
    labelNames: ["bucket"] as const,
    registers,
  });
  const githubRequests = new Counter({
    name: "okta_gitops_github_requests_total",
    help: "Requests to GitHub's API, by the answer's status class (2xx, 3xx, 4xx, 5xx; error: no answer).",
    labelNames: ["status"] as const,
    registers,
  });
  // Read at scrape time: the queue is asked once per scrape for both gauges.
  let pendingStats: Promise<QueueStats | undefined> | undefined;
  const readStats = () =>
    (pendingStats ??= (async () => {
      try {
        return stats ? await stats() : undefined;
      } catch {
        // A queue that cannot say (Redis away) leaves both gauges out of this scrape: /readyz
        // says why.
        return undefined;
      } finally {
        setImmediate(() => (pendingStats = undefined));
      }
    })());
  new Gauge({
    name: "okta_gitops_queue_depth",
    help: "Jobs waiting or running.",
    registers,
    async collect() {
      const s = await readStats();
      if (s) this.set(s.depth);
      else if (stats) this.remove();
      else this.set(0);
    },
  });
  new Gauge({
    name: "okta_gitops_queue_oldest_job_age_seconds",
    help: "Seconds since the oldest unfinished job (waiting or running) was queued (0 when none).",
    registers,
    async collect() {
      const s = await readStats();
      if (s) this.set((s.oldestAgeMs ?? 0) / 1000);
      else if (stats) this.remove();
      else this.set(0);
    },
  });
  new Gauge({
    name: "okta_gitops_last_successful_apply_timestamp_seconds",
    help: "When this process last applied the default branch to Okta successfully (Unix time; absent before the first).",
    registers,
    collect() {
      if (lastApplyMs === undefined) this.remove();
      else this.set(lastApplyMs / 1000);
    },
  });
  new Gauge({
    name: "okta_gitops_seconds_since_last_successful_apply",
    help: "Seconds since this process last applied the default branch to Okta successfully (absent before the first).",
    registers,
    collect() {
      if (lastApplyMs === undefined) this.remove();
      else this.set(Math.max(0, (now() - lastApplyMs) / 1000));
    },
  });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  // Every series a dashboard expects exists from the start (at 0), not only once it happened.
  for (const kind of JOB_KINDS) for (const outcome of JOB_OUTCOMES) jobs.inc({ kind, outcome }, 0);
  for (const kind of ["apply", "drift"] as const)
    for (const outcome of ["success", "failure", "refused"] as const)
      reconciles.inc({ kind, outcome }, 0);
  for (const status of STATUS_CLASSES) githubRequests.inc({ status }, 0);

  const buckets = new Set<string>();
  const bucketLabel = (bucket: string): string => {
    const b = /^[a-z][a-zA-Z0-9_-]{0,40}$/.test(bucket) ? bucket : "other";
    if (buckets.has(b)) return b;
    if (buckets.size >= MAX_BUCKETS) return "other";
    buckets.add(b);
    return b;
  };

  const observer: Observer = {
    jobEnded(e) {
      jobs.inc({ kind: e.kind, outcome: e.outcome });
      // A duplicate did no work: its near-zero time would only drag the distribution down.
      if (e.outcome !== "duplicate") jobSeconds.observe({ kind: e.kind }, Math.max(0, e.ms) / 1000);
    },
    reconciled(e) {
      reconciles.inc({ kind: e.kind, outcome: e.outcome });
      if (e.driftFound) driftFound.inc(e.driftFound);
      if (e.driftCorrected) driftCorrected.inc(e.driftCorrected);
      if (e.kind === "apply" && e.outcome === "success") {
        const at = e.at.getTime();
        if (lastApplyMs === undefined || at > lastApplyMs) lastApplyMs = at;
      }
    },
    githubRequest(status) {
      githubRequests.inc({ status: statusClass(status) });
    },
  };

  return {
    registry,
    observer,
    pacerObserve(e) {
      const bucket = bucketLabel(e.bucket);
      if (e.type === "request") oktaRequests.inc({ bucket });
      else if (e.type === "throttled") oktaThrottled.inc({ bucket });
      else {
        oktaWaits.inc({ bucket });
        if (e.waitMs && e.waitMs > 0) oktaWaitSeconds.inc({ bucket }, e.waitMs / 1000);
      }
    },
    setStats(s) {
      stats = s;
    },
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** One observer that tells each of `observers` (the metrics, the log). A throwing observer does
 * not keep the others, or the job, from going on. */
export function observers(...list: Observer[]): Observer {
  const each =
    <K extends keyof Observer>(k: K) =>
    (...args: Parameters<Observer[K]>) => {
      for (const o of list) {
        try {
          (o[k] as (...a: Parameters<Observer[K]>) => void)(...args);
        } catch {
          /* an observer's failure is not the job's */
        }
      }
    };
  return {
    jobEnded: each("jobEnded"),
    reconciled: each("reconciled"),
    githubRequest: each("githubRequest"),
  };
}
