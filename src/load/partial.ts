// What of a document that fails the schema can still be checked against the policy. A file with a
// broken `scopes` still has a network zone worth checking now rather than in a second round. Each
// field of the spec is validated on its own; the ones that pass make up a partial integration, and
// `broken` names the ones that do not, so that the policy runs only the rule areas that read none
// of them. Such a document is never an integration: it stays refused, whatever the policy says.
import type { z } from "zod";
import {
  ApiTokenExceptionSpec,
  Metadata,
  ServiceAppSpec,
  type Integration,
} from "../model/integration.js";

export interface PartialDocument {
  /** The well-formed fields only; the broken ones are absent. Read only through a rule area whose
   * inputs are all outside `broken`. */
  integration: Integration;
  /** Spec fields (e.g. "scopes") that fail the schema. */
  broken: ReadonlySet<string>;
}

const SPECS = { ServiceApp: ServiceAppSpec, ApiTokenException: ApiTokenExceptionSpec } as const;

/** The well-formed part of a document of a known kind, or undefined when not even the metadata
 * (which every finding names) or the shape of the spec is sound. */
export function partialDocument(
  doc: Record<string, unknown>,
  kind: keyof typeof SPECS,
): PartialDocument | undefined {
  const metadata = Metadata.safeParse(doc.metadata);
  const spec = doc.spec;
  if (!metadata.success || spec === null || typeof spec !== "object" || Array.isArray(spec))
    return undefined;
  const shape = SPECS[kind].shape as Record<string, z.ZodType>;
  const good: Record<string, unknown> = {};
  const broken = new Set<string>();
  for (const [key, schema] of Object.entries(shape)) {
    const field = schema.safeParse((spec as Record<string, unknown>)[key]);
    if (!field.success) broken.add(key);
    else if (field.data !== undefined) good[key] = field.data;
  }
  return {
    integration: {
      apiVersion: doc.apiVersion,
      kind,
      metadata: metadata.data,
      spec: good,
    } as Integration,
    broken,
  };
}
