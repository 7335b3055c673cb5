// Drift on a schedule: main is compared with Okta through the same workflow as `okta-gitops drift`,
// reporting or correcting per `bot.drift.mode` (a correction obeys the same approvals as an apply:
// the merge job's decision), and the outcome is kept in ONE issue: opened when Okta differs or
// something could not be checked, updated per field, closed when Okta is clean again (or when a
// correction put everything right, so the issue records what was changed by hand).
import { durationMs, DEFAULT_CONFIG } from "../../model/index.js";
import { checkDrift } from "../../workflows/drift.js";
import type { DriftRun } from "./runs.js";
import type { GitHubPort } from "../port.js";
import {
  approvedWorkspace,
  unapprovedOf,
  errorText,
  ISSUE_LABEL,
  ownIssues,
  revisionSource,
  type MergeJobDeps,
} from "./merge.js";
import { driftIssue, MARKERS } from "../render/index.js";

/** The interval when main's settings cannot be read. */
export const DEFAULT_DRIFT_MS = durationMs(DEFAULT_CONFIG.bot.drift.interval);

/** One drift check of the default branch; returns the run and the interval main's settings ask for. */
export async function runDriftJob(
  port: GitHubPort,
  deps: MergeJobDeps,
  at: { branch: string },
): Promise<{ run: DriftRun; intervalMs: number }> {
  const run: DriftRun = {
    sha: "",
    branch: at.branch,
    mode: "report",
    verdicts: [],
    clean: false,
    corrected: false,
  };
  let intervalMs = DEFAULT_DRIFT_MS;
  try {
    run.sha = await port.branchHead(at.branch);
    const source = await revisionSource(port, deps, run.sha);
    const decided = await approvedWorkspace(port, deps, { ...at, sha: run.sha, source });
    const ws = decided.workspace;
    intervalMs = durationMs(ws.config.bot.drift.interval);
    run.verdicts = decided.verdicts;
    run.mode = ws.config.bot.drift.mode;
    if (decided.settingsRefused) run.settingsRefused = decided.settingsRefused;
    // Unapproved settings may not even say how to check: they are read for the interval, and the
    // drift only reported, never corrected under them.
    const correct = run.mode === "correct" && !decided.settingsRefused;
    run.report = await checkDrift(ws, { okta: deps.okta }, { correct });
    run.corrected = Boolean(run.report.report) && run.report.items.length > 0;
  } catch (error) {
    run.error = errorText(error);
    deps.log?.error(`drift check of ${at.branch}: ${run.error}`);
  }
  await keepDriftIssue(port, deps, run);
  return { run, intervalMs };
}

/** The one drift issue: opened (or the last one opened again) or updated while Okta differs or
 * something is refused or unchecked; closed once clean. A correction that put everything right is recorded in it (opened
 * if need be) and then closed. Only the App's own issue counts. */
async function keepDriftIssue(port: GitHubPort, deps: MergeJobDeps, run: DriftRun): Promise<void> {
  const open = await ownIssues(port, deps.botLogin, MARKERS.drift);
  const issue = driftIssue({
    sha: run.sha,
    mode: run.mode,
    ...(run.report ? { report: run.report } : {}),
    ...(run.error !== undefined ? { error: run.error } : {}),
    unapproved: unapprovedOf(run.verdicts),
    unchecked: run.settingsRefused
      ? [
          {
            integration: run.settingsRefused.file,
            reason: `not approved, so drift is only reported, never corrected under it: ${run.settingsRefused.reason}`,
          },
        ]
      : [],
    checkedAt: deps.now().toISOString(),
  });
  run.clean = !issue.open;
  if (issue.open) {
    if (open[0]) {
      await port.updateIssue(open[0].number, { title: issue.title, body: issue.body });
      return;
    }
    // The one drift issue: the last one closed is opened again, so its history stays in one place.
    const closed = await ownIssues(port, deps.botLogin, MARKERS.drift, "closed");
    const last = closed.sort((a, b) => b.number - a.number)[0];
    if (last)
      await port.updateIssue(last.number, { title: issue.title, body: issue.body, state: "open" });
    else await port.createIssue(issue.title, issue.body, [ISSUE_LABEL]);
    return;
  }
  for (const o of open)
    await port.updateIssue(o.number, { title: issue.title, body: issue.body, state: "closed" });
  // Drift found and corrected with no issue open: the issue records it (the last one, or a new
  // one), closed at once.
  if (!open.length && run.corrected) {
    const closed = await ownIssues(port, deps.botLogin, MARKERS.drift, "closed");
    const last = closed.sort((a, b) => b.number - a.number)[0];
    if (last) await port.updateIssue(last.number, { title: issue.title, body: issue.body });
    else {
      const created = await port.createIssue(issue.title, issue.body, [ISSUE_LABEL]);
      await port.updateIssue(created.number, { state: "closed" });
    }
  }
}

/** When to run: the process's timers in production, a hand-driven one in tests. */
export interface Timer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimer: Timer = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending check never keeps the process alive on its own.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Runs `check` again and again: the first time after `firstMs`, then after the interval the last
 * run returned (main's `bot.drift.interval`). One run at a time; stop() ends it for good.
 */
export class DriftSchedule {
  private handle: unknown;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly check: () => Promise<number>,
    private readonly timer: Timer = systemTimer,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  start(firstMs = 60_000): void {
    if (this.stopped) return;
    this.arm(firstMs);
  }

  /** Runs a check now (or waits for the one running) and arms the next. */
  runNow(): Promise<void> {
    if (this.running) return this.running;
    if (this.handle !== undefined) this.timer.clearTimeout(this.handle);
    this.handle = undefined;
    this.running = (async () => {
      let next = DEFAULT_DRIFT_MS;
      try {
        next = await this.check();
      } catch (error) {
        this.onError(error);
      } finally {
        this.running = undefined;
      }
      if (!this.stopped) this.arm(Number.isFinite(next) && next > 0 ? next : DEFAULT_DRIFT_MS);
    })();
    return this.running;
  }

  /** Resolves when no check runs (the next one armed). */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Stops the schedule; a check under way finishes, and resolves the returned promise. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle !== undefined) this.timer.clearTimeout(this.handle);
    this.handle = undefined;
    await this.running;
  }

  private arm(ms: number): void {
    this.handle = this.timer.setTimeout(() => {
      this.handle = undefined;
      void this.runNow();
    }, ms);
  }
}
