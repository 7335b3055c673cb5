// What a merge run and a drift run found and did: plain data that the reports are rendered from.
import type { ApplyResult } from "../../workflows/apply.js";
import type { DriftReport } from "../../workflows/drift.js";
import type { Workspace } from "../../workflows/workspace.js";
import type { PullRequestInfo } from "../port.js";
import type { Verdict } from "./approval-record.js";
import type { ReconcileEnd } from "../observe.js";

/** What a run of the merge job found and did: the reports are rendered from it. */
export interface MergeRun {
  sha: string;
  branch: string;
  /** The merged pull request the commit belongs to, if any. */
  pullRequest?: PullRequestInfo;
  verdicts: Verdict[];
  /** Set when the settings file on main is not approved: nothing is applied. */
  settingsRefused?: Verdict;
  /** Set when the run stopped before planning (the tree or the settings would not load, GitHub
   * or Okta failed): why. */
  error?: string;
  /** The deletion guard stopped it: nothing was applied. */
  guard?: string;
  result?: ApplyResult;
  workspace?: Workspace;
  failed: boolean;
}

export interface DriftRun {
  sha: string;
  branch: string;
  mode: "report" | "correct";
  verdicts: Verdict[];
  /** The settings file on main is not approved: the drift is reported, never corrected. */
  settingsRefused?: Verdict;
  report?: DriftReport;
  /** The check could not run (GitHub, Okta or the tree failed): nothing was checked. */
  error?: string;
  /** Okta matches main and nothing was refused or left unchecked. */
  clean: boolean;
  /** Drift was found and all of it corrected, nothing refused or left unchecked. */
  corrected: boolean;
}

/** An apply's outcome as the observer hears it: failure when it threw or an operation against
 * Okta failed; refused when something was refused or left unapplied (and nothing failed). */
export function mergeOutcome(run: MergeRun): ReconcileEnd["outcome"] {
  if (run.error !== undefined) return "failure";
  const report = run.result?.outcome === "applied" ? run.result.report : undefined;
  if (report && (report.failed > 0 || report.skipped > 0)) return "failure";
  return run.failed ? "refused" : "success";
}

/** A drift check's outcome: failure when it could not check or a correction failed; refused
 * when something was refused or left unchecked; success otherwise (drift found or not: the
 * counts say how much, and how much was corrected). */
export function driftOutcome(
  run: DriftRun,
): Pick<ReconcileEnd, "outcome" | "driftFound" | "driftCorrected"> {
  // Counted per integration (one integration's drift may touch several objects and fields).
  const items = run.report?.items ?? [];
  const found = new Set(items.map((i) => i.integration));
  const outcomes = run.report?.report?.outcomes ?? [];
  const notDone = new Set(outcomes.filter((o) => o.status !== "done").map((o) => o.op.integration));
  const corrected = run.report?.report
    ? new Set(
        items
          .filter((i) => !i.uncorrected && !notDone.has(i.integration))
          .map((i) => i.integration),
      )
    : new Set<string>();
  for (const i of items) if (i.uncorrected) corrected.delete(i.integration);
  const counts = { driftFound: found.size, driftCorrected: corrected.size };
  if (run.error !== undefined) return { outcome: "failure", ...counts };
  const report = run.report?.report;
  if (report && (report.failed > 0 || report.skipped > 0)) return { outcome: "failure", ...counts };
  const refused =
    !!run.settingsRefused || run.verdicts.some((v) => !v.approved) || !!run.report?.failed;
  return { outcome: refused ? "refused" : "success", ...counts };
}
