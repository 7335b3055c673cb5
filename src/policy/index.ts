// The policy: every requirement of policy.md as a rule with a stable id (see rules.ts). Pure:
// integrations and settings in, findings out; the date is passed in so that expiry checks are
// repeatable.
import type { Config, Finding } from "../model/index.js";
import { compareFindings } from "../model/index.js";
import type { LoadedIntegration } from "../load/types.js";
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
