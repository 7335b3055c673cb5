// `okta-gitops plan`: what apply would change in Okta, without changing anything.
import { parseArgs } from "node:util";
import { findingLine, refusedJson, renderWithNotes } from "../../reconcile/render/report.js";
import {
  guarded,
  formatOf,
  listOption,
  processIo,
  progressOf,
  withOkta,
  workspaceFromArgs,
  WORKSPACE_OPTIONS,
  type ReconcileIo,
  UserError,
} from "../reconcile-support.js";
import { planChange } from "../../workflows/plan.js";
import { savedPlanOf } from "../../workflows/saved-plan.js";
import { checkSavedPlanName, orgOf, repositoryPaths, writeSavedPlan } from "../saved-plan.js";

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
      const report = await planChange(ws, okta, { only, progress: progressOf(io, okta) });
      const { run, notes, warnings } = report;
      io.stdout(
        renderWithNotes(run.plan, format, notes, run.findings, warnings, refusedJson(run.refused)),
      );
      if (format === "text") {
        for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
        for (const w of warnings) io.stderr(`warning: ${w}\n`);
        for (const n of notes) io.stderr(`note: ${n}\n`);
      }
      if (out !== undefined) {
        writeSavedPlan(io, out, savedPlanOf(ws, run, orgOf(okta), paths, notes, new Date()));
        io.stderr(`Saved the plan to ${out}: 'okta-gitops apply ${out}' applies exactly it.\n`);
      }
      return report.failed ? 1 : report.changes ? 2 : 0;
    });
  });
}
