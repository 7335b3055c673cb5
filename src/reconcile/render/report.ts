// The renderers of what plan, apply and drift report beyond the plan itself: findings, warnings
// and notes around a plan, the refused integrations in JSON, an apply's outcome, and the drift
// table. Pure: the CLI prints them, the GitHub App posts them.
import type { Finding } from "../../model/index.js";
import { displayJson, mdCode, terminalText } from "../../render/escape.js";
import type { ApplyReport } from "../apply.js";
import type { Plan } from "../model.js";
import type { DriftItem, RefusedReport } from "../report.js";
import {
  GITHUB_COMMENT_LIMIT,
  PLAN_JSON_VERSION,
  planToJson,
  renderPlan,
  subject,
  summarise,
  summaryCounts,
  type Format,
} from "./index.js";
import { patchOf, show } from "./patch.js";

/** A plan-time finding as one line: `file:line:column: error: message (rule)`. */
export function findingLine(f: Finding): string {
  return terminalText(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} (${f.rule})`);
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
    return (
      displayJson(JSON.stringify({ ...planToJson(p), warnings, notes, findings, refusals })) + "\n"
    );
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

/** What `apply --format json` prints: the plan, the outcome (null when nothing was applied), the
 * notes, findings and refusals, and the exceptions approved only because Okta is the local org. */
export function applyJson(
  run: { plan: Plan; notes: string[]; findings: Finding[]; refused: RefusedReport[] },
  report: ApplyReport | null,
  sandboxApproved: string[],
): string {
  return (
    displayJson(
      JSON.stringify({
        version: PLAN_JSON_VERSION,
        plan: planToJson(run.plan),
        report: report ? reportJson(report) : null,
        notes: run.notes,
        findings: run.findings,
        refusals: refusedJson(run.refused),
        sandboxApproved,
      }),
    ) + "\n"
  );
}

/** What `drift --correct --format json` prints once it corrected something. */
export function correctedJson(
  items: DriftItem[],
  report: ApplyReport,
  run: { notes: string[]; refused: RefusedReport[] },
): string {
  return (
    displayJson(
      JSON.stringify({
        drift: items,
        report: reportJson(report),
        notes: run.notes,
        refusals: refusedJson(run.refused),
      }),
    ) + "\n"
  );
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

export function renderDrift(
  items: DriftItem[],
  format: string,
  run?: { notes: string[]; refused: RefusedReport[]; plan: Plan },
): string {
  const refused = run?.plan.refused ?? [];
  if (format === "json")
    return (
      displayJson(
        JSON.stringify({
          drift: items,
          ...(run ? { refused, notes: run.notes, refusals: refusedJson(run.refused) } : {}),
        }),
      ) + "\n"
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
