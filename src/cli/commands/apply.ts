// `okta-gitops apply`: reconcile Okta to the integration files. Plans against a fresh read of Okta
// under the org's lock, shows the plan, asks (on a terminal, unless --yes), applies, reports.
import { parseArgs } from "node:util";
import { apply, type ApplyReport } from "../../reconcile/apply.js";
import type { Plan } from "../../reconcile/model.js";
import { deletionGuard, deletionGuardMessage } from "../../reconcile/plan-notes.js";
import {
  PLAN_JSON_VERSION,
  planToJson,
  renderPlan,
  subject,
  summarise,
  summaryCounts,
  type Format,
} from "../../reconcile/render/index.js";
import {
  fileChanges,
  oktaChanges,
  oktaDigests,
  planDifferences,
  savedPlanBody,
  type SavedPlan,
} from "../../reconcile/saved-plan.js";
import { inputsOf, orgOf, readSavedPlan, savedPlanArgument } from "../saved-plan.js";
import { refsOf } from "../../okta/adapter.js";
import { refusedJson } from "./plan.js";
import {
  sandboxApprovalLine,
  findingLine,
  guarded,
  hasChanges,
  hasConflicts,
  formatOf,
  planAgainstOkta,
  processIo,
  progressBar,
  UserError,
  withOkta,
  workspaceFromArgs,
  WORKSPACE_OPTIONS,
  type OktaSession,
  type PlanRun,
  type ReconcileIo,
  type Workspace,
  loadWorkspace,
  listOption,
} from "../reconcile-support.js";
import { OKTA_ENV } from "../../okta/settings.js";

export const APPLY_HELP = `Usage: okta-gitops apply [paths...] [options]
       okta-gitops apply <saved plan> [options]

Reconciles Okta to the integration files (default: integrations/): plans against a fresh read of
Okta, shows the plan and carries it out. Integrations that fail the policy, or whose exceptions
lack the Identity team's approval, are refused (left as they are in Okta). Objects without the
okta-gitops marker are never changed. One apply at a time per org.

With a saved plan (a file that 'plan --out' wrote, any name but *.yaml or *.yml), apply carries
out exactly that plan, and refuses, saying why, when the files it was made from or the Okta state
it was made from changed since (checked again under the lock, before anything is done).
Approvals and the deletion guard are those given to apply.

Options:
  --yes                  do not ask for confirmation (needed when stdin is not a terminal)
  --confirm-deletions    allow more deletions than bot.deletionGuard.maxDeletions in .okta-gitops.yml
  --approved <names|all> integrations whose exceptions have the Identity team's approval
                         (against the local org, with no OKTA_* set, every exception is treated
                         as approved: a sandbox has no Identity team; apply prints a line naming
                         those integrations. Against Okta only --approved counts)
  --format <text|markdown|json>  output (default: text)
  --config <file>        settings file (default: .okta-gitops.yml if present)
  -h, --help             show this help

Exit status: 0 Okta matches the files, 1 errors, refusals, conflicts or failed operations.`;

export const applyCommand = {
  summary: "reconcile Okta to the integration files",
  run: (argv: string[]) => runApply(argv, processIo()),
};

export async function runApply(argv: string[], io: ReconcileIo): Promise<number> {
  return guarded("apply", io, async () => {
    const args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...WORKSPACE_OPTIONS,
        yes: { type: "boolean", short: "y" },
        "confirm-deletions": { type: "boolean" },
      },
    });
    if (args.values.help) {
      io.stdout(APPLY_HELP + "\n");
      return 0;
    }
    const format = formatOf(args.values.format);
    const saved = savedPlanArgument(io, args.positionals);
    if (saved !== undefined && args.values.config !== undefined)
      throw new UserError(
        "a saved plan names the settings file it was made with: --config cannot change it",
      );
    const options = {
      format,
      confirm: !args.values.yes,
      confirmDeletions: Boolean(args.values["confirm-deletions"]),
    };
    if (saved !== undefined) {
      if (!args.values.yes && !io.stdinIsTTY)
        throw new UserError("stdin is not a terminal: pass --yes to apply without confirmation");
      return applySaved(saved, io, listOption(args.values.approved), options);
    }
    const ws = workspaceFromArgs(io, args);
    // Against the local org, exceptions pass without an approval: said plainly, every run.
    const sandbox = sandboxApprovalLine(ws);
    if (sandbox && format !== "json") io.stdout(`${sandbox}\n`);
    if (!args.values.yes && !io.stdinIsTTY)
      throw new UserError("stdin is not a terminal: pass --yes to apply without confirmation");
    return withOkta(io, async (okta) => {
      // A first plan without the lock: a run with nothing to do writes nothing, not even a lock.
      const first = await planAgainstOkta(ws, okta, undefined, io);
      if (!hasChanges(first.plan)) return showNoChanges(ws, first, io, format);
      return withLock(okta, io, () => applyWorkspace(ws, okta, io, options));
    });
  });
}

export async function withLock(
  okta: OktaSession,
  io: ReconcileIo,
  body: () => Promise<number>,
): Promise<number> {
  const lock = okta.lock();
  await lock.acquire();
  if (lock.staleRemoved) io.stderr(`note: removed a stale apply lock (${lock.staleRemoved})\n`);
  try {
    return await body();
  } finally {
    await lock.release();
  }
}

async function applyWorkspace(
  ws: Workspace,
  okta: OktaSession,
  io: ReconcileIo,
  options: { format: Format; confirm: boolean; confirmDeletions: boolean },
): Promise<number> {
  const run = await planAgainstOkta(ws, okta, undefined, io);
  return executeRun(ws, run, okta, io, options);
}

/** Carries out a plan made under the lock: the deletion guard, the confirmation, the operations
 * and the report. */
async function executeRun(
  ws: Workspace,
  run: PlanRun,
  okta: OktaSession,
  io: ReconcileIo,
  options: { format: Format; confirm: boolean; confirmDeletions: boolean },
): Promise<number> {
  for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
  for (const n of run.notes) io.stderr(`note: ${n}\n`);
  const guard = deletionGuard(run.plan, ws.config.bot.deletionGuard.maxDeletions);
  if (guard.exceeded && !options.confirmDeletions) {
    io.stdout(renderPlan(run.plan, options.format === "json" ? "text" : options.format));
    throw new UserError(
      `${deletionGuardMessage(guard)}: nothing was applied; run again with --confirm-deletions if that is intended`,
    );
  }
  const refusedOrConflict =
    ws.refused.size > 0 ||
    run.refused.length > 0 ||
    run.findings.length > 0 ||
    hasConflicts(run.plan);
  if (!hasChanges(run.plan)) return showNoChanges(ws, run, io, options.format, false);
  if (options.format !== "json") io.stdout(renderPlan(run.plan, options.format));
  if (options.confirm && !(await io.confirm("Apply these changes to Okta? [y/N] "))) {
    io.stderr("Nothing was applied.\n");
    return 1;
  }
  const bar = progressBar(io, "Applying");
  const report = await apply(run.plan, okta.adapter, {
    refs: refsOf(run.actual),
    concurrency: 8,
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.end();
  if (options.format === "json")
    io.stdout(
      JSON.stringify({
        version: PLAN_JSON_VERSION,
        plan: planToJson(run.plan),
        report: reportJson(report),
        notes: run.notes,
        findings: run.findings,
        refusals: refusedJson(run.refused),
        sandboxApproved: ws.sandboxApproved,
      }) + "\n",
    );
  else io.stdout(renderReport(report, run.plan));
  return report.failed || report.skipped || refusedOrConflict ? 1 : 0;
}

function showNoChanges(
  ws: Workspace,
  run: PlanRun,
  io: ReconcileIo,
  format: Format,
  printNotes = true,
): number {
  if (printNotes) {
    for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
    for (const n of run.notes) io.stderr(`note: ${n}\n`);
  }
  if (format === "json")
    io.stdout(
      JSON.stringify({
        version: PLAN_JSON_VERSION,
        plan: planToJson(run.plan),
        report: null,
        notes: run.notes,
        findings: run.findings,
        refusals: refusedJson(run.refused),
        sandboxApproved: ws.sandboxApproved,
      }) + "\n",
    );
  else io.stdout(renderPlan(run.plan, format));
  return ws.refused.size > 0 ||
    run.refused.length > 0 ||
    run.findings.length > 0 ||
    hasConflicts(run.plan)
    ? 1
    : 0;
}

export function renderReport(report: ApplyReport, p: Plan): string {
  const lines: string[] = [];
  for (const o of report.outcomes) {
    if (o.status === "done") continue;
    lines.push(
      `${o.status === "failed" ? "✗ failed " : "- skipped"} ${o.op.integration}: ${o.op.action} ${subject(o.op)}: ${o.detail ?? ""}`,
    );
  }
  lines.push(
    `Applied ${report.done} of ${report.outcomes.length} operations (planned: ${summaryCounts(summarise(p))}); ${report.failed} failed, ${report.skipped} skipped.` +
      (report.failed || report.skipped
        ? " Run apply again: it reads Okta afresh and converges."
        : ""),
  );
  return lines.join("\n") + "\n";
}

export function reportJson(report: ApplyReport) {
  return {
    done: report.done,
    failed: report.failed,
    skipped: report.skipped,
    outcomes: report.outcomes.map((o) => ({
      id: o.op.id,
      status: o.status,
      ...(o.detail ? { detail: o.detail } : {}),
    })),
  };
}

// --- a saved plan ------------------------------------------------------------------------------

/**
 * `apply FILE`: the saved plan is checked (schema, digest), the files are read again and compared
 * with the saved digests, then, under the lock, Okta is read again and compared, and the plan made
 * from what was read must be the saved one, operation for operation. Only then is it carried out
 * (the fresh plan, which equals it and holds the app objects just read for the replace).
 */
async function applySaved(
  file: string,
  io: ReconcileIo,
  approved: Set<string>,
  options: { format: Format; confirm: boolean; confirmDeletions: boolean },
): Promise<number> {
  const saved = readSavedPlan(io, file);
  const ws = loadWorkspace(io, {
    paths: saved.inputs.paths,
    ...(saved.inputs.config ? { configPath: saved.inputs.config.path } : {}),
    approved,
    sandbox: OKTA_ENV.every((k) => !io.env[k]),
  });
  const integrationOf = (f: string) =>
    ws.integrations.find((i) => i.file === f)?.integration.metadata.name ??
    /(?:^|\/)([a-z][a-z0-9-]*)\.ya?ml$/.exec(f)?.[1];
  const files = fileChanges(saved.inputs, inputsOf(ws, saved.inputs.paths), integrationOf);
  if (files.length)
    throw new UserError(
      `the files changed since the plan in ${file} was made: ${files.join("; ")}. Nothing was applied: run plan again and review it`,
    );
  const sandbox = sandboxApprovalLine(ws);
  if (sandbox && options.format !== "json") io.stdout(`${sandbox}\n`);
  return withOkta(io, async (okta) => {
    if (orgOf(okta) !== saved.org)
      throw new UserError(
        `the plan in ${file} was made for ${saved.org}, not ${orgOf(okta)}: nothing was applied`,
      );
    const check = (run: PlanRun) => checkAgainstSaved(file, saved, run);
    if (!saved.plan.operations.some((o) => o.action !== "conflict")) {
      const run = await planAgainstOkta(ws, okta, undefined, io);
      check(run);
      return showNoChanges(ws, run, io, options.format);
    }
    return withLock(okta, io, async () => {
      const run = await planAgainstOkta(ws, okta, undefined, io);
      check(run);
      return executeRun(ws, run, okta, io, options);
    });
  });
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
    throw new UserError(
      `the plan made now differs from the plan in ${file}: ${why.join("; ")}. Nothing was applied: run plan again (with the same --approved) and review it`,
    );
  }
  const okta = oktaChanges(saved.okta, oktaDigests(run.actual));
  if (okta.length)
    throw new UserError(
      `Okta changed since the plan in ${file} was made: ${okta.join("; ")}. Nothing was applied: run plan again and review it`,
    );
  const differ = planDifferences(saved.plan, now);
  if (differ.length) {
    const why = differ.map((name) => `${name}: its operations differ from the saved plan`);
    throw new UserError(
      `the plan made now differs from the plan in ${file}: ${why.join("; ")}. Nothing was applied: run plan again (with the same --approved) and review it`,
    );
  }
}
