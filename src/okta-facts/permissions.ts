// What an admin role lets an API Service App do, expressed in OAuth 2.0 scopes, so that scopes and
// role can be checked against each other ("scopes backed by the role, every permission exercisable
// through a granted scope").
//
// Custom-role permissions are not in Okta's Management API spec; the list below follows Okta's
// permissions catalogue, https://developer.okta.com/docs/api/openapi/okta-management/guides/permissions
// (cross-checked with the role-permission enum of Okta's SDKs). For each permission, `scopes` are
// the Management API scopes whose operations it authorises, judged from the operations the spec
// tags with each scope; `includes` are the permissions Okta's catalogue says it implies. A
// permission with no scopes is exercised only in the Admin Console or another product (Workflows,
// Governance, Support): an API Service App can never use it.
//
// Keep this module the one place that knows these mappings; update it when Okta's catalogue grows.
// The policy and the local org both read it (src/okta-facts imports nothing outside itself).

export interface PermissionInfo {
  scopes: readonly string[];
  includes?: readonly string[];
}

const USERS_MANAGE = ["okta.users.manage"];

export const CUSTOM_ROLE_PERMISSIONS: Readonly<Record<string, PermissionInfo>> = {
  // Users
  "okta.users.read": { scopes: ["okta.users.read"] },
  "okta.users.manage": { scopes: USERS_MANAGE, includes: ["okta.users.read"] },
  "okta.users.create": { scopes: USERS_MANAGE },
  "okta.users.userprofile.read": { scopes: ["okta.users.read"] },
  "okta.users.userprofile.manage": { scopes: USERS_MANAGE },
  "okta.users.credentials.manage": { scopes: USERS_MANAGE },
  "okta.users.credentials.resetFactors": { scopes: USERS_MANAGE },
  "okta.users.credentials.resetPassword": { scopes: USERS_MANAGE },
  "okta.users.credentials.expirePassword": { scopes: USERS_MANAGE },
  "okta.users.credentials.manageTemporaryAccessCode": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.manage": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.activate": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.deactivate": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.suspend": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.unsuspend": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.delete": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.unlock": { scopes: USERS_MANAGE },
  "okta.users.lifecycle.clearSessions": { scopes: ["okta.users.manage", "okta.sessions.manage"] },
  // Adding a user to a group is PUT /api/v1/groups/{groupId}/users/{userId}: okta.groups.manage.
  "okta.users.groupMembership.manage": { scopes: ["okta.groups.manage"] },
  "okta.users.appAssignment.manage": { scopes: ["okta.apps.manage"] },
  "okta.users.apitokens.read": { scopes: ["okta.apiTokens.read"] },
  "okta.users.apitokens.manage": {
    scopes: ["okta.apiTokens.manage"],
    includes: ["okta.users.apitokens.read"],
  },
  "okta.users.apitokens.clear": { scopes: ["okta.apiTokens.manage"] },
  "okta.users.risk.read": { scopes: ["okta.userRisk.read"] },
  "okta.users.risk.manage": {
    scopes: ["okta.userRisk.manage"],
    includes: ["okta.users.risk.read"],
  },
  // Groups
  "okta.groups.read": { scopes: ["okta.groups.read"] },
  "okta.groups.manage": { scopes: ["okta.groups.manage"], includes: ["okta.groups.read"] },
  "okta.groups.create": { scopes: ["okta.groups.manage"] },
  "okta.groups.members.manage": { scopes: ["okta.groups.manage"] },
  "okta.groups.appAssignment.manage": { scopes: ["okta.apps.manage"] },
  // Apps (app grants are part of an app's configuration)
  "okta.apps.read": { scopes: ["okta.apps.read", "okta.appGrants.read"] },
  "okta.apps.manage": {
    scopes: ["okta.apps.manage", "okta.appGrants.manage"],
    includes: ["okta.apps.read"],
  },
  "okta.apps.assignment.manage": { scopes: ["okta.apps.manage"] },
  "okta.apps.clientCredentials.read": { scopes: ["okta.apps.read"] },
  "okta.apps.manageFirstPartyApps": { scopes: ["okta.apps.manage"] },
  "okta.apps.universalLogout.read": { scopes: ["okta.apps.read"] },
  "okta.apps.universalLogout.manage": { scopes: ["okta.apps.manage"] },
  // Identity and access management: reading roles, resource sets and assignments only. Okta has no
  // custom-role permission to manage them: okta.roles.manage cannot be confined by a custom role.
  "okta.iam.read": { scopes: ["okta.roles.read"] },
  // Authorization servers, customizations, identity providers, policies, realms
  "okta.authzServers.read": { scopes: ["okta.authorizationServers.read"] },
  "okta.authzServers.manage": {
    scopes: ["okta.authorizationServers.manage"],
    includes: ["okta.authzServers.read"],
  },
  "okta.customizations.read": {
    scopes: ["okta.brands.read", "okta.templates.read", "okta.domains.read"],
  },
  "okta.customizations.manage": {
    scopes: ["okta.brands.manage", "okta.templates.manage", "okta.domains.manage"],
    includes: ["okta.customizations.read"],
  },
  "okta.identityProviders.read": { scopes: ["okta.idps.read"] },
  "okta.identityProviders.manage": {
    scopes: ["okta.idps.manage"],
    includes: ["okta.identityProviders.read"],
  },
  "okta.policies.read": { scopes: ["okta.policies.read"] },
  "okta.policies.manage": { scopes: ["okta.policies.manage"], includes: ["okta.policies.read"] },
  "okta.realms.read": { scopes: ["okta.realms.read", "okta.realmAssignments.read"] },
  "okta.realms.manage": {
    scopes: ["okta.realms.manage", "okta.realmAssignments.manage"],
    includes: ["okta.realms.read"],
  },
  // Directories, profile sources, agents, devices, shared signals
  "okta.directories.read": { scopes: ["okta.apps.read"] },
  "okta.directories.manage": {
    scopes: ["okta.apps.manage", "okta.directories.groups.manage"],
    includes: ["okta.directories.read"],
  },
  "okta.profilesources.import.run": { scopes: ["okta.identitySources.manage"] },
  "okta.agents.read": { scopes: ["okta.agentPools.read"] },
  "okta.agents.manage": { scopes: ["okta.agentPools.manage"], includes: ["okta.agents.read"] },
  "okta.agents.register": { scopes: ["okta.agentPools.manage"] },
  "okta.devices.read": { scopes: ["okta.devices.read"] },
  "okta.devices.manage": { scopes: ["okta.devices.manage"], includes: ["okta.devices.read"] },
  "okta.devices.lifecycle.manage": { scopes: ["okta.devices.manage"] },
  "okta.devices.lifecycle.activate": { scopes: ["okta.devices.manage"] },
  "okta.devices.lifecycle.deactivate": { scopes: ["okta.devices.manage"] },
  "okta.devices.lifecycle.suspend": { scopes: ["okta.devices.manage"] },
  "okta.devices.lifecycle.unsuspend": { scopes: ["okta.devices.manage"] },
  "okta.devices.lifecycle.delete": { scopes: ["okta.devices.manage"] },
  "okta.ssf.securityEventsProviders.read": { scopes: ["okta.securityEventsProviders.read"] },
  "okta.ssf.securityEventsProviders.manage": {
    scopes: ["okta.securityEventsProviders.manage"],
    includes: ["okta.ssf.securityEventsProviders.read"],
  },
  // Exercised outside the Management API: never through an API Service App's scopes.
  "okta.workflows.read": { scopes: [] },
  "okta.workflows.invoke": { scopes: [] },
  "okta.governance.accessCertifications.manage": { scopes: [] },
  "okta.governance.accessRequests.manage": { scopes: [] },
  "okta.support.cases.manage": { scopes: [] },
};

/** Every scope some custom-role permission can back. A scope outside this set (network zones, rate
 * limits, role management, the System Log, ...) cannot be confined by a custom role and its
 * resource set: under a custom role the policy treats it as high-risk. */
export const DELEGABLE_SCOPES: ReadonlySet<string> = new Set(
  Object.values(CUSTOM_ROLE_PERMISSIONS).flatMap((p) => p.scopes),
);

/** The permissions a role holds once Okta's included permissions are added. */
export function withIncluded(permissions: Iterable<string>): Set<string> {
  const all = new Set<string>();
  const pending = [...permissions];
  for (let p = pending.pop(); p !== undefined; p = pending.pop()) {
    if (all.has(p)) continue;
    all.add(p);
    pending.push(...(CUSTOM_ROLE_PERMISSIONS[p]?.includes ?? []));
  }
  return all;
}

/** The scopes a set of custom-role permissions backs. */
export function scopesBackedByPermissions(permissions: Iterable<string>): Set<string> {
  const scopes = new Set<string>();
  for (const p of withIncluded(permissions)) {
    for (const s of CUSTOM_ROLE_PERMISSIONS[p]?.scopes ?? []) scopes.add(s);
  }
  return scopes;
}

/** The permissions that back a scope, for "add permission X" advice. */
export function permissionsBacking(scope: string): string[] {
  return Object.entries(CUSTOM_ROLE_PERMISSIONS)
    .filter(([, info]) => info.scopes.includes(scope))
    .map(([name]) => name);
}
