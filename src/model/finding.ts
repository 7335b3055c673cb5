// A finding: one thing wrong (or one exception to approve) at one place in one file. Every stage
// that reads user input (loading, schema, policy, planning) reports in this one shape, so every
// renderer (text, json, GitHub annotations, SARIF, pull-request comments) has one input.

export type Severity = "error" | "warning" | "notice";

export interface Position {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

export interface Finding extends Position {
  /** Stable rule id, e.g. `network.private-range`. */
  rule: string;
  severity: Severity;
  /** What is wrong and how to fix it. Never echoes a secret. */
  message: string;
  /** Path of the file, relative to the repository (or as given on the command line). */
  file: string;
  /** The integration's name, when the file declares one. */
  integration?: string;
  /** A policy exception: acceptable only with an approval from the Identity team. */
  requiresApproval?: boolean;
}

/** A finding blocks validation unless it is only advice or an exception awaiting approval. */
export function isBlocking(f: Finding): boolean {
  return f.severity === "error";
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.rule.localeCompare(b.rule)
  );
}
