// Loading: source files (bytes) to integrations with positions, and findings for everything that
// keeps a file from being one.
export type { SourceFile, NodePath, LoadedIntegration, LoadResult, ConfigResult } from "./types.js";
export { loadIntegrations, loadIntegrationFile, type LoadedFile } from "./integration.js";
export { loadConfig, CONFIG_FILE } from "./config.js";
export {
  ADOPTABLE,
  IMPORT_LINE,
  parseImportLine,
  type AdoptableKind,
  type ImportLine,
} from "./import-line.js";
export {
  parseSource,
  DEFAULT_LIMITS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ALIAS_COUNT,
  type LoadLimits,
  type Locate,
} from "./parse.js";
export { LOAD_RULES, type RuleInfo, type LoadRuleId } from "./rules.js";
