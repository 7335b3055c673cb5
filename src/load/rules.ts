// The rules that loading owns: a file that cannot be read, decoded or parsed, a document that does
// not have the integration language's shape, and private key material. The policy rules live in
// src/policy; renderers (SARIF) take both registries.
import type { Severity } from "../model/finding.js";

export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One line: what the rule checks. */
  summary: string;
  /** How to fix a finding of this rule. */
  help: string;
}

export const LOAD_RULES = [
  {
    id: "file.too-large",
    severity: "error",
    summary: "The file is larger than the size bound (256 KiB by default) and was not read.",
    help: "An integration file is a few hundred bytes; split or trim the file.",
  },
  {
    id: "file.binary",
    severity: "error",
    summary: "The file holds NUL bytes: it is binary, not YAML text.",
    help: "Commit YAML text only under integrations/.",
  },
  {
    id: "file.encoding",
    severity: "error",
    summary: "The file is not valid UTF-8.",
    help: "Save the file as UTF-8.",
  },
  {
    id: "file.empty",
    severity: "error",
    summary: "The file holds no YAML document.",
    help: "Write one integration document in the file, or delete the file.",
  },
  {
    id: "file.unreadable",
    severity: "error",
    summary: "The file could not be read.",
    help: "Check that the file exists and is readable.",
  },
  {
    id: "archive.unsafe-entry",
    severity: "error",
    summary:
      "An entry of a commit's archive is a symbolic link, a hard link, a device, a duplicate, or has an absolute or `..` path.",
    help: "Commit the file itself under integrations/ (git keeps a link as a link): the bot reads only regular files.",
  },
  {
    id: "file.name-mismatch",
    severity: "error",
    summary: "The file name is not the integration's metadata.name.",
    help: "Name the file integrations/<metadata.name>.yaml, or change metadata.name.",
  },
  {
    id: "yaml.syntax",
    severity: "error",
    summary: "The file is not well-formed YAML.",
    help: "Fix the YAML syntax at the position shown (indentation, quotes, brackets).",
  },
  {
    id: "yaml.duplicate-key",
    severity: "error",
    summary: "A key appears twice in the same mapping.",
    help: "Keep one of the two keys: YAML tools disagree on which one wins.",
  },
  {
    id: "yaml.multiple-documents",
    severity: "error",
    summary: "The file holds more than one YAML document.",
    help: "Put each integration in its own file, integrations/<name>.yaml.",
  },
  {
    id: "yaml.alias-limit",
    severity: "error",
    summary: "The file uses YAML aliases beyond the allowed bound (an alias bomb).",
    help: "Write the values out instead of expanding anchors and aliases.",
  },
  {
    id: "schema.api-version",
    severity: "error",
    summary: "apiVersion is missing or not one this tool knows.",
    help: "Set apiVersion: okta-gitops/v1.",
  },
  {
    id: "schema.kind",
    severity: "error",
    summary: "kind is missing or not one this tool knows.",
    help: "Set kind to ServiceApp (the default) or ApiTokenException (an exception).",
  },
  {
    id: "schema.unknown-key",
    severity: "error",
    summary: "A key that the integration language does not have (often a typo).",
    help: "Remove the key or correct its spelling; see schemas/integration.schema.json.",
  },
  {
    id: "schema.missing",
    severity: "error",
    summary: "A required field is missing.",
    help: "Add the field; see schemas/integration.schema.json.",
  },
  {
    id: "schema.type",
    severity: "error",
    summary: "A value has the wrong type (e.g. text where true or false is expected).",
    help: "Write a value of the expected type; quote text, leave booleans and numbers bare.",
  },
  {
    id: "schema.invalid",
    severity: "error",
    summary: "A value has the right type but breaks a constraint (format, allowed values, size).",
    help: "Change the value as the message says.",
  },
  {
    id: "credentials.private-key",
    severity: "error",
    summary:
      "Private key material (a PEM private key or a JWK with private members) is in the file.",
    help:
      "Remove it and commit only the public JWK (kty, kid, n, e or crv, x, y). The key is now in " +
      "git history: treat it as exposed and rotate it.",
  },
] as const satisfies readonly RuleInfo[];

export type LoadRuleId = (typeof LOAD_RULES)[number]["id"];
