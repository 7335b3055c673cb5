// One source file to one integration: decode, parse, check the header (apiVersion, kind), check the
// shape with zod, check that the file is named after the integration. Pure.
import { basename } from "node:path/posix";
import type { z } from "zod";
import {
  API_VERSION,
  ApiTokenException,
  INTEGRATION_KINDS,
  IntegrationName,
  ServiceApp,
  type Integration,
} from "../model/integration.js";
import type { Finding } from "../model/finding.js";
import type { LoadedIntegration, LoadResult, PartialIntegration, SourceFile } from "./types.js";
import { partialDocument } from "./partial.js";
import { parseImportLine, type ImportLine } from "./import-line.js";
import {
  DEFAULT_LIMITS,
  lazyLocator,
  parseSource,
  type LoadLimits,
  type ParsedFile,
} from "./parse.js";
import { describe, findPrivateJwkMembers, schemaFindings } from "./schema-findings.js";

const SCHEMAS: Record<(typeof INTEGRATION_KINDS)[number], z.ZodType<Integration>> = {
  ServiceApp,
  ApiTokenException,
};

export interface LoadedFile {
  integration?: LoadedIntegration;
  /** With a schema error: the well-formed part, for the policy rules that do not read the rest. */
  partial?: PartialIntegration;
  findings: Finding[];
}

export function loadIntegrationFile(
  file: SourceFile,
  limits: LoadLimits = DEFAULT_LIMITS,
): LoadedFile {
  return checkIntegration(parseSource(file, limits));
}

/** Loads every file; one broken file never hides the findings of the others. */
export function loadIntegrations(
  files: readonly SourceFile[],
  limits: LoadLimits = DEFAULT_LIMITS,
): LoadResult {
  const result: LoadResult = { integrations: [], findings: [], partial: [] };
  for (const file of files) {
    const loaded = loadIntegrationFile(file, limits);
    if (loaded.integration) result.integrations.push(loaded.integration);
    if (loaded.partial) result.partial!.push(loaded.partial);
    for (const f of loaded.findings) result.findings.push(f);
  }
  return result;
}

function checkIntegration(parsed: ParsedFile): LoadedFile {
  const { file, data, locate } = parsed;
  const findings = parsed.findings;
  if (data === undefined || !locate) return { findings };
  const fail = (rule: string, message: string, path: (string | number)[]) => {
    findings.push({ rule, severity: "error", message, file, ...locate(path, "value") });
    return { findings };
  };

  if (data === null || typeof data !== "object" || Array.isArray(data))
    return fail(
      "schema.type",
      `the document must be a mapping with apiVersion, kind, metadata and spec, got ${describe(data, !parsed.secret)}`,
      [],
    );
  const doc = data as Record<string, unknown>;
  const name = doc.metadata && (doc.metadata as Record<string, unknown>).name;
  // Findings carry the name only when it is a well-formed one: an ill-formed name could hold
  // anything, key material included, and the outputs must never echo that.
  const integration = IntegrationName.safeParse(name).success ? (name as string) : undefined;
  const tag = (fs: Finding[]) => {
    if (integration !== undefined) for (const f of fs) f.integration ??= integration;
    return fs;
  };

  const jwkFindings = findPrivateJwkMembers({ file, data, locate });
  findings.push(...jwkFindings);
  const secret = parsed.secret || jwkFindings.length > 0;

  if (doc.apiVersion !== API_VERSION) {
    fail(
      "schema.api-version",
      doc.apiVersion === undefined
        ? `apiVersion is missing: add apiVersion: ${API_VERSION}`
        : `apiVersion ${describe(doc.apiVersion, !secret)} is not known: the only version is ${API_VERSION}`,
      ["apiVersion"],
    );
    return { findings: tag(findings) };
  }
  const kind = doc.kind;
  if (typeof kind !== "string" || !(INTEGRATION_KINDS as readonly string[]).includes(kind)) {
    fail(
      "schema.kind",
      kind === undefined
        ? `kind is missing: add kind: ServiceApp (or ApiTokenException for an exception)`
        : `kind ${describe(kind, !secret)} is not known: use one of ${INTEGRATION_KINDS.join(", ")}`,
      ["kind"],
    );
    return { findings: tag(findings) };
  }

  const schema = SCHEMAS[kind as keyof typeof SCHEMAS];
  const result = schema.safeParse(data);
  if (!result.success)
    findings.push(
      ...schemaFindings(result.error.issues, {
        file,
        data,
        locate,
        schema,
        echo: !secret,
        ...(integration !== undefined ? { integration } : {}),
      }),
    );

  // Checked even when other fields are wrong, as long as the name itself is well-formed.
  const stem = basename(file).replace(/\.ya?ml$/i, "");
  if (integration !== undefined && stem !== integration)
    findings.push({
      rule: "file.name-mismatch",
      severity: "error",
      message: `the file is named "${stem}" but metadata.name is "${integration}": name the file ${integration}.yaml`,
      file,
      ...locate(["metadata", "name"], "value"),
    });

  if (!result.success) {
    // Key material in the file: no policy message may quote any of it, so no partial checks.
    const partial = secret ? undefined : partialDocument(doc, kind as keyof typeof SCHEMAS);
    return {
      findings: tag(findings),
      ...(partial ? { partial: { file, ...partial, locate: lazyLocator(parsed.text!) } } : {}),
    };
  }
  return {
    // The document parsed here is dropped; the integration's locator parses the text again if
    // a policy finding ever asks where a node is (see lazyLocator).
    integration: {
      file,
      integration: result.data,
      locate: lazyLocator(parsed.text!),
      ...withImportLine(parsed.text!),
    },
    findings: tag(findings),
  };
}

function withImportLine(text: string): { importLine?: ImportLine } {
  const importLine = parseImportLine(text);
  return importLine ? { importLine } : {};
}
