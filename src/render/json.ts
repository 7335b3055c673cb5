// Findings for machines. The shape is stable (version 1) and documented in the README:
// { version: 1, summary: { files, errors, warnings, notices, requiresApproval },
//   findings: [{ file, line, column, endLine?, endColumn?, rule, severity, message,
//                integration?, requiresApproval? }] }
import type { Finding } from "../model/finding.js";
import { summarize } from "./summary.js";
import { displayJson } from "./escape.js";

export const JSON_FORMAT_VERSION = 1;

export function renderJson(findings: readonly Finding[], options: { files: number }): string {
  const out = {
    version: JSON_FORMAT_VERSION,
    summary: summarize(findings, options.files),
    // Fixed key order, optional keys only when present: diffs of the output stay readable.
    findings: findings.map((f) => ({
      file: f.file,
      line: f.line,
      column: f.column,
      ...(f.endLine !== undefined ? { endLine: f.endLine } : {}),
      ...(f.endColumn !== undefined ? { endColumn: f.endColumn } : {}),
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      ...(f.integration !== undefined ? { integration: f.integration } : {}),
      ...(f.requiresApproval ? { requiresApproval: true } : {}),
    })),
  };
  return displayJson(JSON.stringify(out, null, 2)) + "\n";
}
