// Counts shared by the renderers.
import type { Finding } from "../model/finding.js";

export interface Summary {
  files: number;
  errors: number;
  warnings: number;
  notices: number;
  requiresApproval: number;
}

/** `files` is how many files were checked: a clean file has no finding to count it by. */
export function summarize(findings: readonly Finding[], files: number): Summary {
  const summary: Summary = { files, errors: 0, warnings: 0, notices: 0, requiresApproval: 0 };
  for (const f of findings) {
    if (f.severity === "error") summary.errors++;
    else if (f.severity === "warning") summary.warnings++;
    else summary.notices++;
    if (f.requiresApproval) summary.requiresApproval++;
  }
  return summary;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
