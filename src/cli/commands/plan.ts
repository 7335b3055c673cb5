// `okta-gitops plan`: what apply would change in Okta, without changing anything.
import { parseArgs } from "node:util";
import {
  GITHUB_COMMENT_LIMIT,
  planToJson,
  renderPlan,
  type Format,
} from "../../reconcile/render/index.js";
import {
  sandboxApprovalLine,
  findingLine,
  guarded,
  hasChanges,
  hasConflicts,
  formatOf,
  listOption,
  planAgainstOkta,
  processIo,
  withOkta,
  workspaceFromArgs,
  WORKSPACE_OPTIONS,
  type ReconcileIo,
  UserError,
  type RefusedReport,
} from "../reconcile-support.js";
import type { Finding } from "../../model/index.js";
import { patchOf } from "../../reconcile/render/patch.js";
import type { Plan } from "../../reconcile/model.js";
import { deletionGuard, deletionGuardMessage } from "../../reconcile/plan-notes.js";
import { checkSavedPlanName, repositoryPaths, savedPlanOf, writeSavedPlan } from "../saved-plan.js";
import { mdCode } from "../../render/escape.js";

export const PLAN_HELP = `Usage: okta-gitops plan [paths...] [options]

Compares the integration files (default: integrations/) with Okta and prints the operations that
'apply' would carry out, in order, with before → after and risk flags. Changes nothing.

Options:
  --format <text|markdown|json>  output (default: text); json carries an RFC 6902 patch per operation
  --only <names>                 plan only these integrations (comma-separated) and read only them
                                 from Okta: what a pull request's plan uses
  --approved <names|all>         integrations whose exceptions have the Identity team's approval
  --out <file>                   also save the plan to <file> (mode 0600), with digests of the
                                 files and of the Okta state it was made from: 'apply <file>'
                                 applies exactly it, and refuses if either changed since
  --config <file>                settings file (default: .okta-gitops.yml if present)
  -h, --help                     show this help

Okta: OKTA_ORG_URL, OKTA_CLIENT_ID, OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE, OKTA_KEY_ID, OKTA_SCOPES;
with none set, the local Okta org under .okta-gitops/.

Exit status: 0 no changes, 2 changes to apply, 1 errors, policy refusals or conflicts.`;

export const planCommand = {
  summary: "show what apply would change in Okta",
  run: (argv: string[]) => runPlan(argv, processIo()),
};

export async function runPlan(argv: string[], io: ReconcileIo): Promise<number> {
  return guarded("plan", io, async () => {
    const args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...WORKSPACE_OPTIONS,
        only: { type: "string", multiple: true },
        out: { type: "string" },
      },
    });
    if (args.values.help) {
      io.stdout(PLAN_HELP + "\n");
      return 0;
    }
    const format = formatOf(args.values.format);
    const only = listOption(args.values.only);
    const out = args.values.out;
    if (out !== undefined && only.size)
      throw new UserError(
        "--out saves a plan of the whole repository: it cannot be used with --only",
      );
    if (out !== undefined) checkSavedPlanName(out);
    const paths = out !== undefined ? repositoryPaths(io, args.positionals) : [];
    const ws = workspaceFromArgs(io, args);
    return withOkta(io, async (okta) => {
      const run = await planAgainstOkta(ws, okta, only.size ? only : undefined, io);
      const sandbox = sandboxApprovalLine(ws);
      const notes = [...(sandbox ? [sandbox] : []), ...run.notes];
      // What would stop apply is said now, not only when apply runs.
      const guard = deletionGuard(run.plan, ws.config.bot.deletionGuard.maxDeletions);
      const warnings = guard.exceeded
        ? [`apply will stop: ${deletionGuardMessage(guard)}; it needs --confirm-deletions`]
        : [];
      io.stdout(
        renderWithNotes(run.plan, format, notes, run.findings, warnings, refusedJson(run.refused)),
      );
      if (format === "text") {
        for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
        for (const w of warnings) io.stderr(`warning: ${w}\n`);
        for (const n of notes) io.stderr(`note: ${n}\n`);
      }
      if (out !== undefined) {
        writeSavedPlan(io, out, savedPlanOf(ws, run, okta, paths, notes, new Date()));
        io.stderr(`Saved the plan to ${out}: 'okta-gitops apply ${out}' applies exactly it.\n`);
      }
      if (ws.refused.size || run.refused.length || run.findings.length || hasConflicts(run.plan))
        return 1;
      return hasChanges(run.plan) ? 2 : 0;
    });
  });
}

export function renderWithNotes(
  p: Plan,
  format: Format,
  notes: string[],
  findings: Finding[] = [],
  warnings: string[] = [],
  refusals: JsonRefused[] = [],
): string {
  if (format === "json")
    return JSON.stringify({ ...planToJson(p), warnings, notes, findings, refusals }) + "\n";
  if (format !== "markdown") return renderPlan(p, format);
  const lines = [
    // Findings, warnings and notes quote files and Okta: inert code, never live Markdown.
    ...findings.map((f) => `> **error** ${mdCode(findingLine(f))}`),
    ...warnings.map((w) => `> **warning** ${mdCode(w)}`),
    ...notes.map((n) => `> ${mdCode(n)}`),
  ];
  if (!lines.length) return renderPlan(p, format);
  // The whole comment fits GitHub's limit: notes take at most a quarter of it, the plan the rest.
  let block = "";
  for (const [i, line] of lines.entries()) {
    const more = `> … ${lines.length - i} more notes: see the check run or \`plan --format json\`.`;
    if (block.length + line.length + 1 + more.length > GITHUB_COMMENT_LIMIT / 4) {
      block += more + "\n";
      break;
    }
    block += line + "\n";
  }
  return renderPlan(p, format, GITHUB_COMMENT_LIMIT - block.length - 1) + "\n" + block;
}

export interface JsonRefused {
  integration: string;
  reason: string;
  /** What Okta holds under the integration's marker. */
  holds: string[];
  /** Whether its file loads (and was compared with Okta). */
  compared: boolean;
  /** Its drift, read-only: what apply would change were it not refused. */
  drift: { id: string; action: string; patch: ReturnType<typeof patchOf> }[];
}

/** Refused integrations for the JSON forms of plan, apply and drift. */
export function refusedJson(refused: RefusedReport[]): JsonRefused[] {
  return refused.map((r) => ({
    integration: r.integration,
    reason: r.reason,
    holds: r.holds,
    compared: r.loaded,
    drift: r.drift.map((o) => ({ id: o.id, action: o.action, patch: patchOf(o) })),
  }));
}
