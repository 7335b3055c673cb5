// Findings as GitHub Actions workflow commands, so `validate` annotates a pull request when it runs
// as a workflow step. Escaping follows GitHub's toolkit (@actions/core): data escapes % \r \n;
// properties also escape : and ,.
import type { Finding } from "../model/finding.js";
import { terminalText } from "./escape.js";
import { plural, summarize } from "./summary.js";

export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

const COMMAND = { error: "error", warning: "warning", notice: "notice" } as const;

export function renderGithub(findings: readonly Finding[], options: { files: number }): string {
  const lines = findings.map((f) => {
    const props: [string, string | number | undefined][] = [
      ["file", f.file],
      ["line", f.line],
      ["col", f.column],
      ["endLine", f.endLine],
      ["endColumn", f.endColumn],
      // The messages of exception rules say what the approval is; the title marks it for scanning.
      ["title", f.requiresApproval ? `${f.rule} (needs approval)` : f.rule],
    ];
    const head = props
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${escapeProperty(terminalText(String(v)))}`)
      .join(",");
    // The log shows the message too: no terminal escape or bidi control may reach it.
    return `::${COMMAND[f.severity]} ${head}::${escapeData(terminalText(f.message, { layout: true }))}`;
  });
  const s = summarize(findings, options.files);
  lines.push(
    `okta-gitops: ${plural(s.files, "file")} checked, ${plural(s.errors, "error")}, ` +
      `${plural(s.warnings, "warning")}, ${plural(s.notices, "notice")}`,
  );
  return lines.join("\n") + "\n";
}
