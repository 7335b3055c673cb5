// The custom role's resource set: every resource in its one canonical form (read by the same
// function that builds what is sent to Okta), nothing org-wide without a written exception, a
// bounded count, no repeats. (Whether each resource exists in Okta is checked at plan time.)
import type { Finding } from "../model/index.js";
import { readResource } from "../model/resource-ref.js";
import { approvalNeeded, report, shown, type IntegrationCheck } from "./report.js";

/** Whether the resource, read as the reconciler reads it, covers the whole org (all users, groups
 * or apps, or all apps of one kind). A resource that cannot be read counts as org-wide. */
export function isOrgWide(resource: string): boolean {
  const r = readResource(resource);
  return !r.ok || r.orgWide;
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
    const read = readResource(resource);
    if (!read.ok) {
      findings.push(
        report(
          li,
          "resources.invalid",
          path,
          `${shown(resource)} ${read.problem}: write users, groups, apps, groups/<groupId>, groups/<groupId>/users, apps/<appId>, apps/<appName>, or an ORN, with nothing around it.`,
        ),
      );
      return;
    }
    // Two texts of one resource (users and its ORN) are one resource.
    if (seen.has(read.canonical)) {
      findings.push(
        report(
          li,
          "resources.duplicate",
          path,
          read.canonical === resource
            ? `${resource} is listed twice: remove it.`
            : `${resource} is ${read.canonical}, which is already listed: remove it.`,
        ),
      );
      return;
    }
    seen.add(read.canonical);
    if (!read.orgWide) return;
    orgWideUsed = true;
    findings.push(
      reason
        ? approvalNeeded(
            li,
            "resources.org-wide",
            path,
            `${resource} ${coverage(read.canonical)}`,
            ctx,
          )
        : report(
            li,
            "resources.org-wide",
            path,
            `${resource} ${coverage(read.canonical)}: name the groups or apps the integration needs (groups/<id>, groups/<id>/users, apps/<id>), or write why it needs all of them in spec.exceptions.orgWideResources.`,
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

function coverage(canonical: string): string {
  const kind = /^apps\/(.+)$/.exec(canonical)?.[1];
  return kind
    ? `is every app of the kind ${kind} in the org (the bot's own app too, if it is of that kind)`
    : "covers the whole org";
}
