// Renderers of a plan: text for the terminal, Markdown for a pull request (before → after per
// object, risk flags, the JSON Patch folded), JSON for machines (with RFC 6902 patches).
import type { Action, Operation, Plan, RiskFlag } from "../model.js";
import { fieldChanges, patchOf, show, type PatchOperation } from "./patch.js";
import { displayJson, mdCode, mdFence, terminalText } from "../../render/escape.js";

export type Format = "text" | "markdown" | "json";
export const FORMATS: readonly Format[] = ["text", "markdown", "json"];

const SIGN: Record<Action, string> = {
  create: "+",
  update: "~",
  adopt: "&",
  delete: "-",
  conflict: "!",
};

export interface Summary {
  create: number;
  update: number;
  adopt: number;
  delete: number;
  conflict: number;
  /** Integrations left out of the plan, refused (policy, approvals, missing resources). */
  refused: number;
}

export function summarise(p: Plan): Summary {
  const s: Summary = { create: 0, update: 0, adopt: 0, delete: 0, conflict: 0, refused: 0 };
  for (const o of p.operations) s[o.action]++;
  s.refused = p.refused?.length ?? 0;
  return s;
}

/** Every count, always: a refusal or a conflict is never hidden behind "No changes". */
export function summaryCounts(s: Summary): string {
  return `${s.create} to create, ${s.update} to update, ${s.adopt} to adopt, ${s.delete} to delete, ${s.conflict} conflict${s.conflict === 1 ? "" : "s"}, ${s.refused} refused`;
}

/** "No changes" only when nothing at all is planned, refused or left unchecked; refused
 * integrations are named, since Okta is not known to match the repository for them. */
export function summaryLine(s: Summary, refused: readonly string[] = []): string {
  if (s.create + s.update + s.adopt + s.delete + s.conflict + s.refused === 0)
    return "No changes: Okta matches the repository.";
  const named = refused.length ? ` (${refused.join(", ")}; see the notes)` : "";
  return `Plan: ${summaryCounts(s)}${named}.`;
}

/** A short name of the object an operation is about. */
export function subject(o: Operation): string {
  const v = (o.after ?? o.before) as Record<string, unknown> | undefined;
  switch (o.kind) {
    case "grant":
      return `grant ${String(v?.scope ?? o.id.split("/").pop())}`;
    case "roleAssignment":
      return `role ${roleName(v)}`;
    case "rateLimit":
      return `rate limit`;
    case "zone":
      return `zone ${String(v?.name ?? "")}`;
    case "app":
      return `app ${String(v?.label ?? "")}`;
    case "loginGroup":
      return `group ${String(v?.name ?? "")}`;
    case "loginRule":
      return `sign-on rule ${String(v?.name ?? "")} (deny ${String(v?.group ?? "")})`;
    case "loginBlock":
      return `interactive sign-in of ${String(v?.login ?? "")} blocked (${String(v?.group ?? "")})`;
    case "token":
      return `API token ${o.target?.id ?? ""} ${String(v?.name ?? "")}`.trimEnd();
    default:
      return `${o.kind === "customRole" ? "custom role" : "resource set"} ${String(v?.label ?? "")}`;
  }
}

function roleName(v: Record<string, unknown> | undefined): string {
  if (!v) return "";
  return v.type === "CUSTOM"
    ? `CUSTOM ${String(v.role)} on ${String(v.resourceSet)}`
    : String(v.type);
}

const risks = (r: RiskFlag[]) => (r.length ? `  [${r.join(", ")}]` : "");

export function renderText(p: Plan): string {
  const lines: string[] = [];
  for (const [integration, ops] of byIntegration(p)) {
    lines.push(integration);
    for (const o of ops) {
      lines.push(`  ${SIGN[o.action]} ${subject(o)}${risks(o.risks)}`);
      if (o.action === "conflict") lines.push(`      ${o.reason}`);
      if (o.action === "adopt") lines.push(`      takes ownership (${o.target?.id})`);
      if (o.action === "update" || o.action === "adopt")
        for (const c of fieldChanges(o.before, o.after))
          lines.push(`      ${c.path.slice(1)}: ${show(c.before)} → ${show(c.after)}`);
      if (o.action === "create" && o.kind !== "grant") lines.push(`      ${show(o.after)}`);
    }
  }
  lines.push(summaryLine(summarise(p), p.refused));
  // Labels, names and values come from Okta and the files: no control character reaches the
  // terminal (an escape sequence could redraw the screen, a CR overwrite the summary).
  return lines.map((l) => terminalText(l)).join("\n") + "\n";
}

/** GitHub's limit on the body of an issue or pull-request comment, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** One integration's part of the Markdown plan: its header and table head, its rows, and its
 * folded JSON Patch. */
interface MarkdownSection {
  head: string;
  rows: string[];
  /** Rows left out to fit the limit. */
  rowsLeftOut: number;
  patch: string;
}

const sectionText = (s: MarkdownSection): string =>
  [
    s.head,
    ...s.rows,
    ...(s.rowsLeftOut
      ? [`| … | ${s.rowsLeftOut} more operation${s.rowsLeftOut === 1 ? "" : "s"} not shown | | |`]
      : []),
    ...(s.patch ? [s.patch] : []),
    "",
  ].join("\n");

/** What the GitHub App adds to the Markdown plan. */
export interface MarkdownExtras {
  /** Markdown lines (escaped by the caller) shown first under an integration's header, before
   * its risk flags: say, the exceptions it needs approved. */
  flags?: ReadonlyMap<string, readonly string[]>;
  /** The notice (Markdown) at the top of a plan shortened to fit; by default one that names the
   * comment limit and `plan --format json`. */
  shortened?: string;
}

/** An integration's risks, first under its header: the risk flags of its operations, with the
 * deletions and adoptions counted. */
function riskLine(ops: readonly Operation[]): string[] {
  const flags = [...new Set(ops.flatMap((o) => o.risks))];
  if (!flags.length) return [];
  const count = (r: RiskFlag) => ops.filter((o) => o.risks.includes(r)).length;
  return [`**Risk:** ${flags.map((r) => `⚠️ \`${r}\` ×${count(r)}`).join(" · ")}`, ""];
}

/**
 * The plan as Markdown for a pull-request comment, at most `limit` characters (GitHub's comment
 * limit by default). When it is longer, the summary and every integration's header stay, and the
 * largest details go first: the JSON Patches are folded away, then table rows of the largest
 * integrations are cut, then (only when the headers alone are too many) the last integrations;
 * a note at the top says so and where the full plan is.
 */
export function renderMarkdown(
  p: Plan,
  limit = GITHUB_COMMENT_LIMIT,
  extras: MarkdownExtras = {},
): string {
  const s = summarise(p);
  const sections: MarkdownSection[] = [];
  for (const [integration, ops] of byIntegration(p)) {
    const flags = extras.flags?.get(integration) ?? [];
    const rows = ops.map(
      (o) =>
        `| ${SIGN[o.action]} ${o.action} | ${mdCode(subject(o))} | ${changeCell(o)} | ${o.risks.map((r) => `⚠️ ${r}`).join("<br>")} |`,
    );
    const patches = ops
      .filter((o) => o.action !== "conflict")
      .map((o) => ({ id: o.id, patch: patchOf(o) }));
    const patch = patches.length
      ? [
          "",
          "<details><summary>JSON Patch (RFC 6902)</summary>",
          "",
          mdFence(displayJson(JSON.stringify(patches, null, 2)), "json"),
          "",
          "</details>",
        ].join("\n")
      : "";
    sections.push({
      head: [
        `#### ${mdCode(integration)}`,
        "",
        ...(flags.length ? [...flags, ""] : []),
        ...riskLine(ops),
        "| | object | before → after | risk |",
        "|---|---|---|---|",
      ].join("\n"),
      rows,
      rowsLeftOut: 0,
      patch,
    });
  }
  const top = `**${summaryLine(s, (p.refused ?? []).map(mdCode))}**\n`;
  const full = [top, ...sections.map(sectionText)].join("\n") + "\n";
  if (full.length <= limit) return full;

  const notice =
    (extras.shortened ??
      `> ⚠️ This plan is shortened to fit GitHub's comment limit (${limit.toLocaleString("en-US")} characters): ` +
        "the largest details are left out. `okta-gitops plan --format json` (or the check run) has all of it.") +
    "\n";
  const fixed = top.length + 1 + notice.length + 1 + 1;
  const lengths = sections.map((x) => sectionText(x).length + 1);
  let total = fixed + lengths.reduce((a, b) => a + b, 0);
  const refresh = (i: number) => {
    const now = sectionText(sections[i]!).length + 1;
    total += now - lengths[i]!;
    lengths[i] = now;
  };
  const largestFirst = (size: (x: MarkdownSection) => number) =>
    sections.map((_, i) => i).sort((a, b) => size(sections[b]!) - size(sections[a]!));

  // 1. Fold away the JSON Patches, largest first.
  for (const i of largestFirst((x) => x.patch.length)) {
    if (total <= limit) break;
    const x = sections[i]!;
    if (!x.patch) continue;
    x.patch = `\n<sub>JSON Patch left out (${x.patch.length.toLocaleString("en-US")} characters) to fit the comment.</sub>`;
    refresh(i);
  }
  // 2. Cut table rows of the largest integrations.
  for (const i of largestFirst((x) => x.rows.join("").length)) {
    const x = sections[i]!;
    while (total > limit && x.rows.length) {
      // Counted as it goes (the closing "more operations" row counted generously), then measured.
      while (total > limit && x.rows.length) {
        const row = x.rows.pop()!;
        const delta = row.length + 1 - (x.rowsLeftOut++ === 0 ? 64 : 0);
        total -= delta;
        lengths[i]! -= delta;
      }
      refresh(i);
    }
    if (total <= limit) break;
  }
  // 3. Only when the headers alone do not fit: the last integrations are named by count only.
  let shown = sections.length;
  const tail = (n: number) => `\n_… and ${n} more integration${n === 1 ? "" : "s"} not shown._\n`;
  const tailLength = (hidden: number) => (hidden ? tail(hidden).length : 0);
  while (shown > 0 && total + tailLength(sections.length - shown) > limit) {
    shown--;
    total -= lengths[shown]!;
  }
  const body = [top, notice, ...sections.slice(0, shown).map(sectionText)].join("\n");
  return body + "\n" + (shown < sections.length ? tail(sections.length - shown) : "");
}

/** The before → after cell, as Markdown: each value one code span (see mdCode), several field
 * changes one per line. */
function changeCell(o: Operation): string {
  switch (o.action) {
    case "conflict":
      return mdCode(o.reason ?? "");
    case "create":
      return o.kind === "grant" ? "—" : mdCode(`→ ${show(o.after)}`);
    case "delete":
      return mdCode(`${show(o.before)} → (deleted)`);
    case "update":
    case "adopt":
      return (
        fieldChanges(o.before, o.after)
          .map((c) => mdCode(`${c.path.slice(1)}: ${show(c.before)} → ${show(c.after)}`))
          .join("<br>") || mdCode("takes ownership (no setting changes)")
      );
  }
}

export interface JsonOperation {
  id: string;
  integration: string;
  kind: Operation["kind"];
  action: Action;
  risks: RiskFlag[];
  dependsOn: string[];
  oktaId?: string;
  before?: unknown;
  after?: unknown;
  patch: PatchOperation[];
  reason?: string;
}

/** The plan JSON's format version (as validate's JSON carries one). */
export const PLAN_JSON_VERSION = 1;

export function planToJson(p: Plan): {
  version: typeof PLAN_JSON_VERSION;
  summary: Summary;
  refused: string[];
  operations: JsonOperation[];
} {
  return {
    version: PLAN_JSON_VERSION,
    summary: summarise(p),
    refused: p.refused ?? [],
    operations: p.operations.map((o) => ({
      id: o.id,
      integration: o.integration,
      kind: o.kind,
      action: o.action,
      risks: o.risks,
      dependsOn: o.dependsOn,
      ...(o.target ? { oktaId: o.target.id } : {}),
      ...(o.before !== undefined ? { before: o.before } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}),
      patch: patchOf(o),
      ...(o.reason ? { reason: o.reason } : {}),
    })),
  };
}

export function renderPlan(p: Plan, format: Format, limit = GITHUB_COMMENT_LIMIT): string {
  if (format === "json") return displayJson(JSON.stringify(planToJson(p))) + "\n";
  return format === "markdown" ? renderMarkdown(p, limit) : renderText(p);
}

function byIntegration(p: Plan): Map<string, Operation[]> {
  const m = new Map<string, Operation[]>();
  for (const o of p.operations) m.set(o.integration, [...(m.get(o.integration) ?? []), o]);
  return m;
}
