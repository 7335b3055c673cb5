// What a merge run and a drift run found and did: plain data that the reports are rendered from.
import type { ApplyResult } from "../../workflows/apply.js";
import type { DriftReport } from "../../workflows/drift.js";
import type { Workspace } from "../../workflows/workspace.js";
import type { PullRequestInfo } from "../port.js";
import type { Verdict } from "./approval-record.js";

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
