// import: an app made by hand in Okta becomes an integration file; the plan right after changes no
// setting (it only adopts the app, zone, custom role and resource set); apply takes ownership, and
// the plan is then empty. Nothing in Okta changes before the file is applied.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runImport } from "../../src/cli/commands/import.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { MARKER_KEY } from "../../src/reconcile/model.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, ownedCounts, Repo, startOrg } from "./harness.js";
import { publicJwk } from "./fixtures.js";

let org: LocalOrg;
let repo: Repo;
let appId: string;
const approved = ["--approved", "legacy-sync"];

/** An admin's call with the SDK in SSWS mode. */
async function admin<T>(method: string, p: string, body?: unknown): Promise<T> {
  const client = sswsClient(org);
  const request = {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  };
  const res = (await client.http.http(
    `${org.url}${p}`,
    request as Parameters<typeof client.http.http>[1],
  )) as unknown as { text(): Promise<string> };
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

beforeAll(async () => {
  org = await startOrg();
  repo = new Repo();
  const zone = await admin<{ id: string }>("POST", "/api/v1/zones", {
    type: "IP",
    name: "Legacy sync egress",
    gateways: [{ type: "CIDR", value: "198.51.100.7/32" }],
  });
  const role = await admin<{ id: string }>("POST", "/api/v1/iam/roles", {
    label: "Legacy reader",
    description: "Reads the legacy group",
    permissions: ["okta.users.read"],
  });
  const set = await admin<{ id: string }>("POST", "/api/v1/iam/resource-sets", {
    label: "Legacy group",
    description: "The legacy group",
    resources: [`${org.url}/api/v1/groups/${org.seed.group("legacy").id}/users`],
  });
  const app = await admin<{ id: string }>("POST", "/api/v1/apps", {
    name: "oidc_client",
    label: "Legacy Sync",
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
    settings: {
      oauthClient: {
        application_type: "service",
        grant_types: ["client_credentials"],
        response_types: ["token"],
        dpop_bound_access_tokens: true,
        jwks: { keys: [{ ...publicJwk("legacy-sync"), alg: "RS256", use: "sig" }] },
        network: { connection: "ZONE", include: [zone.id] },
      },
    },
  });
  appId = app.id;
  await admin("POST", `/api/v1/apps/${appId}/grants`, {
    issuer: org.url,
    scopeId: "okta.users.read",
  });
  await admin("POST", `/oauth2/v1/clients/${appId}/roles`, {
    type: "CUSTOM",
    role: role.id,
    "resource-set": set.id,
  });
  await admin("POST", "/api/v1/principal-rate-limits", {
    principalId: appId,
    principalType: "OAUTH_CLIENT",
    defaultPercentage: 30,
  });
});
afterAll(async () => {
  await org.close();
  repo.cleanup();
});

describe("import", () => {
  it("writes the file; the plan adopts and changes no setting; apply takes ownership", async () => {
    const before = JSON.stringify(org.state);
    const imported = await cli(
      runImport,
      [
        "Legacy Sync",
        "--name",
        "legacy-sync",
        "--owner",
        "@acme/legacy",
        "--purpose",
        "Mirrors the legacy group into the old HR tool",
        "--request",
        "https://tracker.example.com/ACCESS-9",
      ],
      repo,
      org,
    );
    expect(imported.code, imported.err).toBe(0);
    const text = readFileSync(path.join(repo.dir, "integrations", "legacy-sync.yaml"), "utf8");
    expect(text).toMatch(
      /^# okta-gitops import: app=0oa\w+ zone=nzo\w+ customRole=cr0\w+ resourceSet=iam\w+$/m,
    );
    expect(text).toContain("label: Legacy Sync");
    expect(text).toContain("percent: 30");

    // Taking ownership is an exception: without the Identity team's approval nothing is planned.
    const unapproved = await cli(runPlan, [], repo, org);
    expect(unapproved.code).toBe(1);
    expect(unapproved.err).toContain(
      "legacy-sync: refused, needs the Identity team's approval (adoption.requires-approval at integrations/legacy-sync.yaml:2)",
    );
    const plan = await cli(runPlan, ["--format", "json", ...approved], repo, org);
    expect(plan.code, plan.err).toBe(2);
    const ops = (
      JSON.parse(plan.out) as {
        operations: { id: string; action: string; patch: { path: string }[]; risks: string[] }[];
      }
    ).operations;
    expect(ops.map((o) => `${o.id} ${o.action}`)).toEqual([
      "legacy-sync/zone adopt",
      "legacy-sync/customRole adopt",
      "legacy-sync/resourceSet adopt",
      "legacy-sync/app adopt",
    ]);
    // Only the markers change: the zone's and the role's names, the descriptions; no setting.
    expect(ops.map((o) => o.patch.map((p) => p.path))).toEqual([
      ["/name"],
      ["/description", "/label"],
      ["/description", "/label"],
      [],
    ]);
    expect(ops.every((o) => o.risks.includes("adoption"))).toBe(true);
    // Importing and planning changed nothing in Okta.
    expect(JSON.stringify(org.state)).toBe(before);

    const applied = await cli(runApply, ["--yes", ...approved], repo, org);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(org.state.apps[appId]!.profile?.[MARKER_KEY]).toEqual({
      managedBy: "okta-gitops",
      integration: "legacy-sync",
    });
    expect(ownedCounts(org)).toEqual({
      "legacy-sync": {
        app: 1,
        grant: 1,
        role: 1,
        rateLimit: 1,
        zone: 1,
        customRole: 1,
        resourceSet: 1,
      },
    });
    const after = await cli(runPlan, approved, repo, org);
    expect(after.code, after.out).toBe(0);
  });

  it("refuses an app the bot already manages", async () => {
    const again = await cli(runImport, [appId, "--name", "other", "--force"], repo, org);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already managed by okta-gitops as legacy-sync");
  });
});
