// The app's scopes: real names, no repeats, each backed by the admin role, high-risk ones only
// with a written exception. (Whether each permission of the role is used is in roles.ts.)
import { OKTA_SCOPES } from "../okta-facts/catalogue.generated.js";
import type { Finding } from "../model/index.js";
import {
  DELEGABLE_SCOPES,
  permissionsBacking,
  scopesBackedByPermissions,
} from "../okta-facts/permissions.js";
import { STANDARD_ROLE_SCOPES } from "../okta-facts/standard-roles.js";
import { didYouMean } from "./nearest.js";
import { approvalNeeded, report, shown, type IntegrationCheck } from "./report.js";

const SCOPE_NAMES = Object.keys(OKTA_SCOPES);

export const checkScopes: IntegrationCheck = (li, ctx) => {
  const doc = li.integration;
  if (doc.kind !== "ServiceApp") return [];
  const { scopes, role, exceptions } = doc.spec;
  const findings: Finding[] = [];
  const configuredHighRisk = new Set(ctx.config.policy.highRiskScopes);
  const backed = role.custom
    ? scopesBackedByPermissions(role.custom.permissions)
    : new Set(role.standard ? STANDARD_ROLE_SCOPES[role.standard] : []);
  const seen = new Set<string>();
  let highRiskUsed = false;

  scopes.forEach((scope, i) => {
    const path = ["spec", "scopes", i];
    if (seen.has(scope)) {
      findings.push(report(li, "scopes.duplicate", path, `${scope} is listed twice: remove it.`));
      return;
    }
    seen.add(scope);
    if (!Object.hasOwn(OKTA_SCOPES, scope)) {
      findings.push(
        report(
          li,
          "scopes.unknown",
          path,
          `${shown(scope)} is not an Okta Management API scope.${didYouMean(scope, SCOPE_NAMES)}`,
        ),
      );
      return;
    }
    // Under a custom role, a scope no custom-role permission can back is not confined by the
    // resource set: its reach is org-wide, so it counts as high-risk rather than "unbacked".
    const unconfinable = role.custom !== undefined && !DELEGABLE_SCOPES.has(scope);
    if (!unconfinable && !backed.has(scope)) {
      findings.push(report(li, "scopes.unbacked", path, unbackedMessage(scope, role)));
    }
    if (unconfinable || configuredHighRisk.has(scope)) {
      highRiskUsed = true;
      const why = unconfinable
        ? `${scope} cannot be confined by a custom role (Okta has no custom-role permission for it), so its reach is org-wide`
        : `${scope} is a high-risk scope`;
      findings.push(
        exceptions?.highRiskScopes
          ? approvalNeeded(li, "scopes.high-risk", path, why, ctx)
          : report(
              li,
              "scopes.high-risk",
              path,
              `${why}: drop it, or write why the integration needs it in spec.exceptions.highRiskScopes (the Identity team must approve).`,
            ),
      );
    }
  });

  if (exceptions?.highRiskScopes && !highRiskUsed) {
    findings.push(
      report(
        li,
        "exceptions.stale",
        ["spec", "exceptions", "highRiskScopes"],
        "exceptions.highRiskScopes is given but the app has no high-risk scope: remove the exception.",
        { part: "key" },
      ),
    );
  }
  return findings;
};

function unbackedMessage(scope: string, role: { standard?: string | undefined }): string {
  if (role.standard !== undefined) {
    return `${scope} is not backed by the standard role ${role.standard}, so Okta would refuse its calls: drop the scope, or choose a role that covers it.`;
  }
  const backing = permissionsBacking(scope);
  return `${scope} is not backed by the custom role's permissions: add ${
    backing.length === 1 ? backing[0] : `one of ${backing.join(", ")}`
  } to role.custom.permissions, or drop the scope.`;
}
