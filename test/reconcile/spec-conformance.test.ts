// Every request the reconciler sends to Okta, and every answer it relies on, checked against
// Okta's own OpenAPI description: a whole life cycle (create, change, drift correction, API token
// exception, removal) runs through the CLI against the local org, whose request log keeps the
// bodies, and each exchange is validated with the spec in spec/okta.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { loadOAuthSpec, loadOktaSpec } from "../support/okta-spec.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, Repo, startOrg } from "./harness.js";
import { tokenException } from "./fixtures.js";

let org: LocalOrg;
let repo: Repo;
let groupId: string;
let tokenId: string;

beforeAll(async () => {
  org = await startOrg({ log: { bodies: true, max: 100_000 } });
  repo = new Repo();
  groupId = org.seed.group("Employees").id;
  const account = org.seed.user({ login: "svc-payroll@acme.example" });
  tokenId = org.seed.apiToken({ name: "payroll connector", userId: account.id }).id;
});
afterAll(async () => {
  await org.close();
  repo.cleanup();
});

const approved = ["--approved", "all"];
const apply = () => cli(runApply, ["--yes", "--confirm-deletions", ...approved], repo, org);

describe("the reconciler's exchanges with Okta", () => {
  it("run a whole life cycle", async () => {
    repo.write("hr-sync", {
      role: {
        custom: {
          permissions: ["okta.users.read", "okta.groups.read"],
          resources: [`groups/${groupId}`, `groups/${groupId}/users`],
        },
      },
    });
    repo.write("siem-reader", { scopes: ["okta.logs.read"], role: { standard: "REPORT_ADMIN" } });
    repo.writeDoc(tokenException("legacy-payroll", tokenId));
    expect((await apply()).code).toBe(0);

    // A change of scope, network and rate share.
    repo.write("siem-reader", {
      scopes: ["okta.logs.read", "okta.users.read"],
      role: { standard: "READ_ONLY_ADMIN" },
      network: { allow: ["198.51.100.7/32"] },
      rateLimit: { percent: 10 },
    });
    expect((await apply()).code).toBe(0);

    // A hand change in Okta, found and put back.
    const admin = sswsClient(org);
    const app = Object.values(org.state.apps).find((a) => a.label === "hr-sync")!;
    const current = await admin.applicationApi.getApplication({ appId: app.id });
    // The SDK types getApplication as the base Application, without an OIDC app's settings.
    const { settings } = current as unknown as {
      settings: { oauthClient: { dpop_bound_access_tokens?: boolean } };
    };
    settings.oauthClient.dpop_bound_access_tokens = false;
    await admin.applicationApi.replaceApplication({ appId: app.id, application: current });
    expect((await cli(runDrift, ["--correct", ...approved], repo, org)).code).toBe(0);

    // Removal of every integration.
    repo.remove("hr-sync");
    repo.remove("siem-reader");
    repo.remove("legacy-payroll");
    expect((await apply()).code).toBe(0);
    expect((await cli(runPlan, approved, repo, org)).code).toBe(0);
  });

  it("match Okta's OpenAPI description, with no violation", () => {
    const spec = loadOktaSpec();
    const oauth = loadOAuthSpec();
    const operations = new Set<string>();
    const violations: string[] = [];
    let checked = 0;
    for (const r of org.requests()) {
      // Only what the reconciler sent: the hand change above went through the admin's SSWS token.
      if (r.principal === org.credentials.sswsTokenId) continue;
      checked++;
      if (r.template === "/oauth2/v1/token") {
        // oauth.yaml's token_type enum lacks DPoP, which Okta answers for DPoP-bound tokens (RFC
        // 9449 §5): that one gap is not the reconciler's.
        const dpop = (r.responseBody as { token_type?: string } | undefined)?.token_type === "DPoP";
        violations.push(
          ...oauth
            .validateExchange({
              method: r.method,
              path: r.url,
              status: r.status,
              responseBody: r.responseBody,
            })
            .filter((m) => !(dpop && m.includes("token_type must be equal to one of"))),
        );
        continue;
      }
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
    console.log(
      `reconciler exchanges checked against Okta's spec: ${checked}, operations: ${operations.size}, violations: ${violations.length}`,
    );
    expect(violations).toEqual([]);
    // The life cycle reaches every kind of object the bot owns: apps, grants, client roles,
    // custom roles, resource sets, zones, rate limits, API tokens, groups and the sign-on policy.
    for (const template of [
      "POST /api/v1/apps",
      "PUT /api/v1/apps/{appId}",
      "POST /api/v1/apps/{appId}/grants",
      "POST /oauth2/v1/clients/{clientId}/roles",
      "POST /api/v1/iam/roles",
      "POST /api/v1/iam/resource-sets",
      "POST /api/v1/zones",
      "POST /api/v1/principal-rate-limits",
      "PUT /api/v1/api-tokens/{apiTokenId}",
      "POST /api/v1/users/{userId}/roles",
      "DELETE /api/v1/apps/{appId}",
    ]) {
      expect(operations, template).toContain(template);
    }
  });
});
