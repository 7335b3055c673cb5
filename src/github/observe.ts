// What the App tells whoever watches it: each job's end (its log line and job metrics), each
// reconcile's outcome, and each GitHub request. The serve command wires it to the log and to the
// Prometheus metrics; without one, nothing is recorded.

/** Kinds of work: a pull request's full check, its approval check alone, a push to apply, a
 * re-run of a check, a drift check. */
export type JobKind = "pull" | "approval" | "push" | "rerun" | "drift";

/** How a job ended: done; failed (the error is logged); superseded by newer work of the same
 * pull request or branch; a duplicate delivery (a redelivery), not done again. */
export type JobOutcome = "done" | "failed" | "superseded" | "duplicate";

export interface JobEnd {
  kind: JobKind;
  /** The lane: owner/repo#123, owner/repo@main, owner/repo#drift. */
  key: string;
  /** The webhook delivery that asked for it (none for the drift schedule). */
  delivery?: string;
  outcome: JobOutcome;
  ms: number;
  /** Why it failed, one line. */
  error?: string;
}

/** An apply or a drift check against Okta, as its report ended. */
export interface ReconcileEnd {
  kind: "apply" | "drift";
  /** success: Okta matches (or was made to match) what was asked; failure: it threw or some
   * operation failed; refused: something was refused or left unchecked, nothing else failed. */
  outcome: "success" | "failure" | "refused";
  /** Integrations found drifted (drift), and corrected (drift in correct mode). */
  driftFound?: number;
  driftCorrected?: number;
  at: Date;
}

export interface Observer {
  jobEnded(e: JobEnd): void;
  reconciled(e: ReconcileEnd): void;
  /** A request to GitHub's API answered with `status` (0: no answer). */
  githubRequest(status: number): void;
}

export const noObserver: Observer = {
  jobEnded: () => {},
  reconciled: () => {},
  githubRequest: () => {},
};
