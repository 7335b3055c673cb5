// `okta-gitops apply`: reconcile Okta to the integration files. Plans against a fresh read of Okta
// under the org's lock, shows the plan, asks (on a terminal, unless --yes), applies, reports.
import { parseArgs } from "node:util";
import { apply, type ApplyReport } from "../../reconcile/apply.js";
import type { Plan } from "../../reconcile/model.js";
import { removedIntegrations } from "../../reconcile/plan.js";
import {
  planToJson,
  renderPlan,
  subject,
  summarise,
  type Format,
} from "../../reconcile/render/index.js";
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
} from "../reconcile-support.js";

export const APPLY_HELP = `Usage: okta-gitops apply [paths...] [options]

Reconciles Okta to the integration files (default: integrations/): plans against a fresh read of
Okta, shows the plan and carries it out. Integrations that fail the policy, or whose exceptions
lack the Identity team's approval, are refused (left as they are in Okta). Objects without the
okta-gitops marker are never changed. One apply at a time per org.

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
    const ws = workspaceFromArgs(io, args);
    // Against the local org, exceptions pass without an approval: said plainly, every run.
    const sandbox = sandboxApprovalLine(ws);
    if (sandbox && format !== "json") io.stdout(`${sandbox}\n`);
    if (!args.values.yes && !io.stdinIsTTY)
      throw new UserError("stdin is not a terminal: pass --yes to apply without confirmation");
    const options = {
      format,
      confirm: !args.values.yes,
      confirmDeletions: Boolean(args.values["confirm-deletions"]),
    };
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
  for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
  for (const n of run.notes) io.stderr(`note: ${n}\n`);
  const removed = removedIntegrations(run.plan);
  const max = ws.config.bot.deletionGuard.maxDeletions;
  if (removed.length > max && !options.confirmDeletions) {
    io.stdout(renderPlan(run.plan, options.format === "json" ? "text" : options.format));
    throw new UserError(
      `the plan deletes ${removed.length} integrations (${removed.join(", ")}), more than bot.deletionGuard.maxDeletions (${max}): nothing was applied; run again with --confirm-deletions if that is intended`,
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
        plan: planToJson(run.plan),
        report: reportJson(report),
        notes: run.notes,
        findings: run.findings,
        refused: refusedJson(run.refused),
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
        plan: planToJson(run.plan),
        report: null,
        notes: run.notes,
        findings: run.findings,
        refused: refusedJson(run.refused),
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
  const s = summarise(p);
  lines.push(
    `Applied ${report.done} of ${report.outcomes.length} operations (${s.create} create, ${s.update} update, ${s.delete} delete planned); ${report.failed} failed, ${report.skipped} skipped.` +
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
