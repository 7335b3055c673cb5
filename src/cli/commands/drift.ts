// `okta-gitops drift`: what differs in Okta from the integration files, field by field; with
// --correct, puts it back. Integrations whose files were removed are not drift (apply deletes
// them, under the deletion guard), so drift never deletes an integration.
import { parseArgs } from "node:util";
import { apply } from "../../reconcile/apply.js";
import type { Operation, Plan } from "../../reconcile/model.js";
import { fieldChanges, show } from "../../reconcile/render/patch.js";
import { subject } from "../../reconcile/render/index.js";
import { mdCode, terminalText } from "../../render/escape.js";
import { refsOf } from "../../okta/adapter.js";
import {
  findingLine,
  formatOf,
  guarded,
  planAgainstOkta,
  processIo,
  progressBar,
  withOkta,
  workspaceFromArgs,
  WORKSPACE_OPTIONS,
  type ReconcileIo,
} from "../reconcile-support.js";
import { renderReport, reportJson, withLock } from "./apply.js";

export const DRIFT_HELP = `Usage: okta-gitops drift [paths...] [options]

Reads everything the bot owns in Okta and reports, per field, where Okta differs from the
integration files (default: integrations/). With --correct, puts Okta back to what the files say.

Options:
  --correct                      correct the drift (takes the apply lock)
  --format <text|markdown|json>  output (default: text)
  --approved <names|all>         integrations whose exceptions have the Identity team's approval
  --config <file>                settings file (default: .okta-gitops.yml if present)
  -h, --help                     show this help

Exit status: 0 no drift (or all of it corrected), 2 drift found, 1 errors or a failed correction.`;

export const driftCommand = {
  summary: "find (and with --correct, undo) changes made in Okta by hand",
  run: (argv: string[]) => runDrift(argv, processIo()),
};

export interface DriftItem {
  integration: string;
  object: string;
  kind: Operation["kind"];
  /** A field path, or "" for the whole object. */
  field: string;
  okta: unknown;
  repository: unknown;
}

/** The drift in a plan, field by field: what Okta has, what the repository says. */
export function driftItems(p: Plan): DriftItem[] {
  const items: DriftItem[] = [];
  for (const o of p.operations) {
    const base = { integration: o.integration, object: subject(o), kind: o.kind };
    if (o.action === "update")
      for (const c of fieldChanges(o.before, o.after))
        items.push({ ...base, field: c.path.slice(1), okta: c.before, repository: c.after });
    else if (o.action === "create")
      items.push({ ...base, field: "", okta: undefined, repository: o.after });
    else if (o.action === "delete")
      items.push({ ...base, field: "", okta: o.before, repository: undefined });
  }
  return items;
}

export async function runDrift(argv: string[], io: ReconcileIo): Promise<number> {
  return guarded("drift", io, async () => {
    const args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...WORKSPACE_OPTIONS, correct: { type: "boolean" } },
    });
    if (args.values.help) {
      io.stdout(DRIFT_HELP + "\n");
      return 0;
    }
    const format = formatOf(args.values.format);
    const ws = workspaceFromArgs(io, args);
    return withOkta(io, async (okta) => {
      // The drift read checks no resource's existence (it changes nothing); a correction does, and
      // leaves out an integration whose resource set names an object that is not in Okta.
      const check = async (correcting: boolean) => {
        const run = await planAgainstOkta(ws, okta, undefined, io, {
          checkResources: correcting,
        });
        for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
        // Drift is about integrations that have files; conflicts are reported by plan and apply.
        const operations = run.plan.operations.filter(
          (o) =>
            (ws.desired.has(o.integration) || ws.tokens.has(o.integration)) &&
            o.action !== "conflict",
        );
        return { ...run, plan: { ...run.plan, operations } };
      };
      if (!args.values.correct) {
        const run = await check(false);
        const items = driftItems(run.plan);
        io.stdout(renderDrift(items, format));
        return items.length ? 2 : 0;
      }
      return await withLock(okta, io, async () => {
        const run = await check(true);
        const items = driftItems(run.plan);
        if (!items.length) {
          io.stdout(renderDrift(items, format));
          return run.findings.length ? 1 : 0;
        }
        const bar = progressBar(io, "Correcting");
        const report = await apply(run.plan, okta.adapter, {
          refs: refsOf(run.actual),
          onProgress: (d, t) => bar.update(d, t),
        });
        bar.end();
        if (format === "json")
          io.stdout(JSON.stringify({ drift: items, report: reportJson(report) }) + "\n");
        else io.stdout(renderDrift(items, format) + "Corrected: " + renderReport(report, run.plan));
        return report.failed || report.skipped || run.findings.length ? 1 : 0;
      });
    });
  });
}

export function renderDrift(items: DriftItem[], format: string): string {
  if (format === "json") return JSON.stringify({ drift: items }) + "\n";
  if (!items.length) return "No drift: Okta matches the repository.\n";
  const md = format === "markdown";
  const lines = md
    ? ["| integration | object | field | in Okta | in the repository |", "|---|---|---|---|---|"]
    : [];
  for (const i of items) {
    const field =
      i.field || (i.okta === undefined ? "(missing in Okta)" : "(not in the repository)");
    if (md)
      lines.push(
        `| ${mdCode(i.integration)} | ${mdCode(i.object)} | ${mdCode(field)} | ${mdCode(show(i.okta))} | ${mdCode(show(i.repository))} |`,
      );
    else
      lines.push(
        terminalText(
          `${i.integration}: ${i.object}: ${field}: Okta has ${show(i.okta)}, the repository says ${show(i.repository)}`,
        ),
      );
  }
  lines.push(
    `${items.length} difference${items.length === 1 ? "" : "s"} between Okta and the repository.`,
  );
  return lines.join("\n") + "\n";
}
