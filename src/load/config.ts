// .okta-gitops.yml to Config. Absent file: the strict defaults. A broken file is reported with the
// same rules and positions as an integration, and the strict defaults apply meanwhile, so a broken
// configuration can only tighten the checks, never loosen them.
import { Config, DEFAULT_CONFIG } from "../model/config.js";
import type { ConfigResult, SourceFile } from "./types.js";
import { DEFAULT_LIMITS, parseSource, type LoadLimits } from "./parse.js";
import { findPrivateJwkMembers, schemaFindings } from "./schema-findings.js";

export const CONFIG_FILE = ".okta-gitops.yml";

export function loadConfig(file?: SourceFile, limits: LoadLimits = DEFAULT_LIMITS): ConfigResult {
  if (!file) return { config: DEFAULT_CONFIG, findings: [] };
  const parsed = parseSource(file, limits);
  // An empty file (or one of comments only) means "all defaults".
  const findings = parsed.findings.filter((f) => f.rule !== "file.empty");
  const { data, locate } = parsed;
  if (!locate || findings.some((f) => f.severity === "error"))
    return { config: DEFAULT_CONFIG, findings };
  const jwk = findPrivateJwkMembers({ file: file.path, data, locate });
  findings.push(...jwk);
  const result = Config.safeParse(data ?? {});
  if (result.success && jwk.length === 0) return { config: result.data, findings };
  if (!result.success)
    findings.push(
      ...schemaFindings(result.error.issues, {
        file: file.path,
        data,
        locate,
        schema: Config,
        echo: !parsed.secret && jwk.length === 0,
      }),
    );
  return { config: DEFAULT_CONFIG, findings };
}
