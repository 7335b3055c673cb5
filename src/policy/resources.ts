// The custom role's resource set: nothing org-wide without a written exception, a bounded count,
// no repeats. (Whether each resource exists in Okta is checked at plan time.)
import type { Finding } from "../model/index.js";
import { approvalNeeded, report, type IntegrationCheck } from "./report.js";

/** `users`, `groups`, `apps`, or an ORN naming a whole collection,
 * orn:<partition>:<service>:<orgId>:<collection> (e.g. orn:okta:directory:00o1:users). */
export function isOrgWide(resource: string): boolean {
  if (resource === "users" || resource === "groups" || resource === "apps") return true;
  const parts = resource.split(":");
  return parts[0] === "orn" && parts.length === 5;
}

export const checkResources: IntegrationCheck = (li, ctx) => {
  const { role } = li.integration.spec;
  const reason =
    li.integration.kind === "ServiceApp"
      ? li.integration.spec.exceptions?.orgWideResources
      : undefined;
  const findings: Finding[] = [];
  const resources = role.custom?.resources ?? [];
  const max = ctx.config.policy.resourceSets.maxResources;
  const seen = new Set<string>();
  let orgWideUsed = false;

  resources.forEach((resource, i) => {
    const path = ["spec", "role", "custom", "resources", i];
    if (seen.has(resource)) {
      findings.push(
        report(li, "resources.duplicate", path, `${resource} is listed twice: remove it.`),
      );
      return;
    }
    seen.add(resource);
    if (!isOrgWide(resource)) return;
    orgWideUsed = true;
    findings.push(
      reason
        ? approvalNeeded(li, "resources.org-wide", path, `${resource} covers the whole org`, ctx)
        : report(
            li,
            "resources.org-wide",
            path,
            `${resource} covers the whole org: name the groups or apps the integration needs (groups/<id>, groups/<id>/users, apps/<id>), or write why it needs all of them in spec.exceptions.orgWideResources.`,
          ),
    );
  });
  if (resources.length > max) {
    findings.push(
      report(
        li,
        "resources.too-many",
        ["spec", "role", "custom", "resources", max],
        `The resource set holds ${resources.length} resources, more than the ${max} allowed: group them (e.g. one group holding the users) or split the integration.`,
      ),
    );
  }
  if (reason && !orgWideUsed) {
    findings.push(
      report(
        li,
        "exceptions.stale",
        ["spec", "exceptions", "orgWideResources"],
        "exceptions.orgWideResources is given but no resource is org-wide: remove the exception.",
        { part: "key" },
      ),
    );
  }
  return findings;
};
