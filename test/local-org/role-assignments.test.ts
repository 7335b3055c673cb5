// Admin role assignments of users and of clients follow the same rules: the same body is accepted
// or refused alike (with the same status and error code), and each operation asks for the scope
// that the spec's `security` lists for it. Refusals that the spec does not document for clients
// (400, 409) are checked here, on an org of their own, rather than in the spec-checked suite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOrg, type LocalOrg } from "../../src/local-org/index.js";
import { privateKeyClient } from "../support/okta-sdk.js";

let org: LocalOrg;
let userId: string;
let clientId: string;
let roleId: string;
let setId: string;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(org.url + path, {
    method,
    headers: {
      Authorization: `SSWS ${org.credentials.sswsToken}`,
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  org = await startLocalOrg({ rateLimits: { perMinute: 100_000 } });
  userId = org.seed.user({ login: "svc-roles@example.com" }).id;
  clientId = org.credentials.clientId;
  const role = await call("POST", "/api/v1/iam/roles", {
    label: "reader",
    description: "reads users",
    permissions: ["okta.users.read"],
  });
  roleId = String(role.body.id);
  const set = await call("POST", "/api/v1/iam/resource-sets", {
    label: "users",
    description: "all users",
    resources: [`${org.url}/api/v1/users`],
  });
  setId = String(set.body.id);
});
afterAll(async () => {
  await org?.close();
});

describe("role assignments of users and clients", () => {
  it("accept and refuse the same bodies with the same codes", async () => {
    const holders = [`/api/v1/users/${userId}/roles`, `/oauth2/v1/clients/${clientId}/roles`];
    const cases: [string, unknown, number, string | undefined][] = [
      ["standard", { type: "READ_ONLY_ADMIN" }, 0, undefined],
      ["duplicate", { type: "READ_ONLY_ADMIN" }, 409, "E0000090"],
      ["custom", { type: "CUSTOM", role: roleId, "resource-set": setId }, 0, undefined],
      ["unknown type", { type: "NOT_A_ROLE" }, 400, "E0000001"],
      [
        "resource_set spelling",
        { type: "CUSTOM", role: roleId, resource_set: setId },
        400,
        "E0000001",
      ],
      [
        "unknown role",
        { type: "CUSTOM", role: "cr0nothere", "resource-set": setId },
        400,
        "E0000001",
      ],
      [
        "unknown set",
        { type: "CUSTOM", role: roleId, "resource-set": "iamnothere" },
        400,
        "E0000001",
      ],
      ["no body", undefined, 400, "E0000003"],
    ];
    const seen: Record<string, unknown[]> = {};
    for (const base of holders) {
      for (const [name, body, status, code] of cases) {
        const r = await call("POST", base, body);
        (seen[name] ??= []).push(status ? [r.status, r.body.errorCode] : r.status < 300);
        if (status) expect([name, r.status, r.body.errorCode]).toEqual([name, status, code]);
      }
    }
    for (const [name, outcomes] of Object.entries(seen))
      expect([name, outcomes[0]]).toEqual([name, outcomes[1]]);
    // Created: 201 for a user, 200 for a client, as the spec documents each.
    const posts = org.requests().filter((r) => r.method === "POST" && r.status < 300);
    expect(
      posts.filter((r) => r.template.startsWith("/api/v1/users/")).map((r) => r.status),
    ).toEqual([201, 201]);
    expect(posts.filter((r) => r.template.startsWith("/oauth2/")).map((r) => r.status)).toEqual([
      200, 200,
    ]);
  });

  it("answer 404 for an unknown user, client or assignment, and keep each holder's apart", async () => {
    const mine = await call("GET", `/api/v1/users/${userId}/roles`);
    const first = (mine.body as unknown as { id: string }[])[0]?.id ?? "";
    expect(first).not.toBe("");
    for (const path of [
      `/api/v1/users/00unosuchuser0000000/roles`,
      `/oauth2/v1/clients/0oanosuchclient00000/roles`,
      `/api/v1/users/${userId}/roles/irbnosuchassignment0`,
      `/oauth2/v1/clients/${clientId}/roles/${first}`,
    ]) {
      const r = await call("GET", path);
      expect([path, r.status, r.body.errorCode]).toEqual([path, 404, "E0000007"]);
    }
    expect((await call("DELETE", `/oauth2/v1/clients/${clientId}/roles/${first}`)).status).toBe(
      404,
    );
    expect((await call("GET", `/api/v1/users/${userId}/roles/${first}`)).status).toBe(200);
  });

  it("need okta.roles.read to list and okta.roles.manage to assign", async () => {
    const reader = privateKeyClient(org, { scopes: ["okta.roles.read"], maxRetries: 0 });
    const listed = await reader.roleAssignmentApi.listAssignedRolesForUser({ userId });
    let count = 0;
    for await (const r of listed) if (r) count++;
    expect(count).toBe(2);
    const denied = await reader.roleAssignmentApi
      .assignRoleToUser({ userId, assignRoleRequest: { type: "REPORT_ADMIN" } as never })
      .then(
        () => undefined,
        (e: { status?: number; errorCode?: string }) => e,
      );
    expect(denied).toMatchObject({ status: 403, errorCode: "E0000006" });
    const usersOnly = privateKeyClient(org, { scopes: ["okta.users.read"], maxRetries: 0 });
    const refused = await usersOnly.roleAssignmentApi
      .getUserAssignedRole({ userId, roleId: "irbany" })
      .then(
        () => undefined,
        (e: { status?: number; errorCode?: string }) => e,
      );
    expect(refused).toMatchObject({ status: 403, errorCode: "E0000006" });
  });
});
