// `okta-gitops drift`: what differs in Okta from the integration files, field by field; with
// --correct, puts it back. Integrations whose files were removed are not drift (apply deletes
// them, under the deletion guard), so drift never deletes an integration.
import { parseArgs } from "node:util";
import {
  correctedJson,
  findingLine,
  renderDrift,
  renderReport,
} from "../../reconcile/render/report.js";
import { checkDrift } from "../../workflows/drift.js";
import {
  formatOf,
  guarded,
  listOption,
  processIo,
  progressOf,
  withOkta,
  workspaceFromArgs,
  WORKSPACE_OPTIONS,
  type ReconcileIo,
} from "../reconcile-support.js";

export const DRIFT_HELP = `Usage: okta-gitops drift [paths...] [options]

Reads everything the bot owns in Okta and reports, per field, where Okta differs from the
integration files (default: integrations/). With --correct, puts Okta back to what the files say.

Options:
  --correct                      correct the drift (takes the apply lock)
  --only <names>                 check only these integrations (comma-separated)
  --format <text|markdown|json>  output (default: text)
  --approved <names|all>         integrations whose exceptions have the Identity team's approval
  --config <file>                settings file (default: .okta-gitops.yml if present)
  -h, --help                     show this help

Integrations that are refused (a file that fails the policy or does not load) are compared
read-only: their drift and what Okta holds for them is reported, never corrected, and the exit
status is 1. An expired API token exception is reported; apply revokes it.

Exit status: 0 no drift (or all of it corrected), 2 drift found, 1 errors, refusals or a failed
correction.`;

export const driftCommand = {
  summary: "find (and with --correct, undo) changes made in Okta by hand",
  run: (argv: string[]) => runDrift(argv, processIo()),
};

export async function runDrift(argv: string[], io: ReconcileIo): Promise<number> {
  return guarded("drift", io, async () => {
    const args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...WORKSPACE_OPTIONS,
        correct: { type: "boolean" },
        only: { type: "string", multiple: true },
      },
    });
    if (args.values.help) {
      io.stdout(DRIFT_HELP + "\n");
      return 0;
    }
    const format = formatOf(args.values.format);
    const ws = workspaceFromArgs(io, args);
    const only = listOption(args.values.only);
    const correct = Boolean(args.values.correct);
    return withOkta(io, async (okta) => {
      const { run, items, failed, report } = await checkDrift(
        ws,
        {
          okta,
          progress: progressOf(io, okta, "Correcting"),
          staleLockRemoved: (detail) => io.stderr(`note: removed a stale apply lock (${detail})\n`),
        },
        { only, correct },
      );
      for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
      for (const n of run.notes) io.stderr(`note: ${n}\n`);
      if (!report) {
        io.stdout(renderDrift(items, format, run));
        return failed ? 1 : !correct && items.length ? 2 : 0;
      }
      if (format === "json") io.stdout(correctedJson(items, report, run));
      else
        io.stdout(renderDrift(items, format, run) + "Corrected: " + renderReport(report, run.plan));
      return failed ? 1 : 0;
    });
  });
}
