// Conformance of the local org to Okta's Management API: every operation the bot uses is driven
// through the real @okta/okta-sdk-nodejs Client over HTTP, in PrivateKey+DPoP mode and in SSWS
// mode, and every request and response that crossed the wire is checked against Okta's OpenAPI
// description (spec/okta/management.yaml). Invalid requests must be refused as Okta does.
import { generateKeyPair, exportJWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@okta/okta-sdk-nodejs";
import { startLocalOrg, type LocalOrg } from "../../src/local-org/index.js";
import { loadOAuthSpec, loadOktaSpec } from "../support/okta-spec.js";
import { privateKeyClient, sswsClient } from "../support/okta-sdk.js";

let org: LocalOrg;

beforeAll(async () => {
  org = await startLocalOrg({
    log: { bodies: true, max: 100_000 },
    rateLimits: { perMinute: 100_000 },
  });
});
afterAll(async () => {
  await org?.close();
});

async function publicJwk(kid: string) {
  const { publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
}

function serviceApp(label: string, keys: object[], zoneId?: string) {
  return {
    name: "oidc_client",
    label,
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
    settings: {
      oauthClient: {
        application_type: "service",
        grant_types: ["client_credentials"],
        response_types: ["token"],
        dpop_bound_access_tokens: true,
        jwks: { keys },
        network: zoneId ? { connection: "ZONE", include: [zoneId] } : { connection: "ANYWHERE" },
      },
    },
    profile: { "okta-gitops": { integration: label } },
  };
}

async function all<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of collection) if (item !== null) out.push(item);
  return out;
}

/** Runs `fn` and returns the Okta error it fails with. */
async function refusal(
  fn: () => Promise<unknown>,
): Promise<{ status: number; errorCode?: string; errorCauses?: unknown[] }> {
  try {
    await fn();
  } catch (e) {
    return e as { status: number; errorCode?: string; errorCauses?: unknown[] };
  }
  throw new Error("expected the local org to refuse the request");
}

/** Every operation the bot relies on, once, with the assertions a caller relies on. */
async function exercise(c: Client, tag: string): Promise<void> {
  // Directory: the service account and its no-login group.
  const login = `svc-${tag}@example.com`;
  const user = await c.userApi.createUser({
    body: { profile: { login, email: login, firstName: "Svc", lastName: tag } } as never,
    activate: true,
  });
  expect(user.status).toBe("ACTIVE");
  expect((await c.userApi.getUser({ userId: login })).id).toBe(user.id);
  const found = await all(await c.userApi.listUsers({ search: `profile.login eq "${login}"` }));
  expect(found.map((u) => u.id)).toEqual([user.id]);
  const group = await c.groupApi.createGroup({
    group: { profile: { name: `no-login-${tag}` } } as never,
  });
  expect((await c.groupApi.getGroup({ groupId: group.id ?? "" })).profile?.name).toBe(
    `no-login-${tag}`,
  );
  expect(
    (await all(await c.groupApi.listGroups({ q: `no-login-${tag}` }))).map((g) => g.id),
  ).toEqual([group.id]);
  await c.groupApi.assignUserToGroup({ groupId: group.id ?? "", userId: user.id ?? "" });
  expect(
    (await all(await c.groupApi.listGroupUsers({ groupId: group.id ?? "" }))).map((u) => u.id),
  ).toEqual([user.id]);
  expect(
    (await all(await c.userApi.listUserGroups({ userId: user.id ?? "" }))).map((g) => g.id),
  ).toContain(group.id);

  // The global session policy rule that denies interactive sign-in to the group.
  const [policy] = await all(await c.policyApi.listPolicies({ type: "OKTA_SIGN_ON" }));
  expect(policy?.name).toBe("Default Policy");
  expect((await c.policyApi.getPolicy({ policyId: policy?.id ?? "" })).type).toBe("OKTA_SIGN_ON");
  const rule = await c.policyApi.createPolicyRule({
    policyId: policy?.id ?? "",
    policyRule: {
      type: "SIGN_ON",
      name: `deny-${tag}`,
      priority: 1,
      conditions: {
        people: {
          groups: { include: [group.id], exclude: [] },
          users: { include: [], exclude: [] },
        },
        network: { connection: "ANYWHERE" },
      },
      actions: { signon: { access: "DENY", requireFactor: false } },
    } as never,
  });
  const rules = await all(await c.policyApi.listPolicyRules({ policyId: policy?.id ?? "" }));
  expect(rules[0]?.id).toBe(rule.id);
  expect(rules[rules.length - 1]?.name).toBe("Default Rule");
  const fetchedRule = (await c.policyApi.getPolicyRule({
    policyId: policy?.id ?? "",
    ruleId: rule.id ?? "",
  })) as {
    actions?: { signon?: { access?: string } };
  };
  expect(fetchedRule.actions?.signon?.access).toBe("DENY");
  const renamed = await c.policyApi.replacePolicyRule({
    policyId: policy?.id ?? "",
    ruleId: rule.id ?? "",
    policyRule: {
      type: "SIGN_ON",
      name: `deny-${tag}-2`,
      conditions: {
        people: {
          groups: { include: [group.id], exclude: [] },
          users: { include: [], exclude: [] },
        },
        network: { connection: "ANYWHERE" },
      },
      actions: { signon: { access: "DENY", requireFactor: false } },
    } as never,
  });
  expect(renamed.name).toBe(`deny-${tag}-2`);
  await c.policyApi.deactivatePolicyRule({ policyId: policy?.id ?? "", ruleId: rule.id ?? "" });
  await c.policyApi.activatePolicyRule({ policyId: policy?.id ?? "", ruleId: rule.id ?? "" });

  // Network zone.
  const zone = await c.networkZoneApi.createNetworkZone({
    zone: {
      type: "IP",
      name: `zone-${tag}`,
      gateways: [
        { type: "CIDR", value: "203.0.113.0/28" },
        { type: "RANGE", value: "198.51.100.1-198.51.100.9" },
      ],
    } as never,
  });
  expect(zone.status).toBe("ACTIVE");
  expect((await c.networkZoneApi.getNetworkZone({ zoneId: zone.id ?? "" })).name).toBe(
    `zone-${tag}`,
  );
  expect((await all(await c.networkZoneApi.listNetworkZones({}))).map((z) => z.id)).toContain(
    zone.id,
  );
  const zone2 = await c.networkZoneApi.replaceNetworkZone({
    zoneId: zone.id ?? "",
    zone: {
      type: "IP",
      name: `zone-${tag}`,
      gateways: [{ type: "CIDR", value: "203.0.113.16/28" }],
    } as never,
  });
  expect((zone2 as { gateways?: { value: string }[] }).gateways?.[0]?.value).toBe(
    "203.0.113.16/28",
  );

  // The app, its keys, grants, role and rate share.
  const key1 = await publicJwk(`k1-${tag}`);
  const app = await c.applicationApi.createApplication({
    application: serviceApp(`it-${tag}`, [key1], zone.id) as never,
  });
  expect(app.status).toBe("ACTIVE");
  const got = (await c.applicationApi.getApplication({ appId: app.id ?? "" })) as unknown as {
    profile?: Record<string, unknown>;
    settings: {
      oauthClient: { dpop_bound_access_tokens?: boolean; network?: { include?: string[] } };
    };
  };
  expect(got.profile).toEqual({ "okta-gitops": { integration: `it-${tag}` } });
  expect(got.settings.oauthClient.dpop_bound_access_tokens).toBe(true);
  expect(got.settings.oauthClient.network?.include).toEqual([zone.id]);
  const listed = await all(
    await c.applicationApi.listApplications({ filter: 'name eq "oidc_client"', limit: 200 }),
  );
  expect(listed.map((a) => a.id)).toContain(app.id);
  expect(
    (await all(await c.applicationApi.listApplications({ q: `it-${tag}` }))).map((a) => a.id),
  ).toEqual([app.id]);
  const replaced = await c.applicationApi.replaceApplication({
    appId: app.id ?? "",
    application: { ...serviceApp(`it-${tag}-renamed`, [key1], zone.id) } as never,
  });
  expect(replaced.label).toBe(`it-${tag}-renamed`);

  const keys = await c.applicationSSOPublicKeysApi.listJwk({ appId: app.id ?? "" });
  expect(keys.keys?.length).toBe(1);
  const key2 = await c.applicationSSOPublicKeysApi.addJwk({
    appId: app.id ?? "",
    addJwkRequest: { ...(await publicJwk(`k2-${tag}`)), status: "INACTIVE" } as never,
  });
  expect(key2.status).toBe("INACTIVE");
  expect(
    (await c.applicationSSOPublicKeysApi.getJwk({ appId: app.id ?? "", keyId: key2.id ?? "" })).id,
  ).toBe(key2.id);
  await c.applicationSSOPublicKeysApi.activateOAuth2ClientJsonWebKey({
    appId: app.id ?? "",
    keyId: key2.id ?? "",
  });
  const off = await c.applicationSSOPublicKeysApi.deactivateOAuth2ClientJsonWebKey({
    appId: app.id ?? "",
    keyId: key2.id ?? "",
  });
  expect(off.status).toBe("INACTIVE");
  await c.applicationSSOPublicKeysApi.deletejwk({ appId: app.id ?? "", keyId: key2.id ?? "" });
  expect((await c.applicationSSOPublicKeysApi.listJwk({ appId: app.id ?? "" })).keys?.length).toBe(
    1,
  );

  const grant = await c.applicationApi.grantConsentToScope({
    appId: app.id ?? "",
    oAuth2ScopeConsentGrant: { issuer: org.url, scopeId: "okta.users.read" } as never,
  });
  expect(grant.scopeId).toBe("okta.users.read");
  expect(
    (await all(await c.applicationApi.listScopeConsentGrants({ appId: app.id ?? "" }))).map(
      (g) => g.id,
    ),
  ).toEqual([grant.id]);
  expect(
    (await c.applicationApi.getScopeConsentGrant({ appId: app.id ?? "", grantId: grant.id ?? "" }))
      .issuer,
  ).toBe(org.url);

  const role = await c.customRoleApi.createRole({
    instance: {
      label: `role-${tag}`,
      description: "reads users",
      permissions: ["okta.users.read"],
    } as never,
  });
  expect((await c.customRoleApi.getRole({ roleIdOrLabel: `role-${tag}` })).id).toBe(role.id);
  expect((await c.customRoleApi.listRoles({})).roles?.map((r) => r.id)).toContain(role.id);
  await c.customRoleApi.replaceRole({
    roleIdOrLabel: role.id ?? "",
    instance: { label: `role-${tag}`, description: "reads users and groups" } as never,
  });
  await c.customRoleApi.createRolePermission({
    roleIdOrLabel: role.id ?? "",
    permissionType: "okta.groups.read",
  });
  expect(
    (
      await c.customRoleApi.getRolePermission({
        roleIdOrLabel: role.id ?? "",
        permissionType: "okta.groups.read",
      })
    ).label,
  ).toBe("okta.groups.read");
  const perms = await c.customRoleApi.listRolePermissions({ roleIdOrLabel: role.id ?? "" });
  expect(perms.permissions?.map((p) => p.label)).toEqual(["okta.users.read", "okta.groups.read"]);
  await c.customRoleApi.deleteRolePermission({
    roleIdOrLabel: role.id ?? "",
    permissionType: "okta.groups.read",
  });

  const set = await c.resourceSetApi.createResourceSet({
    instance: {
      label: `set-${tag}`,
      description: "the group",
      resources: [`${org.url}/api/v1/groups/${group.id}`],
    } as never,
  });
  expect((await c.resourceSetApi.getResourceSet({ resourceSetId: set.id ?? "" })).label).toBe(
    `set-${tag}`,
  );
  expect(
    (await c.resourceSetApi.listResourceSets({})).resource_sets?.map((s) => s.id) ?? [],
  ).toContain(set.id);
  await c.resourceSetApi.replaceResourceSet({
    resourceSetId: set.id ?? "",
    instance: { label: `set-${tag}`, description: "the group and its users" } as never,
  });
  await c.resourceSetApi.addResourceSetResources({
    resourceSetId: set.id ?? "",
    instance: { additions: [`${org.url}/api/v1/groups/${group.id}/users`] } as never,
  });
  const resources =
    (await c.resourceSetApi.listResourceSetResources({ resourceSetId: set.id ?? "" })).resources ??
    [];
  expect(resources.length).toBe(2);
  await c.resourceSetApi.deleteResourceSetResource({
    resourceSetId: set.id ?? "",
    resourceId: resources[1]?.id ?? "",
  });

  const standard = await c.roleAssignmentApi.assignRoleToClient({
    clientId: app.id ?? "",
    assignRoleRequest: { type: "READ_ONLY_ADMIN" } as never,
  });
  // The SDK serializes its resource_set field as the wire's "resource-set".
  const custom = await c.roleAssignmentApi.assignRoleToClient({
    clientId: app.id ?? "",
    assignRoleRequest: { type: "CUSTOM", role: role.id, resource_set: set.id } as never,
  });
  expect(custom.type).toBe("CUSTOM");
  const assigned = await all(
    await c.roleAssignmentApi.listRolesForClient({ clientId: app.id ?? "" }),
  );
  expect(assigned.map((r) => r.type).sort()).toEqual(["CUSTOM", "READ_ONLY_ADMIN"]);
  expect(
    (
      await c.roleAssignmentApi.retrieveClientRole({
        clientId: app.id ?? "",
        roleAssignmentId: standard.id ?? "",
      })
    ).type,
  ).toBe("READ_ONLY_ADMIN");

  // The service account's admin role (an API token exception's): user role assignments. The SDK
  // field is resource_set; on the wire it must arrive as "resource-set", or Okta refuses it.
  const userStandard = await c.roleAssignmentApi.assignRoleToUser({
    userId: user.id ?? "",
    assignRoleRequest: { type: "READ_ONLY_ADMIN" } as never,
  });
  expect(userStandard).toMatchObject({ type: "READ_ONLY_ADMIN", assignmentType: "USER" });
  const userCustom = (await c.roleAssignmentApi.assignRoleToUser({
    userId: user.id ?? "",
    assignRoleRequest: { type: "CUSTOM", role: role.id, resource_set: set.id } as never,
    disableNotifications: true,
  })) as { id?: string; type?: string; role?: string; resource_set?: string };
  // The SDK reads the wire's "resource-set" back into its resource_set field.
  expect(userCustom).toMatchObject({ type: "CUSTOM", role: role.id, resource_set: set.id });
  const sent = org
    .requests()
    .filter((r) => r.method === "POST" && r.template === "/api/v1/users/{userId}/roles")
    .at(-1);
  expect(sent?.status).toBe(201);
  expect(sent?.requestBody).toEqual({ type: "CUSTOM", role: role.id, "resource-set": set.id });
  expect(sent?.responseBody).toMatchObject({ "resource-set": set.id, assignmentType: "USER" });
  const userRoles = await all(
    await c.roleAssignmentApi.listAssignedRolesForUser({ userId: user.id ?? "" }),
  );
  expect(userRoles.map((r) => r.id).sort()).toEqual([userStandard.id, userCustom.id].sort());
  expect(
    await c.roleAssignmentApi.getUserAssignedRole({
      userId: user.id ?? "",
      roleId: userCustom.id ?? "",
    }),
  ).toMatchObject({ id: userCustom.id, type: "CUSTOM", label: `role-${tag}` });
  // A client's assignment is not the user's, and the other way round.
  expect(
    await refusal(() =>
      c.roleAssignmentApi.getUserAssignedRole({ userId: user.id ?? "", roleId: custom.id ?? "" }),
    ),
  ).toMatchObject({ status: 404, errorCode: "E0000007" });

  // Roles held through a group: assigned to the group, listed with the group's roles, and among
  // the member's own roles with assignmentType GROUP (what the reconciler reads to refuse a
  // service account that holds more than its file says).
  const admins = await c.groupApi.createGroup({
    group: { profile: { name: `admins-${tag}` } } as never,
  });
  await c.groupApi.assignUserToGroup({ groupId: admins.id ?? "", userId: user.id ?? "" });
  const groupStandard = (await c.roleAssignmentApi.assignRoleToGroup({
    groupId: admins.id ?? "",
    assignRoleRequest: { type: "USER_ADMIN" } as never,
  })) as { id?: string; type?: string; assignmentType?: string };
  expect(groupStandard).toMatchObject({ type: "USER_ADMIN", assignmentType: "GROUP" });
  const groupCustom = (await c.roleAssignmentApi.assignRoleToGroup({
    groupId: admins.id ?? "",
    assignRoleRequest: { type: "CUSTOM", role: role.id, resource_set: set.id } as never,
  })) as { id?: string };
  const groupRoles = await all(
    await c.roleAssignmentApi.listGroupAssignedRoles({ groupId: admins.id ?? "" }),
  );
  expect(groupRoles.map((r) => r.id).sort()).toEqual([groupStandard.id, groupCustom.id].sort());
  expect(
    await c.roleAssignmentApi.getGroupAssignedRole({
      groupId: admins.id ?? "",
      roleId: groupStandard.id ?? "",
    }),
  ).toMatchObject({ id: groupStandard.id, type: "USER_ADMIN", assignmentType: "GROUP" });
  const withGroup = (await all(
    await c.roleAssignmentApi.listAssignedRolesForUser({ userId: user.id ?? "" }),
  )) as { id?: string; assignmentType?: string }[];
  expect(withGroup.map((r) => `${r.id} ${r.assignmentType}`).sort()).toEqual(
    [
      `${userStandard.id} USER`,
      `${userCustom.id} USER`,
      `${groupStandard.id} GROUP`,
      `${groupCustom.id} GROUP`,
    ].sort(),
  );
  // Who holds the custom role on the resource set: its bindings and their members.
  const bindings = await c.resourceSetApi.listBindings({ resourceSetId: set.id ?? "" });
  expect(bindings.roles?.map((r) => r.id)).toEqual([role.id]);
  const members = await c.resourceSetApi.listMembersOfBinding({
    resourceSetId: set.id ?? "",
    roleIdOrLabel: role.id ?? "",
  });
  expect(members.members?.map((m) => m._links?.self?.href).sort()).toEqual(
    [
      `${org.url}/api/v1/users/${user.id}`,
      `${org.url}/api/v1/groups/${admins.id}`,
      `${org.url}/oauth2/v1/clients/${app.id}`,
    ].sort(),
  );
  for (const r of [groupStandard, groupCustom])
    await c.roleAssignmentApi.unassignRoleFromGroup({
      groupId: admins.id ?? "",
      roleId: r.id ?? "",
    });
  expect(
    await all(await c.roleAssignmentApi.listGroupAssignedRoles({ groupId: admins.id ?? "" })),
  ).toEqual([]);

  const share = await c.principalRateLimitApi.createPrincipalRateLimitEntity({
    entity: {
      principalId: app.id,
      principalType: "OAUTH_CLIENT",
      defaultPercentage: 25,
      defaultConcurrencyPercentage: 25,
    } as never,
  });
  expect(share.defaultPercentage).toBe(25);
  expect(
    (
      await c.principalRateLimitApi.getPrincipalRateLimitEntity({
        principalRateLimitId: share.id ?? "",
      })
    ).principalId,
  ).toBe(app.id);
  const shares = await all(
    await c.principalRateLimitApi.listPrincipalRateLimitEntities({
      filter: 'principalType eq "OAUTH_CLIENT"',
    }),
  );
  expect(shares.map((s) => s.id)).toContain(share.id);
  const lowered = await c.principalRateLimitApi.replacePrincipalRateLimitEntity({
    principalRateLimitId: share.id ?? "",
    entity: {
      principalId: app.id,
      principalType: "OAUTH_CLIENT",
      defaultPercentage: 10,
      defaultConcurrencyPercentage: 10,
    } as never,
  });
  expect(lowered.defaultPercentage).toBe(10);

  // An API token exception: seeded (Okta cannot create tokens), then restricted to the zone.
  const seeded = org.seed.apiToken({ name: `legacy-${tag}`, userId: user.id ?? "" });
  expect((await all(await c.apiTokenApi.listApiTokens())).map((t) => t.id)).toContain(seeded.id);
  expect((await c.apiTokenApi.getApiToken({ apiTokenId: seeded.id })).name).toBe(`legacy-${tag}`);
  const restricted = await c.apiTokenApi.upsertApiToken({
    apiTokenId: seeded.id,
    apiTokenUpdate: {
      name: `legacy-${tag}`,
      userId: user.id,
      network: { connection: "ZONE", include: [zone.id] },
    } as never,
  });
  expect(restricted.network?.include).toEqual([zone.id]);

  // Guards: an active app, an active or in-use zone, an assigned role cannot be deleted.
  expect(
    await refusal(() => c.applicationApi.deleteApplication({ appId: app.id ?? "" })),
  ).toMatchObject({ status: 403 });
  expect(
    await refusal(() => c.networkZoneApi.deleteNetworkZone({ zoneId: zone.id ?? "" })),
  ).toMatchObject({
    status: 403,
    errorCode: "E0000006",
  });
  await c.networkZoneApi.deactivateNetworkZone({ zoneId: zone.id ?? "" });
  expect(
    await refusal(() => c.networkZoneApi.deleteNetworkZone({ zoneId: zone.id ?? "" })),
  ).toMatchObject({ status: 403 });
  expect(
    await refusal(() => c.customRoleApi.deleteRole({ roleIdOrLabel: role.id ?? "" })),
  ).toMatchObject({ status: 403 });

  // Tear down in dependency order, as the reconciler would.
  await c.apiTokenApi.revokeApiToken({ apiTokenId: seeded.id });
  await c.roleAssignmentApi.deleteRoleFromClient({
    clientId: app.id ?? "",
    roleAssignmentId: custom.id ?? "",
  });
  await c.roleAssignmentApi.deleteRoleFromClient({
    clientId: app.id ?? "",
    roleAssignmentId: standard.id ?? "",
  });
  // The user's assignment alone still keeps the role and the resource set in use.
  expect(
    await refusal(() => c.resourceSetApi.deleteResourceSet({ resourceSetId: set.id ?? "" })),
  ).toMatchObject({ status: 403, errorCode: "E0000006" });
  for (const r of [userCustom, userStandard])
    await c.roleAssignmentApi.unassignRoleFromUser({ userId: user.id ?? "", roleId: r.id ?? "" });
  expect(
    await all(await c.roleAssignmentApi.listAssignedRolesForUser({ userId: user.id ?? "" })),
  ).toEqual([]);
  await c.resourceSetApi.deleteResourceSet({ resourceSetId: set.id ?? "" });
  await c.customRoleApi.deleteRole({ roleIdOrLabel: role.id ?? "" });
  await c.applicationApi.revokeScopeConsentGrant({ appId: app.id ?? "", grantId: grant.id ?? "" });
  await c.applicationApi.deactivateApplication({ appId: app.id ?? "" });
  await c.applicationApi.activateApplication({ appId: app.id ?? "" });
  await c.applicationApi.deactivateApplication({ appId: app.id ?? "" });
  await c.applicationApi.deleteApplication({ appId: app.id ?? "" });
  expect(
    await refusal(() => c.applicationApi.getApplication({ appId: app.id ?? "" })),
  ).toMatchObject({
    status: 404,
    errorCode: "E0000007",
  });
  await c.networkZoneApi.activateNetworkZone({ zoneId: zone.id ?? "" });
  await c.networkZoneApi.deactivateNetworkZone({ zoneId: zone.id ?? "" });
  await c.networkZoneApi.deleteNetworkZone({ zoneId: zone.id ?? "" });
  await c.policyApi.deletePolicyRule({ policyId: policy?.id ?? "", ruleId: rule.id ?? "" });
  await c.groupApi.unassignUserFromGroup({ groupId: group.id ?? "", userId: user.id ?? "" });
  await c.userApi.deactivateUser({ userId: user.id ?? "" });
  expect((await c.userApi.getUser({ userId: user.id ?? "" })).status).toBe("DEPROVISIONED");
}

/** Requests that the spec (and Okta) call invalid: each must be refused with E0000001 and causes. */
async function invalidRequests(c: Client): Promise<void> {
  const validation = { status: 400, errorCode: "E0000001" };
  const noLabel = serviceApp("", [await publicJwk("bad")]);
  expect(
    await refusal(() => c.applicationApi.createApplication({ application: noLabel as never })),
  ).toMatchObject(validation);
  const secretKey = { ...(await publicJwk("private")), d: "AAAA" };
  const withPrivate = await refusal(() =>
    c.applicationApi.createApplication({ application: serviceApp("leaks", [secretKey]) as never }),
  );
  expect(withPrivate).toMatchObject(validation);
  expect(JSON.stringify(withPrivate.errorCauses)).toContain("private key");
  const tooMany = Array.from({ length: 151 }, (_, i) => ({
    type: "CIDR",
    value: `10.${i >> 8}.${i & 255}.0/24`,
  }));
  expect(
    await refusal(() =>
      c.networkZoneApi.createNetworkZone({
        zone: { type: "IP", name: "big", gateways: tooMany } as never,
      }),
    ),
  ).toMatchObject({ status: 400 });
  expect(
    await refusal(() =>
      c.networkZoneApi.createNetworkZone({
        zone: {
          type: "IP",
          name: "bad",
          gateways: [{ type: "CIDR", value: "300.1.1.1/8" }],
        } as never,
      }),
    ),
  ).toMatchObject({ status: 400 });
  expect(
    await refusal(() =>
      c.principalRateLimitApi.createPrincipalRateLimitEntity({
        entity: {
          principalId: org.credentials.clientId,
          principalType: "OAUTH_CLIENT",
          defaultPercentage: 150,
        } as never,
      }),
    ),
  ).toMatchObject(validation);
  expect(
    await refusal(() =>
      c.customRoleApi.createRole({
        instance: { label: "empty", description: "none", permissions: [] } as never,
      }),
    ),
  ).toMatchObject(validation);
  expect(
    await refusal(() =>
      c.resourceSetApi.createResourceSet({
        instance: {
          label: "x",
          description: "y",
          resources: ["https://evil.example/api/v1/users"],
        } as never,
      }),
    ),
  ).toMatchObject(validation);
  expect(
    await refusal(() =>
      c.userApi.createUser({ body: { profile: { login: "not-an-email", email: "x" } } as never }),
    ),
  ).toMatchObject({ status: 400 });
  // A user's admin role: an unknown type, a CUSTOM one without its resource set, an unknown user.
  const adminId = org.credentials.adminUserId;
  for (const body of [{ type: "NOT_A_ROLE" }, { type: "CUSTOM", role: "cr0nothere" }]) {
    expect(
      await refusal(() =>
        c.roleAssignmentApi.assignRoleToUser({ userId: adminId, assignRoleRequest: body as never }),
      ),
    ).toMatchObject(validation);
  }
  // A sign-on rule whose people condition lacks `users` (the spec's PolicyPeopleCondition needs
  // both groups and users, each with include and exclude).
  let policyId = "";
  for await (const p of await c.policyApi.listPolicies({ type: "OKTA_SIGN_ON" })) {
    if (p?.id) policyId = p.id;
  }
  expect(
    await refusal(() =>
      c.policyApi.createPolicyRule({
        policyId,
        policyRule: {
          type: "SIGN_ON",
          name: "half a condition",
          conditions: { people: { groups: { include: [] } } },
          actions: { signon: { access: "DENY" } },
        } as never,
      }),
    ),
  ).toMatchObject(validation);
  expect(
    await refusal(() =>
      c.roleAssignmentApi.assignRoleToUser({
        userId: "00unosuchuser0000000",
        assignRoleRequest: { type: "READ_ONLY_ADMIN" } as never,
      }),
    ),
  ).toMatchObject({ status: 404, errorCode: "E0000007" });
}

describe("local org conformance through @okta/okta-sdk-nodejs", () => {
  it("serves every operation in PrivateKey mode with DPoP", async () => {
    const c = privateKeyClient(org);
    await exercise(c, "pk");
    // The SDK met the nonce challenge (400 use_dpop_nonce, then 200) and got a DPoP-bound token.
    const tokenCalls = org.requests().filter((r) => r.template === "/oauth2/v1/token");
    expect(tokenCalls.slice(0, 2).map((r) => r.status)).toEqual([400, 200]);
    const token = org.requests().find((r) => r.template === "/oauth2/v1/token" && r.status === 200);
    expect((token?.responseBody as { token_type?: string }).token_type).toBe("DPoP");
  });

  it("serves every operation in SSWS mode", async () => {
    await exercise(sswsClient(org), "ssws");
  });

  it("refuses requests that the spec calls invalid, with Okta's error shape", async () => {
    await invalidRequests(privateKeyClient(org));
  });

  it("answers an operation whose scope the token lacks with Okta's 403", async () => {
    const readOnly = privateKeyClient(org, { scopes: ["okta.apps.read"] });
    expect((await all(await readOnly.applicationApi.listApplications({}))).length).toBeGreaterThan(
      0,
    );
    const denied = await refusal(() => readOnly.networkZoneApi.listNetworkZones({}).then(all));
    expect(denied).toMatchObject({ status: 403, errorCode: "E0000006" });
  });

  it("has a validator that does find violations (so that zero means something)", () => {
    const spec = loadOktaSpec();
    const broken = {
      id: "0oa1",
      name: "oidc_client",
      label: "x",
      signOnMode: "OPENID_CONNECT",
      settings: { oauthClient: { application_type: "daemon" } },
    };
    const v = spec.validateExchange({
      method: "GET",
      path: "/api/v1/apps/0oa1",
      status: 200,
      responseBody: broken,
    });
    expect(v.some((m) => m.includes("application_type"))).toBe(true);
    expect(
      spec.validateExchange({
        method: "GET",
        path: "/api/v1/zones/x",
        status: 201,
        responseBody: {},
      })[0],
    ).toContain("not documented");
  });

  it("matches Okta's OpenAPI description on every exchange, with no violation", () => {
    const spec = loadOktaSpec();
    const oauth = loadOAuthSpec();
    const covered = new Set<string>();
    const violations: string[] = [];
    let checked = 0;
    let specGaps = 0;
    for (const r of org.requests()) {
      checked++;
      if (r.template === "/oauth2/v1/token") {
        // The token endpoint is in oauth.yaml; its form body is not JSON, its answers are.
        const v = oauth.validateExchange({
          method: r.method,
          path: r.url,
          status: r.status,
          responseBody: r.responseBody,
        });
        // oauth.yaml's TokenResponseTokenType lists Bearer and N_A only, yet Okta answers a
        // DPoP-bound token with token_type DPoP, as RFC 9449 §5 requires: a gap in the spec.
        const dpop = (r.responseBody as { token_type?: string } | undefined)?.token_type === "DPoP";
        const gap = (m: string) =>
          dpop && m.endsWith("response 200/token_type must be equal to one of the allowed values");
        specGaps += v.filter(gap).length;
        violations.push(...v.filter((m) => !gap(m)));
        continue;
      }
      const v = spec.validateExchange({
        method: r.method,
        path: r.url,
        // A request refused as invalid was invalid on purpose: only its answer is checked.
        requestBody: r.status === 400 ? undefined : r.requestBody,
        status: r.status,
        responseBody: r.responseBody,
      });
      violations.push(...v);
      const op = spec.matchOperation(r.method, r.url);
      if (op && r.status < 300) covered.add(`${r.method} ${op.template}`);
    }
    console.log(
      `local org conformance: ${covered.size} operations covered, ${checked} exchanges checked, ${violations.length} schema violations (and ${specGaps} token_type DPoP answers that oauth.yaml's enum omits)`,
    );
    if (violations.length) console.log(violations.slice(0, 40).join("\n"));
    expect(covered.size).toBeGreaterThanOrEqual(70);
    // A service account's admin role, as the reconciler assigns it to an API token's user.
    for (const op of ["GET /api/v1/users/{userId}/roles", "POST /api/v1/users/{userId}/roles"])
      expect(covered).toContain(op);
    for (const m of ["GET", "DELETE"])
      expect(covered).toContain(`${m} /api/v1/users/{userId}/roles/{roleId}`);
    // Roles held through a group, and who holds a custom role on a resource set.
    for (const op of [
      "GET /api/v1/groups/{groupId}/roles",
      "POST /api/v1/groups/{groupId}/roles",
      "GET /api/v1/groups/{groupId}/roles/{roleId}",
      "DELETE /api/v1/groups/{groupId}/roles/{roleId}",
      "GET /api/v1/iam/resource-sets/{resourceSetId}/bindings",
      "GET /api/v1/iam/resource-sets/{resourceSetId}/bindings/{roleIdOrLabel}/members",
    ])
      expect(covered).toContain(op);
    expect(violations).toEqual([]);
  });
});
