// `validate`: load every file, then check the policy over the well-formed integrations (and over
// the well-formed part of the others). Pure: the files, the settings and today's date come in;
// findings come out, sorted by file and position.
import { compareFindings, type Config, type Finding } from "./model/index.js";
import type { LoadedIntegration, SourceFile } from "./load/types.js";
import { loadIntegrations } from "./load/integration.js";
import { DEFAULT_LIMITS, type LoadLimits } from "./load/parse.js";
import { checkPartialPolicy, checkPolicy } from "./policy/index.js";

export interface ValidateInput {
  files: readonly SourceFile[];
  config: Config;
  /** Today's date as YYYY-MM-DD. */
  today: string;
  limits?: LoadLimits;
}

export interface ValidateResult {
  integrations: LoadedIntegration[];
  findings: Finding[];
}

export function validate(input: ValidateInput): ValidateResult {
  const loaded = loadIntegrations(input.files, input.limits ?? DEFAULT_LIMITS);
  const policy = checkPolicy({
    integrations: loaded.integrations,
    config: input.config,
    today: input.today,
  });
  // Files that fail the schema still get the rules their well-formed fields can feed.
  const partial = checkPartialPolicy(loaded.partial ?? [], {
    config: input.config,
    today: input.today,
  });
  const findings = [...loaded.findings, ...policy, ...partial].sort(compareFindings);
  return { integrations: loaded.integrations, findings };
}
