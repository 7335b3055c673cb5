// The admin role: never SUPER_ADMIN/ORG_ADMIN, a standard role only from the allowed list, and a
// custom role whose permissions are real, listed once and each exercisable through a granted scope.
// (Exactly one role, standard or custom, is a schema rule.)
import type { Finding } from "../model/index.js";
import { CUSTOM_ROLE_PERMISSIONS, withIncluded } from "./permissions.js";
import { didYouMean } from "./nearest.js";
import { report, shown, type IntegrationCheck } from "./report.js";

const PERMISSION_NAMES = Object.keys(CUSTOM_ROLE_PERMISSIONS);
const NEVER = new Set(["SUPER_ADMIN", "ORG_ADMIN"]);

export const checkRole: IntegrationCheck = (li, ctx) => {
  const { role } = li.integration.spec;
  const findings: Finding[] = [];
  if (role.standard !== undefined) {
    const path = ["spec", "role", "standard"];
    if (NEVER.has(role.standard)) {
      findings.push(
        report(
          li,
          "role.forbidden",
          path,
          `${role.standard} is never granted to an integration: use a custom role with only the permissions it needs, limited to a resource set.`,
        ),
      );
    } else if (!ctx.config.policy.roles.allowedStandard.includes(role.standard)) {
      findings.push(
        report(
          li,
          "role.standard-not-allowed",
          path,
          `${role.standard} is not an allowed standard role (allowed: ${ctx.config.policy.roles.allowedStandard.join(", ") || "none"}): use one of those, or a custom role.`,
        ),
      );
    }
    return findings;
  }
  if (role.custom === undefined) return findings;

  const { permissions } = role.custom;
  const granted = li.integration.kind === "ServiceApp" ? new Set(li.integration.spec.scopes) : null;
  const seen = new Set<string>();
  permissions.forEach((permission, i) => {
    const path = ["spec", "role", "custom", "permissions", i];
    if (seen.has(permission)) {
      findings.push(
        report(li, "role.duplicate-permission", path, `${permission} is listed twice: remove it.`),
      );
      return;
    }
    seen.add(permission);
    const info = CUSTOM_ROLE_PERMISSIONS[permission];
    if (info === undefined) {
      findings.push(
        report(
          li,
          "role.unknown-permission",
          path,
          `${shown(permission)} is not an Okta custom-role permission.${didYouMean(permission, PERMISSION_NAMES)}`,
        ),
      );
      return;
    }
    // An API token acts with its account's role through every API; only an app's scopes narrow it.
    if (granted === null) return;
    const includedBy = permissions.find(
      (other) => other !== permission && withIncluded([other]).has(permission),
    );
    if (info.scopes.length === 0) {
      findings.push(
        report(
          li,
          "role.unused-permission",
          path,
          `${permission} is exercised only outside the Management API, never through an app's scopes: remove it.`,
        ),
      );
    } else if (!info.scopes.some((s) => granted.has(s))) {
      findings.push(
        report(
          li,
          "role.unused-permission",
          path,
          includedBy !== undefined
            ? `${permission} is already included in ${includedBy} and no granted scope uses it alone: remove it.`
            : `${permission} cannot be exercised through any granted scope: remove it, or grant ${info.scopes.join(" or ")}.`,
        ),
      );
    }
  });
  return findings;
};
