// Findings for people: grouped by file, each with its source line and a caret under the column.
// Pure. Colour only when the caller asks for it (the CLI asks on a TTY without NO_COLOR).
import type { Finding } from "../model/finding.js";
import { terminalText } from "./escape.js";
import { plural, summarize } from "./summary.js";

export interface TextOptions {
  /** How many files were checked. */
  files: number;
  color?: boolean;
  /** The text of a file, to show the line at fault; omitted lines are simply not shown. */
  source?: (file: string) => string | undefined;
  /** Every finding on its own; otherwise the warnings that only need approval are one line per
   * integration (they repeat on every run, and the reviewer wants them named, not re-read). */
  verbose?: boolean;
}

const STYLE = {
  error: "\x1b[31m",
  warning: "\x1b[33m",
  notice: "\x1b[36m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  reset: "\x1b[0m",
} as const;

/** The rule whose findings mean a file holds a secret: such a file's lines are never printed. */
const SECRET_RULE = "credentials.private-key";

export function renderText(findings: readonly Finding[], options: TextOptions): string {
  const paint = (style: keyof typeof STYLE, s: string) =>
    options.color ? `${STYLE[style]}${s}${STYLE.reset}` : s;
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }

  const out: string[] = [];
  for (const [file, list] of byFile) {
    out.push(paint("bold", safe(file)));
    const withheld = list.some((f) => f.rule === SECRET_RULE);
    const lines = withheld ? undefined : options.source?.(file)?.split(/\r?\n/);
    const grouped = options.verbose ? [] : list.filter(approvalOnly);
    for (const f of options.verbose ? list : list.filter((f) => !approvalOnly(f))) {
      const rule = f.requiresApproval ? `${f.rule}, needs approval` : f.rule;
      out.push(
        `  ${f.line}:${f.column}  ${paint(f.severity, f.severity)}  ${safe(f.message.replace(/\r?\n/g, "\n        "))}  ${paint("dim", rule)}`,
      );
      const line = lines?.[f.line - 1];
      if (line !== undefined) out.push(...excerpt(line, f, paint));
    }
    if (grouped.length) out.push(approvalLine(grouped, paint));
    if (withheld) out.push(paint("dim", "  (source lines not shown: the file holds key material)"));
    out.push("");
  }
  out.push(summaryLine(findings, options.files, paint));
  return out.join("\n") + "\n";
}

/** A warning whose only news is that the Identity team must approve it (an error never is). */
const approvalOnly = (f: Finding) => f.requiresApproval === true && f.severity !== "error";

/** One line for an integration's approvals: where the first is, and each rule with its count. */
function approvalLine(
  group: readonly Finding[],
  paint: (style: keyof typeof STYLE, s: string) => string,
): string {
  const counts = new Map<string, number>();
  for (const f of group) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  const rules = [...counts].map(([rule, n]) => (n > 1 ? `${rule} (${n})` : rule)).join(", ");
  const first = group[0]!;
  const what = group.length === 1 ? "1 exception needs" : `${group.length} exceptions need`;
  return `  ${first.line}:${first.column}  ${paint("warning", "warning")}  ${what} the Identity team's approval: ${safe(rules)} (--verbose shows ${group.length === 1 ? "it" : "each"})  ${paint("dim", "needs approval")}`;
}

function excerpt(
  line: string,
  f: Finding,
  paint: (style: keyof typeof STYLE, s: string) => string,
): string[] {
  const gutter = String(f.line).padStart(6);
  const shown = safe(line);
  const start = Math.min(Math.max(f.column - 1, 0), shown.length);
  const end =
    f.endLine === f.line && f.endColumn !== undefined ? Math.min(f.endColumn - 1, shown.length) : 0;
  const width = Math.max(1, end - start);
  // Keep tabs before the caret so that it lines up under the same column as the source.
  const pad = shown.slice(0, start).replace(/[^\t]/g, " ");
  return [
    `${paint("dim", `${gutter} |`)} ${shown}`,
    `${paint("dim", `${" ".repeat(6)} |`)} ${pad}${paint(f.severity, "^".repeat(width))}`,
  ];
}

function summaryLine(
  findings: readonly Finding[],
  files: number,
  paint: (style: keyof typeof STYLE, s: string) => string,
): string {
  const s = summarize(findings, files);
  const checked = `${plural(files, "file")} checked`;
  if (findings.length === 0) return `${checked}: no problems found`;
  const parts = [
    plural(s.errors, "error"),
    plural(s.warnings, "warning"),
    plural(s.notices, "notice"),
  ];
  const approval = s.requiresApproval
    ? `; ${s.requiresApproval} need${s.requiresApproval === 1 ? "s" : ""} the Identity team's approval`
    : "";
  const head = s.errors ? paint("error", parts.join(", ")) : parts.join(", ");
  return `${checked}: ${head}${approval}`;
}

/** Control characters (a terminal escape in a file, C1 controls) and bidirectional overrides (text
 * that reads differently than it runs) are never passed to the terminal (see escape.ts). One code
 * unit becomes one character, so columns still line up. */
export function safe(s: string): string {
  return terminalText(s, { layout: true });
}
