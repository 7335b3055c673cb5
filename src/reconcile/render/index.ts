// Renderers of a plan: text for the terminal, Markdown for a pull request (before → after per
// object, risk flags, the JSON Patch folded), JSON for machines (with RFC 6902 patches).
import type { Action, Operation, Plan, RiskFlag } from "../model.js";
import { fieldChanges, patchOf, show, type PatchOperation } from "./patch.js";

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
}

export function summarise(p: Plan): Summary {
  const s: Summary = { create: 0, update: 0, adopt: 0, delete: 0, conflict: 0 };
  for (const o of p.operations) s[o.action]++;
  return s;
}

export function summaryLine(s: Summary): string {
  if (s.create + s.update + s.adopt + s.delete + s.conflict === 0)
    return "No changes: Okta matches the repository.";
  const adopt = s.adopt ? `, ${s.adopt} to adopt` : "";
  return `Plan: ${s.create} to create, ${s.update} to update${adopt}, ${s.delete} to delete, ${s.conflict} conflict${s.conflict === 1 ? "" : "s"}.`;
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
  lines.push(summaryLine(summarise(p)));
  return lines.join("\n") + "\n";
}

export function renderMarkdown(p: Plan): string {
  const s = summarise(p);
  const out: string[] = [`**${summaryLine(s)}**`, ""];
  for (const [integration, ops] of byIntegration(p)) {
    out.push(
      `#### \`${integration}\``,
      "",
      "| | object | before → after | risk |",
      "|---|---|---|---|",
    );
    for (const o of ops) {
      out.push(
        `| ${SIGN[o.action]} ${o.action} | ${cell(subject(o))} | ${cell(change(o))} | ${o.risks.map((r) => `⚠️ ${r}`).join("<br>")} |`,
      );
    }
    const patches = ops
      .filter((o) => o.action !== "conflict")
      .map((o) => ({ id: o.id, patch: patchOf(o) }));
    if (patches.length) {
      out.push(
        "",
        "<details><summary>JSON Patch (RFC 6902)</summary>",
        "",
        "```json",
        JSON.stringify(patches, null, 2),
        "```",
        "",
        "</details>",
      );
    }
    out.push("");
  }
  return out.join("\n") + "\n";
}

function change(o: Operation): string {
  switch (o.action) {
    case "conflict":
      return o.reason ?? "";
    case "create":
      return o.kind === "grant" ? "—" : `→ ${show(o.after)}`;
    case "delete":
      return `${show(o.before)} → (deleted)`;
    case "update":
    case "adopt":
      return (
        fieldChanges(o.before, o.after)
          .map((c) => `${c.path.slice(1)}: ${show(c.before)} → ${show(c.after)}`)
          .join("<br>") || "takes ownership (no setting changes)"
      );
  }
}

function cell(s: string): string {
  return "`" + s.replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\n/g, " ") + "`";
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

export function planToJson(p: Plan): { summary: Summary; operations: JsonOperation[] } {
  return {
    summary: summarise(p),
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

export function renderPlan(p: Plan, format: Format): string {
  if (format === "json") return JSON.stringify(planToJson(p)) + "\n";
  return format === "markdown" ? renderMarkdown(p) : renderText(p);
}

function byIntegration(p: Plan): Map<string, Operation[]> {
  const m = new Map<string, Operation[]>();
  for (const o of p.operations) m.set(o.integration, [...(m.get(o.integration) ?? []), o]);
  return m;
}
