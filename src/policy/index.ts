// The policy: every requirement of policy.md as a rule with a stable id (see rules.ts). Pure:
// integrations and settings in, findings out; the date is passed in so that expiry checks are
// repeatable.
import type { Config, Finding } from "../model/index.js";
import { compareFindings } from "../model/index.js";
import type { LoadedIntegration, PartialIntegration } from "../load/types.js";
import type { IntegrationCheck, PolicyContext, RepositoryCheck } from "./report.js";
import { checkScopes } from "./scopes.js";
import { checkRole } from "./roles.js";
import { checkResources } from "./resources.js";
import { checkAppSettings } from "./app-settings.js";
import { checkNetwork } from "./network.js";
import { checkCredentials } from "./credentials.js";
import { checkRateLimit } from "./rate-limit.js";
import { checkApiToken } from "./api-token.js";
import { checkAdoption } from "./adoption.js";
import { checkUniqueness } from "./uniqueness.js";

export { RULES, RULE_BY_ID, type PolicyRule, type RuleId } from "./rules.js";

export interface PolicyInput {
  integrations: readonly LoadedIntegration[];
  config: Config;
  /** Today's date as YYYY-MM-DD (the clock is an adapter). */
  today: string;
}

const INTEGRATION_CHECKS: readonly IntegrationCheck[] = [
  checkScopes,
  checkRole,
  checkResources,
  checkAppSettings,
  checkNetwork,
  checkCredentials,
  checkRateLimit,
  checkApiToken,
  checkAdoption,
];

const REPOSITORY_CHECKS: readonly RepositoryCheck[] = [checkUniqueness];

export function checkPolicy(input: PolicyInput): Finding[] {
  const ctx: PolicyContext = { config: input.config, today: input.today };
  const findings: Finding[] = [];
  for (const li of input.integrations) {
    for (const check of INTEGRATION_CHECKS) findings.push(...check(li, ctx));
  }
  for (const check of REPOSITORY_CHECKS) findings.push(...check(input.integrations, ctx));
  return findings.sort(compareFindings);
}

/**
 * The spec fields each rule area reads. For a document that fails the schema, an area runs only
 * when none of its fields is broken, so that fixing a file takes one round, not two. An area that
 * is not listed never runs on such a document, nor do the repository rules (uniqueness needs the
 * whole document); the document itself is refused whatever these rules find.
 */
const AREA_INPUTS: readonly [IntegrationCheck, readonly string[]][] = [
  [checkScopes, ["scopes", "role", "exceptions"]],
  [checkRole, ["role", "scopes"]],
  [checkResources, ["role", "exceptions"]],
  [checkAppSettings, ["dpop", "tokenExchange", "exceptions"]],
  [checkNetwork, ["network"]],
  [checkCredentials, ["credentials"]],
  [checkRateLimit, ["rateLimit"]],
  [checkApiToken, ["justification", "expires", "serviceAccount", "token", "role"]],
];

export function checkPartialPolicy(
  partials: readonly PartialIntegration[],
  input: Omit<PolicyInput, "integrations">,
): Finding[] {
  const ctx: PolicyContext = { config: input.config, today: input.today };
  const findings: Finding[] = [];
  for (const li of partials) {
    for (const [check, inputs] of AREA_INPUTS) {
      if (inputs.some((field) => li.broken.has(field))) continue;
      try {
        findings.push(...check(li, ctx));
      } catch {
        // A rule that reads more than its declared inputs met a missing field: its findings are
        // only withheld; the document is refused by its schema errors all the same.
      }
    }
  }
  return findings.sort(compareFindings);
}
