// Apply: reconcile Okta to the files, or carry out a saved plan exactly. The plan is made again
// under the org's lock from a fresh read; the deletion guard, the review (the CLI's confirmation),
// the operations and their outcome. Returns what happened; never prints.
import { apply, type ApplyReport } from "../reconcile/apply.js";
import { deletionGuard, deletionGuardMessage } from "../reconcile/plan-notes.js";
import {
  fileChanges,
  oktaChanges,
  oktaDigests,
  planDifferences,
  savedPlanBody,
  type SavedPlan,
} from "../reconcile/saved-plan.js";
import { refsOf, type OktaAdapter } from "../okta/adapter.js";
import { WorkflowError } from "./errors.js";
import { withLock, type LockSource } from "./lock.js";
import { hasChanges, hasConflicts, planAgainstOkta, type PlanRun, type Progress } from "./plan.js";
import { inputsOf } from "./saved-plan.js";
import type { Workspace } from "./workspace.js";

/** An Okta session as the jobs that change Okta use it. */
export interface OktaWriter extends LockSource {
  adapter: OktaAdapter;
}

export interface ApplyPorts {
  okta: OktaWriter;
  progress?: Progress;
  /** Shown the plan about to be carried out; false stops (nothing is applied). */
  review?(run: PlanRun): Promise<boolean>;
  /** A stale lock (of a run that died) was removed. */
  staleLockRemoved?(detail: string): void;
}

export interface ApplyOptions {
  /** Allow more deletions than bot.deletionGuard.maxDeletions. */
  confirmDeletions: boolean;
}

export type ApplyResult =
  /** Nothing to change (conflicts, refusals and findings may still be there). */
  | { outcome: "no-changes"; run: PlanRun; failed: boolean }
  /** The deletion guard stopped it: nothing was applied. */
  | { outcome: "deletion-guard"; run: PlanRun; failed: true; message: string }
  /** The review said no: nothing was applied. */
  | { outcome: "declined"; run: PlanRun; failed: true }
  | { outcome: "applied"; run: PlanRun; failed: boolean; report: ApplyReport };

/** Refused integrations, plan-time findings and conflicts fail a run, even one that applied. */
export function refusedOrConflict(ws: Workspace, run: PlanRun): boolean {
  return (
    ws.refused.size > 0 ||
    run.refused.length > 0 ||
    run.findings.length > 0 ||
    hasConflicts(run.plan)
  );
}

/** `apply`: a first plan without the lock (a run with nothing to do writes nothing, not even a
 * lock), then the plan again under the lock, and the operations. */
export async function applyChanges(
  ws: Workspace,
  ports: ApplyPorts,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const first = await planAgainstOkta(ws, ports.okta, undefined, ports.progress);
  if (!hasChanges(first.plan))
    return { outcome: "no-changes", run: first, failed: refusedOrConflict(ws, first) };
  return withLock(
    ports.okta,
    async () =>
      executeRun(
        ws,
        await planAgainstOkta(ws, ports.okta, undefined, ports.progress),
        ports,
        options,
      ),
    ports.staleLockRemoved,
  );
}

/** Carries out a plan made under the lock: the deletion guard, the review and the operations. */
async function executeRun(
  ws: Workspace,
  run: PlanRun,
  ports: ApplyPorts,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const guard = deletionGuard(run.plan, ws.config.bot.deletionGuard.maxDeletions);
  if (guard.exceeded && !options.confirmDeletions)
    return {
      outcome: "deletion-guard",
      run,
      failed: true,
      message: `${deletionGuardMessage(guard)}: nothing was applied; run again with --confirm-deletions if that is intended`,
    };
  const failed = refusedOrConflict(ws, run);
  if (!hasChanges(run.plan)) return { outcome: "no-changes", run, failed };
  if (ports.review && !(await ports.review(run))) return { outcome: "declined", run, failed: true };
  const report = await apply(run.plan, ports.okta.adapter, {
    refs: refsOf(run.actual),
    concurrency: 8,
    onProgress: (done, total) => ports.progress?.applying?.(done, total),
  });
  return {
    outcome: "applied",
    run,
    report,
    failed: report.failed > 0 || report.skipped > 0 || failed,
  };
}

/** Refuses a saved plan whose files changed since it was made (before Okta is even opened). */
export function checkSavedFiles(file: string, saved: SavedPlan, ws: Workspace): void {
  const integrationOf = (f: string) =>
    ws.integrations.find((i) => i.file === f)?.integration.metadata.name ??
    /(?:^|\/)([a-z][a-z0-9-]*)\.ya?ml$/.exec(f)?.[1];
  const files = fileChanges(saved.inputs, inputsOf(ws, saved.inputs.paths), integrationOf);
  if (files.length)
    throw new WorkflowError(
      `the files changed since the plan in ${file} was made: ${files.join("; ")}. Nothing was applied: run plan again and review it`,
    );
}

/**
 * `apply FILE`: the files were checked (checkSavedFiles); the org must be the plan's, then, under
 * the lock, Okta is read again and compared, and the plan made from what was read must be the
 * saved one, operation for operation. Only then is it carried out (the fresh plan, which equals it
 * and holds the app objects just read for the replace).
 */
export async function applySavedPlan(
  ws: Workspace,
  saved: { file: string; plan: SavedPlan; org: string },
  ports: ApplyPorts,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { file } = saved;
  if (saved.org !== saved.plan.org)
    throw new WorkflowError(
      `the plan in ${file} was made for ${saved.plan.org}, not ${saved.org}: nothing was applied`,
    );
  const check = (run: PlanRun) => checkAgainstSaved(file, saved.plan, run);
  if (!saved.plan.plan.operations.some((o) => o.action !== "conflict")) {
    const run = await planAgainstOkta(ws, ports.okta, undefined, ports.progress);
    check(run);
    return { outcome: "no-changes", run, failed: refusedOrConflict(ws, run) };
  }
  return withLock(
    ports.okta,
    async () => {
      const run = await planAgainstOkta(ws, ports.okta, undefined, ports.progress);
      check(run);
      return executeRun(ws, run, ports, options);
    },
    ports.staleLockRemoved,
  );
}

/** Refuses, saying what and where, unless Okta and the plan made now are those of the file. */
function checkAgainstSaved(file: string, saved: SavedPlan, run: PlanRun): void {
  // Refusals first: an integration refused now (an approval not given to apply, an exception
  // expired) is not even read from Okta as it was, so that is the reason to give.
  const now = savedPlanBody(run.plan);
  const refusedNow = now.refused.filter((n) => !saved.plan.refused.includes(n));
  const refusedThen = saved.plan.refused.filter((n) => !now.refused.includes(n));
  if (refusedNow.length || refusedThen.length) {
    const why = [
      ...refusedNow.map(
        (name) => run.notes.find((n) => n.startsWith(`${name}: refused`)) ?? `${name}: refused`,
      ),
      ...refusedThen.map(
        (name) => `${name}: was refused when the plan was made, so the plan holds none of it`,
      ),
    ];
    throw new WorkflowError(
      `the plan made now differs from the plan in ${file}: ${why.join("; ")}. Nothing was applied: run plan again (with the same --approved) and review it`,
    );
  }
  const okta = oktaChanges(saved.okta, oktaDigests(run.actual));
  if (okta.length)
    throw new WorkflowError(
      `Okta changed since the plan in ${file} was made: ${okta.join("; ")}. Nothing was applied: run plan again and review it`,
    );
  const differ = planDifferences(saved.plan, now);
  if (differ.length) {
    const why = differ.map((name) => `${name}: its operations differ from the saved plan`);
    throw new WorkflowError(
      `the plan made now differs from the plan in ${file}: ${why.join("; ")}. Nothing was applied: run plan again (with the same --approved) and review it`,
    );
  }
}
