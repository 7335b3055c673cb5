// What the merge and drift jobs post, built from their runs. Every value from the files, Okta or
// GitHub is an inert code span (src/render/escape.ts); every body is cut to GitHub's limits.
import { mdCode, mdFence } from "../../render/escape.js";
import { renderReport, renderDrift } from "../../reconcile/render/report.js";
import { renderPlan } from "../../reconcile/render/index.js";
import type { CheckOutput } from "../port.js";
import type { Verdict } from "./approval-record.js";
import type { DriftRun, MergeRun } from "./runs.js";

export const APPLY_COMMENT_MARKER = "<!-- okta-gitops:apply -->";
export const APPLY_FAILURE_MARKER = "<!-- okta-gitops:apply-failure -->";
export const DRIFT_MARKER = "<!-- okta-gitops:drift -->";

const MAX_BYTES = 65_535;
const MAX_CHARS = 65_536;

/** Cuts whole lines until the text fits, and says so. */
function fit(text: string, max: number, bytes: boolean): string {
  const size = (s: string) => (bytes ? Buffer.byteLength(s, "utf8") : s.length);
  if (size(text) <= max) return text;
  const note = "\n\n… cut to fit GitHub's limit.";
  const lines = text.split("\n");
  let out = "";
  for (const line of lines) {
    if (size(out + line + "\n" + note) > max) break;
    out += line + "\n";
  }
  return out + note;
}

const sha7 = (s: string) => mdCode(s.slice(0, 7));

function verdictLines(verdicts: readonly Verdict[]): string[] {
  if (!verdicts.length) return [];
  return [
    "",
    "**Exceptions:**",
    ...verdicts.map(
      (v) =>
        `- ${v.approved ? "✅" : "⛔"} ${mdCode(v.key)} (${v.rules.map(mdCode).join(", ")} at ${mdCode(`${v.file}:${v.line}`)}): ${mdCode(v.reason)}` +
        (v.approvedBy.length ? ` by ${v.approvedBy.map(mdCode).join(", ")}` : ""),
    ),
  ];
}

function refusedLines(run: MergeRun): string[] {
  const ws = run.workspace;
  const names = new Map<string, string>();
  for (const [name, why] of ws?.refused ?? []) names.set(name, why);
  for (const r of run.result?.run.refused ?? [])
    if (!names.has(r.integration)) names.set(r.integration, r.reason);
  for (const name of run.result?.run.plan.refused ?? [])
    if (!names.has(name))
      names.set(
        name,
        run.result?.run.notes.find((n) => n.startsWith(`${name}: `))?.slice(name.length + 2) ??
          "refused",
      );
  if (!names.size) return [];
  return [
    "",
    "**Refused (left as they are in Okta):**",
    ...[...names].map(([n, why]) => `- ${mdCode(n)}: ${mdCode(why)}`),
  ];
}

/** The headline of a merge run. */
export function applyTitle(run: MergeRun): string {
  if (run.error) return "Apply failed";
  if (run.settingsRefused) return "Refused: the settings file is not approved";
  if (run.guard) return "Refused: the deletion guard stopped the apply";
  const r = run.result;
  if (!r) return "Apply failed";
  if (r.outcome === "applied")
    return run.failed
      ? `Applied ${r.report.done} of ${r.report.outcomes.length} operations, with failures or refusals`
      : `Applied ${r.report.done} operations`;
  return run.failed ? "Nothing applied: refusals" : "No changes: Okta matches the repository";
}

function applyBody(run: MergeRun): string {
  const lines = [`Apply of ${sha7(run.sha)} (${mdCode(run.branch)}): **${applyTitle(run)}**`];
  if (run.error) lines.push("", `Error: ${mdCode(run.error)}`);
  if (run.settingsRefused)
    lines.push(
      "",
      `Nothing was applied: ${mdCode(SETTINGS_NOTE)} ${mdCode(run.settingsRefused.reason)}`,
    );
  if (run.guard) lines.push("", mdCode(run.guard));
  lines.push(...verdictLines(run.verdicts), ...refusedLines(run));
  const r = run.result;
  if (r?.outcome === "applied")
    lines.push("", "**Outcome:**", mdFence(renderReport(r.report, r.run.plan).trimEnd()));
  if (r) {
    for (const f of r.run.findings)
      lines.push(`- ${mdCode(`${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule})`)}`);
    lines.push("", renderPlan(r.run.plan, "markdown", 40_000));
    if (r.run.notes.length) lines.push("", ...r.run.notes.map((n) => `> ${mdCode(n)}`));
  }
  return lines.join("\n");
}

const SETTINGS_NOTE = "the settings file .okta-gitops.yml on main is not approved:";

export function applyCheckOutput(run: MergeRun): CheckOutput {
  return { title: applyTitle(run), summary: fit(applyBody(run), MAX_BYTES, true) };
}

export function applyComment(run: MergeRun): string {
  return fit(`${APPLY_COMMENT_MARKER}\n${applyBody(run)}`, MAX_CHARS, false);
}

export function applyFailureIssue(run: MergeRun): { title: string; body: string } {
  const body = run.failed
    ? `${APPLY_FAILURE_MARKER}\n${applyBody(run)}`
    : `${APPLY_FAILURE_MARKER}\nResolved: the apply of ${sha7(run.sha)} succeeded.`;
  return { title: "okta-gitops: applying main to Okta failed", body: fit(body, MAX_CHARS, false) };
}

export function supersededOutput(sha: string, newer: string | undefined): CheckOutput {
  return {
    title: "Superseded by a newer push",
    summary: `Not applied: ${newer ? `${sha7(newer)}, a newer push to the branch,` : "a newer push to the branch"} is applied instead (the newest main wins). ${sha7(sha)} is not applied on its own.`,
  };
}

export function driftIssue(run: DriftRun): { title: string; body: string } {
  const lines = [
    DRIFT_MARKER,
    `Drift check of ${sha7(run.sha)} (${mdCode(run.branch)}) in ${mdCode(run.mode)} mode.`,
  ];
  if (run.error) lines.push("", `The check failed, nothing was checked: ${mdCode(run.error)}`);
  if (run.settingsRefused)
    lines.push("", `Not corrected: ${mdCode(SETTINGS_NOTE)} ${mdCode(run.settingsRefused.reason)}`);
  lines.push(...verdictLines(run.verdicts.filter((v) => !v.approved)));
  if (run.report) {
    lines.push("", renderDrift(run.report.items, "markdown", run.report.run));
    if (run.report.report)
      lines.push(
        "",
        "**Corrected:**",
        mdFence(renderReport(run.report.report, run.report.run.plan).trimEnd()),
      );
  }
  if (run.clean) lines.push("", "Okta matches main again.");
  return {
    title: "okta-gitops: Okta differs from main",
    body: fit(lines.join("\n"), MAX_CHARS, false),
  };
}
