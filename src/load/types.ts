// What loading hands to the rest of the core: the bytes of each file, and each well-formed
// integration with a way to find where any of its nodes stands in its file.
import type { Integration, Config } from "../model/index.js";
import type { Finding, Position } from "../model/finding.js";
import type { ImportLine } from "./import-line.js";

/** One file as read from a directory or a git archive; the source of bytes is an adapter. */
export interface SourceFile {
  /** Repository-relative path, with forward slashes, e.g. integrations/hr-sync.yaml. */
  path: string;
  bytes: Uint8Array;
}

/** A JSON path into a document, e.g. ["spec", "network", "allow", 0]. */
export type NodePath = readonly (string | number)[];

export interface LoadedIntegration {
  file: string;
  integration: Integration;
  /** Where the node at `path` stands (its key when `part` is "key"); falls back to the nearest
   * ancestor that exists, so a missing field points at the object that should hold it. */
  locate(path: NodePath, part?: "key" | "value"): Position;
  /** The file's `# okta-gitops import:` line, naming Okta objects to adopt, when it has one. */
  importLine?: ImportLine;
}

/** A document that fails the schema, with its well-formed part (see partial.ts): checked by the
 * policy rule areas it can feed, never reconciled. */
export interface PartialIntegration extends LoadedIntegration {
  /** Spec fields that fail the schema: rule areas reading any of them are skipped. */
  broken: ReadonlySet<string>;
}

export interface LoadResult {
  integrations: LoadedIntegration[];
  findings: Finding[];
  /** Documents that fail the schema but whose other fields the policy can still check. */
  partial?: PartialIntegration[];
}

export interface ConfigResult {
  config: Config;
  findings: Finding[];
}
