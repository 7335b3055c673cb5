// The exceptions of a repository, each with a hash of its content as the policy sees it, so that
// an approval is tied to what was approved rather than to a commit or a push time: a commit that
// leaves an exception alone (another file changed, a rebase, a reformatting, a comment) keeps its
// approval, and any change to what the policy reads clears it. Pure.
import { createHash } from "node:crypto";
import type { Config, Finding } from "../model/index.js";
import { CONFIG_FILE } from "../load/config.js";
import type { LoadedIntegration } from "../load/types.js";

export interface ExceptionEntry {
  /** The integration's name, or ".okta-gitops.yml" for the settings file. */
  key: string;
  file: string;
  line: number;
  /** The approval-needing rules found, e.g. ["api-token.exception"], ["dpop.disabled", ...];
   * ["settings.changed"] for the settings. */
  rules: string[];
  /** "sha256:" + hex of the canonical JSON (sorted keys, no whitespace) of the exception as the
   * policy sees it: the integration's parsed document (so formatting, comments and key order do
   * not matter) plus its import line's ids when it has one; for the settings, the parsed Config. */
  hash: string;
}

/** The settings' entry key and its one rule. */
export const SETTINGS_KEY = CONFIG_FILE;
export const SETTINGS_CHANGED = "settings.changed";

/** Integrations with a finding that needs the Identity team's approval, one entry per name, in
 * file order. Two files of one name (refused anyway, by unique.name) make one entry whose hash
 * covers both, so that neither can be approved in the other's place. */
export function exceptionsOf(
  integrations: readonly LoadedIntegration[],
  findings: readonly Finding[],
): ExceptionEntry[] {
  // Indexed by file: a repository of thousands of integrations is not searched once per file.
  const approvalsIn = new Map<string, Finding[]>();
  for (const f of findings)
    if (f.requiresApproval) approvalsIn.set(f.file, [...(approvalsIn.get(f.file) ?? []), f]);
  const byName = new Map<string, { li: LoadedIntegration; found: Finding[] }[]>();
  for (const li of [...integrations].sort((a, b) => compare(a.file, b.file))) {
    const found = approvalsIn.get(li.file) ?? [];
    if (!found.length) continue;
    const name = li.integration.metadata.name;
    byName.set(name, [...(byName.get(name) ?? []), { li, found }]);
  }
  return [...byName].map(([key, group]) => {
    const found = group.flatMap((g) => g.found);
    const first = group[0]!;
    const content =
      group.length === 1
        ? seenByPolicy(first.li)
        : group.map((g) => ({ file: g.li.file, ...seenByPolicy(g.li) }));
    return {
      key,
      file: first.li.file,
      line: Math.min(...first.found.map((f) => f.line)),
      rules: [...new Set(found.map((f) => f.rule))].sort(compare),
      hash: contentHash(content),
    };
  });
}

/** The settings as an exception: the parsed Config, defaults filled in, so that an absent file,
 * an empty one and one that writes out every default are the same settings. */
export function settingsException(config: Config): ExceptionEntry {
  return {
    key: SETTINGS_KEY,
    file: CONFIG_FILE,
    line: 1,
    rules: [SETTINGS_CHANGED],
    hash: contentHash(config),
  };
}

/** What the policy reads of an integration: its parsed document, and the Okta objects its import
 * line adopts (a comment, so not in the document). */
function seenByPolicy(li: LoadedIntegration): { document: unknown; import?: unknown } {
  return li.importLine
    ? { document: li.integration, import: li.importLine.ids }
    : { document: li.integration };
}

export function contentHash(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value), "utf8").digest("hex")}`;
}

/** JSON with object keys sorted (by UTF-16 code units) and no whitespace: one text per value.
 * Properties whose value is undefined are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string")
    return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof value === "object" && isPlain(value)) {
    const entries = Object.keys(value)
      .sort(compare)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} is not plain JSON data`);
}

/** A Map, a Set or a Date would hash as `{}`: only plain data is hashed. */
function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
