// Adoption is a takeover: an import line, which anyone can write by hand, makes the bot rewrite
// existing Okta objects and delete them with the file. These tests play that attack against the
// local org over HTTP: adoption needs the Identity team's approval, refuses what is used outside
// the file and any zone but an IP allow list, and an integration with a conflict is left out
// whole. Each checks that Okta holds exactly what it held before, when the plan changed nothing.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { runValidate } from "../../src/cli/commands/validate.js";
import { sswsClient } from "../support/okta-sdk.js";
import { loadOktaSpec } from "../support/okta-spec.js";
import { cli, Repo, startOrg } from "./harness.js";
import { publicJwk, serviceApp } from "./fixtures.js";
import { DEFAULT_CONFIG } from "../../src/model/index.js";
import { desiredIntegration } from "../../src/reconcile/desired.js";
import type { ActualState } from "../../src/reconcile/model.js";
import { plan } from "../../src/reconcile/plan.js";

let org: LocalOrg;
let repo: Repo;

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
  )) as unknown as { status: number; text(): Promise<string> };
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A ServiceApp file whose first line is a hand-written import line. */
function writeWithImportLine(name: string, importLine: string): void {
  writeFileSync(
    path.join(repo.dir, "integrations", `${name}.yaml`),
    `# okta-gitops import: ${importLine}\n${stringify(serviceApp(name))}`,
  );
}

const zone = (name: string, usage: "POLICY" | "BLOCKLIST" = "POLICY") =>
  admin<{ id: string }>("POST", "/api/v1/zones", {
    type: "IP",
    name,
    usage,
    gateways: [{ type: "CIDR", value: "198.51.100.7/32" }],
  });

type PlanJson = {
  operations: {
    id: string;
    integration: string;
    action: string;
    reason?: string;
    risks: string[];
  }[];
  notes: string[];
};
const planJson = async (...argv: string[]) => {
  const p = await cli(runPlan, ["--format", "json", ...argv], repo, org);
  return { code: p.code, json: JSON.parse(p.out) as PlanJson, err: p.err };
};

/** Plans and applies with the integration approved; asserts both refuse and Okta is unchanged. */
async function refusedWithoutChange(name: string): Promise<PlanJson> {
  const before = JSON.stringify(org.state);
  const p = await planJson("--approved", name);
  expect(p.code, p.err).toBe(1);
  expect(p.json.operations.every((o) => o.action === "conflict")).toBe(true);
  expect(p.json.notes).toContain(
    `${name}: left out, it has a conflict (see the plan); nothing of it is changed`,
  );
  const applied = await cli(runApply, ["--yes", "--approved", name], repo, org);
  expect(applied.code, applied.out + applied.err).toBe(1);
  expect(JSON.stringify(org.state)).toBe(before);
  return p.json;
}

beforeAll(async () => {
  org = await startOrg({ log: { bodies: true, max: 100_000 } });
  repo = new Repo();
});
afterAll(async () => {
  await org.close();
  repo.cleanup();
});

describe("adoption needs the Identity team's approval", () => {
  it("flags a hand-written import line in validate (JSON, SARIF), refuses it unapproved, and plans adoptions first", async () => {
    const z = await zone("Partner egress");
    writeWithImportLine("partner-sync", `zone=${z.id}`);

    const io = {
      cwd: repo.dir,
      out: "",
      stdout: (s: string) => void (io.out += s),
      stderr: () => {},
      color: false,
      today: "2026-11-29",
    };
    expect(await runValidate(["--format", "json", "integrations/"], io)).toBe(0);
    const findings = (
      JSON.parse(io.out) as {
        findings: { rule: string; line: number; requiresApproval?: boolean; message: string }[];
      }
    ).findings.filter((f) => f.rule === "adoption.requires-approval");
    expect(findings).toMatchObject([{ line: 1, requiresApproval: true }]);
    expect(findings[0]!.message).toContain(`network zone ${z.id}`);
    io.out = "";
    await runValidate(["--format", "sarif", "integrations/"], io);
    const sarif = JSON.parse(io.out) as {
      runs: { results: { ruleId: string; properties?: { requiresApproval?: boolean } }[] }[];
    };
    expect(
      sarif.runs[0]!.results.find((r) => r.ruleId === "adoption.requires-approval")?.properties,
    ).toMatchObject({ requiresApproval: true });

    // Without the approval: refused, and Okta is left exactly as it was.
    const before = JSON.stringify(org.state);
    const unapproved = await planJson();
    expect(unapproved.code).toBe(1);
    expect(unapproved.json.operations.filter((o) => o.integration === "partner-sync")).toEqual([]);
    expect(unapproved.json.notes.join("\n")).toContain(
      "partner-sync: refused, needs the Identity team's approval (adoption.requires-approval at integrations/partner-sync.yaml:1)",
    );
    expect((await cli(runApply, ["--yes"], repo, org)).code).toBe(1);
    expect(JSON.stringify(org.state)).toBe(before);

    // Approved: the adoption is the first operation of the plan, flagged.
    const approved = await planJson("--approved", "partner-sync");
    expect(approved.code, approved.err).toBe(2);
    expect(approved.json.operations[0]).toMatchObject({ id: "partner-sync/zone", action: "adopt" });
    expect(approved.json.operations[0]!.risks).toContain("adoption");
    const applied = await cli(runApply, ["--yes", "--approved", "partner-sync"], repo, org);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(org.state.zones[z.id]!.name).toBe("okta-gitops/partner-sync");
    repo.remove("partner-sync");
    expect((await cli(runApply, ["--yes"], repo, org)).code).toBe(0);
  });
});

describe("adoption refuses what it must not take over", () => {
  it("refuses a BLOCKLIST zone", async () => {
    const z = await zone("Known bad addresses", "BLOCKLIST");
    writeWithImportLine("blocklist-grab", `zone=${z.id}`);
    const p = await refusedWithoutChange("blocklist-grab");
    expect(p.operations.map((o) => o.reason).join("\n")).toContain(
      `network zone "Known bad addresses" (${z.id}) is not adopted: it is a BLOCKLIST zone, and only IP allow-list zones are`,
    );
    expect(org.state.zones[z.id]).toMatchObject({
      name: "Known bad addresses",
      usage: "BLOCKLIST",
    });
    repo.remove("blocklist-grab");
  });

  it("refuses a zone another app, a sign-on policy rule or an API token uses", async () => {
    const byApp = await zone("Vendor app egress");
    const other = org.seed.app({
      name: "oidc_client",
      label: "Vendor portal",
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          jwks: { keys: [{ ...publicJwk("vendor-portal"), alg: "RS256", use: "sig" }] },
          network: { connection: "ZONE", include: [byApp.id] },
        },
      },
    });
    const byRule = await zone("Office network");
    const [policy] = await admin<{ id: string }[]>("GET", "/api/v1/policies?type=OKTA_SIGN_ON");
    const rule = await admin<{ id: string }>("POST", `/api/v1/policies/${policy!.id}/rules`, {
      type: "SIGN_ON",
      name: "Office sign-in",
      conditions: {
        network: { connection: "ZONE", include: [byRule.id] },
        people: { users: { include: [], exclude: [] }, groups: { include: [], exclude: [] } },
      },
      actions: { signon: { access: "ALLOW", requireFactor: false } },
    });
    const byToken = await zone("Connector egress");
    const owner = org.seed.user({ login: "svc-connector@acme.example" });
    const token = org.seed.apiToken({
      name: "connector",
      userId: owner.id,
      network: { connection: "ZONE", include: [byToken.id] },
    });

    for (const [name, z, use] of [
      ["app-zone-grab", byApp, `app "Vendor portal" (${other.id})`],
      ["rule-zone-grab", byRule, `policy rule "Office sign-in (policy`],
      ["token-zone-grab", byToken, `API token "connector" (${token.id})`],
    ] as const) {
      writeWithImportLine(name, `zone=${z.id}`);
      const p = await refusedWithoutChange(name);
      const reason = p.operations.find((o) => o.id === `${name}/zone/adoption`)?.reason ?? "";
      expect(reason).toContain("is not adopted: it is in use outside this file, by");
      expect(reason).toContain(use);
      repo.remove(name);
    }
    expect(org.state.policyRules[rule.id]).toBeDefined();
  });

  it("refuses a custom role and resource set assigned to a human admin, who keeps exactly that", async () => {
    const group = org.seed.group("finance");
    const human = org.seed.user({ login: "alice.admin@acme.example" });
    const role = await admin<{ id: string }>("POST", "/api/v1/iam/roles", {
      label: "Finance helpdesk",
      description: "Resets finance users",
      permissions: ["okta.users.read"],
    });
    const set = await admin<{ id: string }>("POST", "/api/v1/iam/resource-sets", {
      label: "Finance users",
      description: "The finance group",
      resources: [`${org.url}/api/v1/groups/${group.id}/users`],
    });
    await admin("POST", `/api/v1/users/${human.id}/roles`, {
      type: "CUSTOM",
      role: role.id,
      "resource-set": set.id,
    });
    writeWithImportLine("role-grab", `customRole=${role.id} resourceSet=${set.id}`);
    const heldBefore = JSON.stringify(org.state.iamRoles[role.id]);
    const p = await refusedWithoutChange("role-grab");
    const reasons = p.operations.map((o) => o.reason).join("\n");
    expect(reasons).toContain(
      `custom role "Finance helpdesk" (${role.id}) is not adopted: it is in use outside this file, by user "alice.admin@acme.example" (${human.id})`,
    );
    expect(reasons).toContain(
      `resource set "Finance users" (${set.id}) is not adopted: it is in use outside this file, by user "alice.admin@acme.example" (${human.id})`,
    );
    // The admin holds the same role, with the same permissions, as before.
    expect(JSON.stringify(org.state.iamRoles[role.id])).toBe(heldBefore);
    expect(Object.values(org.state.userRoles).filter((r) => r.userId === human.id)).toMatchObject([
      { type: "CUSTOM", role: role.id, resourceSet: set.id },
    ]);
    repo.remove("role-grab");
  });

  it("refuses a resource set that a group holds a role on", async () => {
    const admins = org.seed.group("helpdesk");
    const role = await admin<{ id: string }>("POST", "/api/v1/iam/roles", {
      label: "Helpdesk reader",
      description: "Reads users",
      permissions: ["okta.users.read"],
    });
    const set = await admin<{ id: string }>("POST", "/api/v1/iam/resource-sets", {
      label: "Helpdesk scope",
      description: "Everyone in helpdesk",
      resources: [`${org.url}/api/v1/groups/${admins.id}/users`],
    });
    await admin("POST", `/api/v1/groups/${admins.id}/roles`, {
      type: "CUSTOM",
      role: role.id,
      "resource-set": set.id,
    });
    writeWithImportLine("group-set-grab", `resourceSet=${set.id}`);
    const p = await refusedWithoutChange("group-set-grab");
    expect(p.operations.map((o) => o.reason).join("\n")).toContain(
      `resource set "Helpdesk scope" (${set.id}) is not adopted: it is in use outside this file, by group "helpdesk" (${admins.id})`,
    );
    repo.remove("group-set-grab");
  });
});

describe("an integration with a conflict", () => {
  it("is left out whole: its zone is not made for an app that conflicts, and the conflict names the app", async () => {
    const squatter = org.seed.app({
      name: "oidc_client",
      label: "ledger-sync",
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          jwks: { keys: [{ ...publicJwk("squatter"), alg: "RS256", use: "sig" }] },
        },
      },
    });
    repo.write("ledger-sync");
    const before = JSON.stringify(org.state);
    const p = await planJson();
    expect(p.code).toBe(1);
    expect(p.json.operations.filter((o) => o.integration === "ledger-sync")).toMatchObject([
      {
        id: "ledger-sync/app",
        action: "conflict",
        reason: `an app named "ledger-sync" (${squatter.id}) exists in Okta without the okta-gitops marker; import it (okta-gitops import ${squatter.id}) or rename one of them`,
      },
    ]);
    const text = await cli(runPlan, [], repo, org);
    expect(text.out).toContain("! app ledger-sync");
    expect(text.err).toContain(
      "ledger-sync: left out, it has a conflict (see the plan); nothing of it is changed",
    );
    const applied = await cli(runApply, ["--yes"], repo, org);
    expect(applied.code).toBe(1);
    expect(JSON.stringify(org.state)).toBe(before);
    expect(Object.values(org.state.zones).some((z) => z.name === "okta-gitops/ledger-sync")).toBe(
      false,
    );
    repo.remove("ledger-sync");
  });
});

describe("adoption of a zone Okta describes as DYNAMIC", () => {
  // The local org serves IP zones only, so this one is planned from the adapter's reading of it.
  it("is refused: only IP allow-list zones are adopted", () => {
    const d = desiredIntegration(serviceApp("geo-grab"), DEFAULT_CONFIG);
    const actual: ActualState = {
      integrations: new Map([
        [
          "geo-grab",
          {
            name: "geo-grab",
            grants: [],
            roles: [],
            zone: {
              id: "nzoDYN1",
              adopt: true,
              type: "DYNAMIC",
              usedBy: [],
              state: { name: "Countries", gateways: [], status: "ACTIVE" },
            },
          },
        ],
      ]),
      unowned: [],
      scope: "all",
    };
    const p = plan(new Map([["geo-grab", d]]), actual);
    expect(p.operations.map((o) => `${o.id} ${o.action}`)).toEqual([
      "geo-grab/zone/adoption conflict",
    ]);
    expect(p.operations[0]!.reason).toBe(
      'network zone "Countries" (nzoDYN1) is not adopted: it is a DYNAMIC zone, and only IP allow-list zones are',
    );
  });
});

describe("the reads an adoption makes", () => {
  it("match Okta's OpenAPI description, and reach bindings, policies, apps and tokens", () => {
    const spec = loadOktaSpec();
    const violations: string[] = [];
    const operations = new Set<string>();
    for (const r of org.requests()) {
      if (r.template === "/oauth2/v1/token") continue;
      operations.add(`${r.method} ${r.template}`);
      violations.push(
        ...spec.validateExchange({
          method: r.method,
          path: r.url,
          requestBody: r.requestBody,
          status: r.status,
          responseBody: r.responseBody,
        }),
      );
    }
    expect(violations).toEqual([]);
    for (const template of [
      "GET /api/v1/iam/resource-sets/{resourceSetId}/bindings",
      "GET /api/v1/iam/resource-sets/{resourceSetId}/bindings/{roleIdOrLabel}/members",
      "GET /api/v1/policies",
      "GET /api/v1/policies/{policyId}/rules",
      "GET /api/v1/api-tokens",
      "GET /api/v1/apps",
    ])
      expect(operations, template).toContain(template);
  });
});
