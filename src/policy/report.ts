// How a rule turns into a finding: the rule's id and default severity, a message that says what is
// wrong and how to fix it, and the position of the exact node at fault (via the loader's locate()).
import type { Config, Finding, Severity } from "../model/index.js";
import type { LoadedIntegration, NodePath } from "../load/types.js";
import { ruleOf, type RuleId } from "./rules.js";

/** What every check may read besides the integration: the tunables and today's date. */
export interface PolicyContext {
  config: Config;
  /** Today's date as YYYY-MM-DD. */
  today: string;
}

export type IntegrationCheck = (li: LoadedIntegration, ctx: PolicyContext) => Finding[];
export type RepositoryCheck = (all: readonly LoadedIntegration[], ctx: PolicyContext) => Finding[];

export interface ReportOptions {
  /** Point at the key rather than the value (e.g. a whole block that is missing something). */
  part?: "key" | "value";
  severity?: Severity;
  requiresApproval?: boolean;
}

export function report(
  li: LoadedIntegration,
  rule: RuleId,
  path: NodePath,
  message: string,
  options: ReportOptions = {},
): Finding {
  const position = li.locate(path, options.part);
  const finding: Finding = {
    rule,
    severity: options.severity ?? ruleOf(rule).severity,
    message,
    file: li.file,
    integration: li.integration.metadata.name,
    ...position,
  };
  if (options.requiresApproval) finding.requiresApproval = true;
  return finding;
}

/** A policy exception backed by a written reason: it passes, but only with the Identity team's
 * approval, which the GitHub App looks for through `requiresApproval`. */
export function approvalNeeded(
  li: LoadedIntegration,
  rule: RuleId,
  path: NodePath,
  what: string,
  ctx: PolicyContext,
): Finding {
  return report(
    li,
    rule,
    path,
    `${what}: accepted as a written exception, which needs an approval of the pull request by @${ctx.config.policy.identityTeam}.`,
    { severity: "warning", requiresApproval: true },
  );
}

/** User text quoted for a message, cut to a readable length and with control characters escaped,
 * so that a hostile value cannot flood or forge the output. */
export function shown(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut);
}
