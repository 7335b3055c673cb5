// `okta-gitops apply`: reconcile Okta to the integration files. Plans against a fresh read of Okta
// under the org's lock, shows the plan, asks (on a terminal, unless --yes), applies, reports.
import { parseArgs } from "node:util";
import type { ApplyReport } from "../../reconcile/apply.js";
import { renderPlan, type Format } from "../../reconcile/render/index.js";
import { applyJson, findingLine, renderReport } from "../../reconcile/render/report.js";
import {
  applyChanges,
  applySavedPlan,
  checkSavedFiles,
  type ApplyPorts,
  type ApplyResult,
} from "../../workflows/apply.js";
import type { PlanRun } from "../../workflows/plan.js";
import { loadWorkspace, sandboxApprovalLine, type Workspace } from "../../workflows/workspace.js";
import { orgOf, readSavedPlan, savedPlanArgument } from "../saved-plan.js";
import {
  guarded,
  formatOf,
  processIo,
  progressOf,
  UserError,
  withOkta,
  workspaceFromArgs,
  workspacePorts,
  WORKSPACE_OPTIONS,
  type OktaSession,
  type ReconcileIo,
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

interface Shown {
  format: Format;
  confirm: boolean;
  confirmDeletions: boolean;
}

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
    const options: Shown = {
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
    return withOkta(io, async (okta) =>
      shown(ws, await applyChanges(ws, portsOf(io, okta, options), options), io, options),
    );
  });
}

/** The session, the progress and the review as the terminal has them: the plan is shown before
 * anything is applied, and asked about unless --yes. */
function portsOf(io: ReconcileIo, okta: OktaSession, options: Shown): ApplyPorts {
  return {
    okta,
    progress: progressOf(io, okta),
    staleLockRemoved: (detail) => io.stderr(`note: removed a stale apply lock (${detail})\n`),
    review: async (run) => {
      printNotes(run, io);
      if (options.format !== "json") io.stdout(renderPlan(run.plan, options.format));
      if (options.confirm && !(await io.confirm("Apply these changes to Okta? [y/N] ")))
        return false;
      return true;
    },
  };
}

function printNotes(run: PlanRun, io: ReconcileIo): void {
  for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
  for (const n of run.notes) io.stderr(`note: ${n}\n`);
}

/** Renders what apply did and picks the exit code. */
function shown(ws: Workspace, result: ApplyResult, io: ReconcileIo, options: Shown): number {
  const { run } = result;
  const json = (report: ApplyReport | null) => applyJson(run, report, ws.sandboxApproved);
  switch (result.outcome) {
    case "no-changes":
      printNotes(run, io);
      io.stdout(options.format === "json" ? json(null) : renderPlan(run.plan, options.format));
      return result.failed ? 1 : 0;
    case "deletion-guard":
      printNotes(run, io);
      io.stdout(renderPlan(run.plan, options.format === "json" ? "text" : options.format));
      throw new UserError(result.message);
    case "declined":
      io.stderr("Nothing was applied.\n");
      return 1;
    case "applied":
      io.stdout(
        options.format === "json" ? json(result.report) : renderReport(result.report, run.plan),
      );
      return result.failed ? 1 : 0;
  }
}

/** `apply FILE`: the saved plan is read and checked (schema, digest), the files are read again and
 * compared with the saved digests; the workflow does the rest under the lock. */
async function applySaved(
  file: string,
  io: ReconcileIo,
  approved: Set<string>,
  options: Shown,
): Promise<number> {
  const saved = readSavedPlan(io, file);
  const ws = loadWorkspace(workspacePorts(io), {
    paths: saved.inputs.paths,
    ...(saved.inputs.config ? { configPath: saved.inputs.config.path } : {}),
    approved,
    sandbox: OKTA_ENV.every((k) => !io.env[k]),
  });
  checkSavedFiles(file, saved, ws);
  const sandbox = sandboxApprovalLine(ws);
  if (sandbox && options.format !== "json") io.stdout(`${sandbox}\n`);
  return withOkta(io, async (okta) =>
    shown(
      ws,
      await applySavedPlan(
        ws,
        { file, plan: saved, org: orgOf(okta) },
        portsOf(io, okta, options),
        options,
      ),
      io,
      options,
    ),
  );
}
