// Admin roles are enforced on top of scopes, as Okta enforces them: no role is Okta's 403
// E0000006; read-only roles never write; a custom role reaches only what its permissions cover,
// inside its resource set; and a custom role can never assign SUPER_ADMIN. For app (OAuth client)
// tokens through the real SDK, and for API tokens through their owner's roles.
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_ROLE, rolesOf, startLocalOrg, type LocalOrg } from "../../src/local-org/index.js";
import { privateKeyClient } from "../support/okta-sdk.js";

let org: LocalOrg;
beforeAll(async () => {
  org = await startLocalOrg({ rateLimits: { perMinute: 100_000 } });
});
afterAll(() => org.close());

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${org.url}${path}`, {
    method,
    headers: { Authorization: `SSWS ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as unknown };
}
const admin = (method: string, path: string, body?: unknown) =>
  call(method, path, org.credentials.sswsToken, body);
const code = (r: { body: unknown }) => (r.body as { errorCode?: string }).errorCode;

let n = 0;
/** A service account with an API token; `role` is assigned by the test admin (a super admin). */
async function account(role?: unknown) {
  const user = org.seed.user({ login: `svc-roles-${++n}@example.com` });
  const seeded = org.seed.apiToken({ name: `roles-${n}`, userId: user.id });
  if (role) expect((await admin("POST", `/api/v1/users/${user.id}/roles`, role)).status).toBe(201);
  return { user, token: seeded.token, tokenId: seeded.id };
}

const zone = (name: string) => ({
  type: "IP",
  name,
  gateways: [{ type: "CIDR", value: "203.0.113.0/24" }],
});

describe("admin roles of API tokens (their owner's roles)", () => {
  it("no admin role: 403 E0000006 on a read and on a write", async () => {
    const { token } = await account();
    for (const r of [
      await call("GET", "/api/v1/zones", token),
      await call("POST", "/api/v1/zones", token, zone("none")),
    ])
      expect([r.status, code(r)]).toEqual([403, "E0000006"]);
  });

  it("read-only roles read but never write", async () => {
    const { token } = await account({ type: "READ_ONLY_ADMIN" });
    expect((await call("GET", "/api/v1/zones", token)).status).toBe(200);
    expect((await call("GET", "/api/v1/users", token)).status).toBe(200);
    for (const r of [
      await call("POST", "/api/v1/zones", token, zone("ro")),
      await call("POST", "/api/v1/groups", token, { profile: { name: "ro" } }),
      await call("DELETE", `/api/v1/apps/${org.credentials.clientId}`, token),
    ])
      expect([r.status, code(r)]).toEqual([403, "E0000006"]);
    expect(Object.values(org.state.zones).some((z) => z.name === "ro")).toBe(false);

    const report = await account({ type: "REPORT_ADMIN" });
    for (const r of [
      await call("GET", "/api/v1/users", report.token),
      await call("POST", "/api/v1/zones", report.token, zone("report")),
    ])
      expect([r.status, code(r)]).toEqual([403, "E0000006"]);
  });

  it("only a super admin views or assigns admin roles: a read-only admin cannot", async () => {
    const { user, token } = await account({ type: "READ_ONLY_ADMIN" });
    const assign = await call("POST", `/api/v1/users/${user.id}/roles`, token, {
      type: "SUPER_ADMIN",
    });
    expect([assign.status, code(assign)]).toEqual([403, "E0000006"]);
    expect((await call("GET", `/api/v1/users/${user.id}/roles`, token)).status).toBe(403);
  });

  it("a custom role reaches only its permissions, inside its resource set", async () => {
    const inside = org.seed.group("roles-inside");
    const member = org.seed.user({ login: "svc-member@example.com" }, [inside.id]);
    const outsider = org.seed.user({ login: "svc-outsider@example.com" });
    const role = await admin("POST", "/api/v1/iam/roles", {
      label: "reads-inside",
      description: "reads the users of one group",
      permissions: ["okta.users.read", "okta.groups.read"],
    });
    const set = await admin("POST", "/api/v1/iam/resource-sets", {
      label: "inside",
      description: "one group and its users",
      resources: [
        `${org.url}/api/v1/groups/${inside.id}`,
        `${org.url}/api/v1/groups/${inside.id}/users`,
      ],
    });
    const { token } = await account({
      type: "CUSTOM",
      role: (role.body as { id: string }).id,
      "resource-set": (set.body as { id: string }).id,
    });
    expect((await call("GET", `/api/v1/users/${member.id}`, token)).status).toBe(200);
    expect((await call("GET", `/api/v1/groups/${inside.id}`, token)).status).toBe(200);
    const out = await call("GET", `/api/v1/users/${outsider.id}`, token);
    expect([out.status, code(out)]).toEqual([403, "E0000006"]);
    // A list shows only what the resource set covers.
    const listed = (await call("GET", "/api/v1/users", token)).body as { id: string }[];
    expect(listed.map((u) => u.id)).toEqual([member.id]);
    const groups = (await call("GET", "/api/v1/groups", token)).body as { id: string }[];
    expect(groups.map((g) => g.id)).toEqual([inside.id]);
    // Permissions it lacks: writes to the same objects, and objects no custom role confines.
    for (const r of [
      await call("PUT", `/api/v1/groups/${inside.id}/users/${outsider.id}`, token),
      await call("POST", `/api/v1/users/${member.id}/lifecycle/deactivate`, token),
      await call("GET", "/api/v1/zones", token),
      await call("GET", "/api/v1/apps", token),
    ])
      expect([r.status, code(r)]).toEqual([403, "E0000006"]);
    expect(org.state.groups[inside.id]?.members).toEqual([member.id]);
  });

  it("a resource set's ORNs count for this org only", async () => {
    const mine = org.seed.user({ login: "svc-orn-mine@example.com" });
    const theirs = org.seed.user({ login: "svc-orn-theirs@example.com" });
    const role = await admin("POST", "/api/v1/iam/roles", {
      label: "reads-by-orn",
      description: "reads one user named by ORN",
      permissions: ["okta.users.read"],
    });
    const set = await admin("POST", "/api/v1/iam/resource-sets", {
      label: "by-orn",
      description: "one user of this org, one of another",
      resources: [
        `orn:okta:directory:${org.state.orgId}:users:${mine.id}`,
        `orn:okta:directory:00oOtherOrg0000000:users:${theirs.id}`,
      ],
    });
    const { token } = await account({
      type: "CUSTOM",
      role: (role.body as { id: string }).id,
      "resource-set": (set.body as { id: string }).id,
    });
    expect((await call("GET", `/api/v1/users/${mine.id}`, token)).status).toBe(200);
    expect((await call("GET", `/api/v1/users/${theirs.id}`, token)).status).toBe(403);
  });

  it("a custom role, whatever its permissions, can never assign SUPER_ADMIN", async () => {
    const role = await admin("POST", "/api/v1/iam/roles", {
      label: "manages-everything-it-can",
      description: "every user and group permission",
      permissions: ["okta.users.manage", "okta.groups.manage", "okta.iam.read"],
    });
    const set = await admin("POST", "/api/v1/iam/resource-sets", {
      label: "everyone",
      description: "all users and groups",
      resources: [`${org.url}/api/v1/users`, `${org.url}/api/v1/groups`],
    });
    const { user, token, tokenId } = await account({
      type: "CUSTOM",
      role: (role.body as { id: string }).id,
      "resource-set": (set.body as { id: string }).id,
    });
    const res = await call("POST", `/api/v1/users/${user.id}/roles`, token, {
      type: "SUPER_ADMIN",
    });
    expect([res.status, code(res)]).toEqual([403, "E0000006"]);
    expect(rolesOf(org.state, { type: "SSWS_TOKEN", id: tokenId }).map((r) => r.type)).toEqual([
      "CUSTOM",
    ]);
  });

  it("roles held through a group count for the group's members (group role assignments)", async () => {
    const admins = org.seed.group("roles-via-group");
    const { user, token } = await account();
    expect((await call("GET", "/api/v1/zones", token)).status).toBe(403);
    expect((await admin("PUT", `/api/v1/groups/${admins.id}/users/${user.id}`)).status).toBe(204);
    // Group assignments are stored beside users' and clients': groupRoles, by groupId.
    const state = org.state as unknown as { groupRoles?: Record<string, unknown> };
    state.groupRoles ??= {};
    state.groupRoles.irbViaGroup = {
      id: "irbViaGroup",
      type: "READ_ONLY_ADMIN",
      groupId: admins.id,
      created: new Date().toISOString(),
      lastUpdated: new Date().toISOString(),
    };
    expect((await call("GET", "/api/v1/zones", token)).status).toBe(200);
    expect((await call("POST", "/api/v1/zones", token, zone("via-group"))).status).toBe(403);
  });
});

describe("admin roles of apps (OAuth clients), through the real SDK", () => {
  /** A service app with its own key, granted `scopes`, holding `role` if given. */
  async function serviceApp(scopes: string[], role?: unknown) {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const kid = `roles-${++n}`;
    const app = org.seed.app({
      name: "oidc_client",
      label: `roles app ${n}`,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
          dpop_bound_access_tokens: true,
          jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }] },
        },
      },
    });
    for (const scopeId of scopes)
      expect(
        (await admin("POST", `/api/v1/apps/${app.id}/grants`, { issuer: org.url, scopeId })).status,
      ).toBe(201);
    if (role)
      expect((await admin("POST", `/oauth2/v1/clients/${app.id}/roles`, role)).status).toBe(200);
    return privateKeyClient(
      {
        url: org.url,
        credentials: {
          clientId: app.id,
          keyId: kid,
          scopes,
          privateKeyJwk: { ...(await exportJWK(privateKey)), kid, alg: "RS256" },
          sswsToken: "",
        },
      },
      { maxRetries: 0 },
    );
  }
  /** Lists zones to the end (the SDK's collections fetch lazily). */
  const listZones = async (client: ReturnType<typeof privateKeyClient>) => {
    const zones = await client.networkZoneApi.listNetworkZones();
    let count = 0;
    for await (const z of zones) if (z) count++;
    return count;
  };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => ({ status: 200 }),
      (e: { status?: number; errorCode?: string }) => ({
        status: e.status,
        errorCode: e.errorCode,
      }),
    );

  it("scopes without an admin role: Okta's 403 E0000006", async () => {
    const client = await serviceApp(["okta.networkZones.read"]);
    expect(await failure(listZones(client))).toEqual({
      status: 403,
      errorCode: "E0000006",
    });
  });

  it("a read-only admin app reads with its scope, and cannot write although it holds the scope", async () => {
    const client = await serviceApp(["okta.networkZones.read", "okta.networkZones.manage"], {
      type: "READ_ONLY_ADMIN",
    });
    expect(await failure(listZones(client))).toEqual({ status: 200 });
    expect(
      await failure(
        client.networkZoneApi.createNetworkZone({
          zone: zone("by-read-only-app") as never,
        }),
      ),
    ).toEqual({ status: 403, errorCode: "E0000006" });
  });
});

describe("the bootstrap", () => {
  it("gives the bot its one admin role, SUPER_ADMIN, and nothing more; the test admin is a super admin", () => {
    expect(BOT_ROLE).toBe("SUPER_ADMIN");
    expect(
      rolesOf(org.state, { type: "OAUTH_CLIENT", id: org.credentials.clientId }).map((r) => r.type),
    ).toEqual(["SUPER_ADMIN"]);
    expect(
      rolesOf(org.state, { type: "SSWS_TOKEN", id: org.credentials.sswsTokenId }).map(
        (r) => r.type,
      ),
    ).toEqual(["SUPER_ADMIN"]);
  });

  it("the bot, through the SDK, assigns roles and manages custom roles, as its job needs", async () => {
    const bot = privateKeyClient(org, { maxRetries: 0 });
    const role = await bot.customRoleApi.createRole({
      instance: {
        label: "bot-made",
        description: "made by the bot",
        permissions: ["okta.users.read"],
      } as never,
    });
    expect(role.id).toBeTruthy();
  });
});
