// The admin role: never ORG_ADMIN; SUPER_ADMIN only for the bot's own integration, with a written
// exception the Identity team approves (Okta lets only a super admin assign admin roles to apps and
// accounts, and manage custom roles and resource sets: the bot's job, and no other integration's);
// a standard role otherwise only from the allowed list, and a custom role whose permissions are
// real, listed once and each exercisable through a granted scope. (Exactly one role, standard or
// custom, is a schema rule.)
import type { Finding } from "../model/index.js";
import { CUSTOM_ROLE_PERMISSIONS, withIncluded } from "../okta-facts/permissions.js";
import { didYouMean } from "./nearest.js";
import { approvalNeeded, report, shown, type IntegrationCheck } from "./report.js";

const PERMISSION_NAMES = Object.keys(CUSTOM_ROLE_PERMISSIONS);

export const checkRole: IntegrationCheck = (li, ctx) => {
  const { role } = li.integration.spec;
  const findings: Finding[] = [];
  const doc = li.integration;
  const bot = ctx.config.bot.integration;
  // The bot's own file, and only as an API Service App: an API token is never the bot.
  const isBot = doc.kind === "ServiceApp" && doc.metadata.name === bot;
  const superAdminReason = doc.kind === "ServiceApp" ? doc.spec.exceptions?.superAdmin : undefined;
  if (superAdminReason !== undefined && role.standard !== "SUPER_ADMIN") {
    findings.push(
      report(
        li,
        "exceptions.stale",
        ["spec", "exceptions", "superAdmin"],
        "exceptions.superAdmin is given but the role is not SUPER_ADMIN: remove the exception.",
        { part: "key" },
      ),
    );
  }
  if (role.standard !== undefined) {
    const path = ["spec", "role", "standard"];
    if (role.standard === "SUPER_ADMIN" && isBot) {
      findings.push(
        superAdminReason
          ? approvalNeeded(li, "role.super-admin", path, "SUPER_ADMIN for the bot's own app", ctx)
          : report(
              li,
              "role.super-admin",
              path,
              `SUPER_ADMIN is the bot's own role (${bot}): Okta lets only a super admin assign admin roles and manage custom roles and resource sets. Write why in spec.exceptions.superAdmin (the Identity team must approve).`,
            ),
      );
    } else if (role.standard === "SUPER_ADMIN" || role.standard === "ORG_ADMIN") {
      findings.push(
        report(
          li,
          "role.forbidden",
          path,
          role.standard === "SUPER_ADMIN"
            ? `SUPER_ADMIN is never granted to an integration other than the bot's own (bot.integration: ${bot}): use a custom role with only the permissions it needs, limited to a resource set.`
            : `${role.standard} is never granted to an integration: use a custom role with only the permissions it needs, limited to a resource set.`,
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
