// The policy: every requirement of policy.md as a rule with a stable id. Pure: integrations and
// settings in, findings out; the date is passed in so that expiry checks are repeatable.
import type { Config, Finding } from "../model/index.js";
import type { LoadedIntegration } from "../load/types.js";

export interface PolicyInput {
  integrations: readonly LoadedIntegration[];
  config: Config;
  /** Today's date as YYYY-MM-DD (the clock is an adapter). */
  today: string;
}

// Placeholder until the rules land: the contract the loader and the CLI build against.
export function checkPolicy(_input: PolicyInput): Finding[] {
  return [];
}
