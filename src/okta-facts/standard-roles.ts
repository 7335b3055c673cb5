// What each standard admin role backs, in scopes: a small, deliberately coarse mapping from Okta's
// "Standard administrator roles and permissions" page. It answers one question, "could this role
// authorise calls under this scope?", so that a scope the role cannot back is reported instead of
// failing with 403 at run time. SUPER_ADMIN and ORG_ADMIN back everything (and are refused anyway).
// A fact about Okta, not a rule of ours: the policy checks scopes against it and the local org
// enforces it, so both read it from here (src/okta-facts imports nothing outside itself).
import { OKTA_SCOPES, type OktaStandardRole } from "./catalogue.generated.js";

const ALL_SCOPES = Object.keys(OKTA_SCOPES);
const READ_SCOPES = ALL_SCOPES.filter((s) => s.endsWith(".read"));

export const STANDARD_ROLE_SCOPES: Readonly<Record<OktaStandardRole, readonly string[]>> = {
  SUPER_ADMIN: ALL_SCOPES,
  ORG_ADMIN: ALL_SCOPES,
  // Reads every object of the org, including the System Log; changes nothing.
  READ_ONLY_ADMIN: READ_SCOPES,
  // Reports and the System Log.
  REPORT_ADMIN: ["okta.logs.read"],
  // Views users and groups; resets passwords and factors, unlocks users (operations under users.manage).
  HELP_DESK_ADMIN: ["okta.users.read", "okta.groups.read", "okta.users.manage"],
  // Views users; manages the membership of groups (PUT/DELETE /groups/{id}/users/{userId}).
  GROUP_MEMBERSHIP_ADMIN: ["okta.users.read", "okta.groups.read", "okta.groups.manage"],
  // "Group admin": users of the groups it is given.
  USER_ADMIN: ["okta.users.read", "okta.users.manage", "okta.groups.read"],
  APP_ADMIN: [
    "okta.apps.read",
    "okta.apps.manage",
    "okta.appGrants.read",
    "okta.appGrants.manage",
    "okta.users.read",
    "okta.groups.read",
  ],
  API_ACCESS_MANAGEMENT_ADMIN: [
    "okta.authorizationServers.read",
    "okta.authorizationServers.manage",
    "okta.apps.read",
  ],
  // Roles whose powers live outside the Management API (Workflows, Identity Governance).
  WORKFLOWS_ADMIN: [],
  ACCESS_CERTIFICATIONS_ADMIN: [],
  ACCESS_REQUESTS_ADMIN: [],
};
