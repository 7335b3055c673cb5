// `okta-gitops drift`: what differs in Okta from the integration files, field by field; with
// --correct, puts it back. Integrations whose files were removed are not drift (apply deletes
// them, under the deletion guard), so drift never deletes an integration.
import { parseArgs } from "node:util";
import { apply } from "../../reconcile/apply.js";
import { SHARED, type Operation, type Plan } from "../../reconcile/model.js";
import { fieldChanges, show } from "../../reconcile/render/patch.js";
import { subject } from "../../reconcile/render/index.js";
import { mdCode, terminalText } from "../../render/escape.js";
import { refsOf } from "../../okta/adapter.js";
import {
  findingLine,
  formatOf,
  guarded,
  listOption,
  planAgainstOkta,
  processIo,
  progressBar,
  withOkta,
  workspaceFromArgs,
  WORKSPACE_OPTIONS,
  type PlanRun,
  type ReconcileIo,
} from "../reconcile-support.js";
import { renderReport, reportJson, withLock } from "./apply.js";
import { refusedJson } from "./plan.js";

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

export interface DriftItem {
  integration: string;
  object: string;
  kind: Operation["kind"];
  /** A field path, or "" for the whole object. */
  field: string;
  okta: unknown;
  repository: unknown;
  /** Not corrected: the integration is refused (read-only), or its exception expired (apply
   * revokes it, under the deletion guard). */
  uncorrected?: "refused" | "expired";
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
    return withOkta(io, async (okta) => {
      // The drift read checks no resource's existence (it changes nothing); a correction does, and
      // leaves out an integration whose resource set names an object that is not in Okta.
      const check = async (correcting: boolean) => {
        const run = await planAgainstOkta(ws, okta, only.size ? only : undefined, io, {
          checkResources: correcting,
        });
        for (const f of run.findings) io.stderr(`${findingLine(f)}\n`);
        for (const n of run.notes) io.stderr(`note: ${n}\n`);
        // Drift is about integrations that have files (and the interactive-login block they
        // share); conflicts are reported by plan and apply. An expired exception's revocation is
        // reported, and left to apply and its deletion guard.
        const operations = run.plan.operations.filter(
          (o) =>
            (ws.desired.has(o.integration) ||
              ws.tokens.has(o.integration) ||
              o.integration === SHARED) &&
            o.action !== "conflict",
        );
        const expired = run.plan.operations.filter((o) => ws.expired.has(o.integration));
        const items = [
          ...driftItems({ ...run.plan, operations }),
          ...driftItems({ ...run.plan, operations: expired }).map((i): DriftItem => ({
            ...i,
            uncorrected: "expired",
          })),
          ...run.refused.flatMap((r) =>
            driftItems({ ...run.plan, operations: r.drift }).map((i): DriftItem => ({
              ...i,
              uncorrected: "refused",
            })),
          ),
        ];
        // Anything refused or left unchecked fails the run: "No drift" is never said of it.
        const failed = run.findings.length > 0 || run.refused.length > 0 || ws.refused.size > 0;
        return { run: { ...run, plan: { ...run.plan, operations } }, items, failed };
      };
      if (!args.values.correct) {
        const { run, items, failed } = await check(false);
        io.stdout(renderDrift(items, format, run));
        return failed ? 1 : items.length ? 2 : 0;
      }
      return await withLock(okta, io, async () => {
        const { run, items, failed } = await check(true);
        const left = items.filter((i) => i.uncorrected);
        if (!run.plan.operations.length) {
          io.stdout(renderDrift(items, format, run));
          return failed || left.length ? 1 : 0;
        }
        const bar = progressBar(io, "Correcting");
        const report = await apply(run.plan, okta.adapter, {
          refs: refsOf(run.actual),
          onProgress: (d, t) => bar.update(d, t),
        });
        bar.end();
        if (format === "json")
          io.stdout(
            JSON.stringify({
              drift: items,
              report: reportJson(report),
              notes: run.notes,
              refusals: refusedJson(run.refused),
            }) + "\n",
          );
        else
          io.stdout(
            renderDrift(items, format, run) + "Corrected: " + renderReport(report, run.plan),
          );
        return report.failed || report.skipped || failed || left.length ? 1 : 0;
      });
    });
  });
}

export function renderDrift(
  items: DriftItem[],
  format: string,
  run?: Pick<PlanRun, "notes" | "refused" | "plan">,
): string {
  const refused = run?.plan.refused ?? [];
  if (format === "json")
    return (
      JSON.stringify({
        drift: items,
        ...(run ? { refused, notes: run.notes, refusals: refusedJson(run.refused) } : {}),
      }) + "\n"
    );
  const md = format === "markdown";
  // Never "No drift" while something was refused or left unchecked: say what, and where to look.
  const shown = (s: string) => (md ? mdCode(s) : s);
  const leftLine = refused.length
    ? `Not checked against the repository: ${refused.length} integration${refused.length === 1 ? " is" : "s are"} refused or left unchecked (${refused.map(shown).join(", ")}); see the notes.`
    : "";
  // Notes quote Okta (what it holds for a refused integration): inert code in Markdown.
  const notes = md && run ? run.notes.map((n) => `> ${mdCode(n)}`) : [];
  if (!items.length) {
    if (!leftLine) return "No drift: Okta matches the repository.\n";
    return [leftLine, ...notes].join("\n") + "\n";
  }
  const lines = md
    ? ["| integration | object | field | in Okta | in the repository |", "|---|---|---|---|---|"]
    : [];
  for (const i of items) {
    const field =
      (i.field || (i.okta === undefined ? "(missing in Okta)" : "(not in the repository)")) +
      (i.uncorrected === "refused"
        ? " (refused: not corrected)"
        : i.uncorrected === "expired"
          ? " (expired: apply revokes it)"
          : "");
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
  if (leftLine) lines.push(leftLine, ...notes);
  return lines.join("\n") + "\n";
}
