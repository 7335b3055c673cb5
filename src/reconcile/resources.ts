// Which resources of a plan's resource sets name one specific Okta object (a group, its members,
// one app), so that their existence can be checked before anything is written. Pure: the check
// itself is the Okta adapter's; what a missing object means (the integration's plan is an error,
// apply refuses it) is the CLI's. Only resource sets that the plan creates, changes or adopts are
// looked at, so a plan with nothing to do, and the drift read, cost no call.
import type { Finding } from "../model/finding.js";
import type { LoadedIntegration } from "../load/types.js";
import type { Plan } from "./model.js";
import { canonicalResource } from "./normalise.js";

export interface NamedObject {
  type: "group" | "app";
  id: string;
}

export const RESOURCE_EXISTS_RULE = "resources.exist";

/** Okta app ids start with 0oa; `apps/<name>` (e.g. apps/oidc_client) is every app of a type. */
const APP_ID = /^0oa[A-Za-z0-9]{5,}$/;

/** The object a canonical resource names (groups/<id>, groups/<id>/users, apps/<appId>), if one. */
export function namedObject(canonical: string): NamedObject | undefined {
  const group = /^groups\/([^/]+)(?:\/users)?$/.exec(canonical);
  if (group) return { type: "group", id: group[1]! };
  const app = /^apps\/([^/]+)$/.exec(canonical);
  if (app && APP_ID.test(app[1]!)) return { type: "app", id: app[1]! };
  return undefined;
}

export const objectKey = (o: NamedObject): string => `${o.type}:${o.id}`;

/** Per integration, the resources (canonical) of the resource sets the plan creates or changes
 * that name a specific object. */
export function resourcesToCheck(plan: Plan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const op of plan.operations) {
    if (op.kind !== "resourceSet") continue;
    if (op.action !== "create" && op.action !== "update" && op.action !== "adopt") continue;
    const resources = (op.after as { resources?: string[] } | undefined)?.resources ?? [];
    const named = resources.filter((r) => namedObject(r));
    if (named.length) out.set(op.integration, [...(out.get(op.integration) ?? []), ...named]);
  }
  return out;
}

/** The objects to look up in Okta, each once. */
export function objectsOf(toCheck: ReadonlyMap<string, string[]>): NamedObject[] {
  const seen = new Map<string, NamedObject>();
  for (const list of toCheck.values())
    for (const r of list) {
      const o = namedObject(r)!;
      seen.set(objectKey(o), o);
    }
  return [...seen.values()];
}

/**
 * One error finding per resource whose object is not in Okta, at the resource's line in the file
 * when the integration's file is known (else at the file's start, or named by integration alone).
 */
export function missingResourceFindings(
  toCheck: ReadonlyMap<string, string[]>,
  missing: ReadonlySet<string>,
  files: readonly LoadedIntegration[],
): Finding[] {
  const findings: Finding[] = [];
  for (const [integration, resources] of toCheck) {
    const li = files.find((f) => f.integration.metadata.name === integration);
    const written = (li?.integration.spec.role.custom?.resources ?? []) as string[];
    for (const r of resources) {
      const o = namedObject(r)!;
      if (!missing.has(objectKey(o))) continue;
      const index = written.findIndex((w) => canonicalResource(w) === r);
      const position = li
        ? li.locate(["spec", "role", "custom", "resources", ...(index >= 0 ? [index] : [])])
        : { line: 1, column: 1 };
      findings.push({
        rule: RESOURCE_EXISTS_RULE,
        severity: "error",
        message: `${r} names ${o.type === "group" ? "group" : "app"} ${o.id}, which is not in Okta: create it first, or correct the id (the resource set is not changed while it is missing)`,
        file: li?.file ?? `integrations/${integration}.yaml`,
        integration,
        ...position,
      });
    }
  }
  return findings;
}
