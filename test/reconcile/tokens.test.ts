// An ApiTokenException against the local org: the registered token gets the bot's marker (its
// name), the integration's zone as its network and its rate share; the plan is then empty; a
// removed file revokes the token and removes the zone, under the deletion guard.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, Repo, startOrg } from "./harness.js";
import { tokenException, type TokenExceptionOptions } from "./fixtures.js";

let org: LocalOrg;
let repo: Repo;
let tokenId: string;
let accountId: string;
let payrollGroup: string;

/** Writes the exception registering `token` (role: standard READ_ONLY_ADMIN unless given). */
function writeException(
  name: string,
  token: string,
  percent: number,
  login = "svc-payroll",
  role?: TokenExceptionOptions["role"],
): void {
  repo.writeDoc(tokenException(name, token, { percent, login, ...(role ? { role } : {}) }));
}

beforeAll(async () => {
  org = await startOrg();
  repo = new Repo();
  const account = org.seed.user({ login: "svc-payroll@acme.example" });
  accountId = account.id;
  payrollGroup = org.seed.group("payroll").id;
  tokenId = org.seed.apiToken({ name: "payroll connector", userId: account.id }).id;
});
afterAll(async () => {
  await org.close();
  repo.cleanup();
});

const approved = ["--approved", "legacy-payroll"];

describe("API token exceptions", () => {
  it("marks the registered token and puts it behind its zone and rate share", async () => {
    writeException("legacy-payroll", tokenId, 10);
    const refused = await cli(runPlan, [], repo, org);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("legacy-payroll: refused, needs the Identity team's approval");

    const p = await cli(runPlan, ["--format", "json", ...approved], repo, org);
    expect(p.code, p.err).toBe(2);
    const ops = (JSON.parse(p.out) as { operations: { id: string; action: string }[] }).operations;
    expect(ops.map((o) => `${o.id} ${o.action}`)).toEqual([
      "(service accounts)/loginGroup create",
      "(service accounts)/loginRule create",
      "legacy-payroll/zone create",
      "legacy-payroll/token adopt",
      "legacy-payroll/rateLimit create",
      "legacy-payroll/roleAssignment create",
      "legacy-payroll/loginBlock create",
    ]);
    const applied = await cli(runApply, ["--yes", ...approved], repo, org);
    expect(applied.code, applied.out + applied.err).toBe(0);

    const token = org.state.apiTokens[tokenId]!;
    const zone = Object.values(org.state.zones).find(
      (z) => z.name === "okta-gitops/legacy-payroll",
    )!;
    expect(token.name).toBe("okta-gitops/legacy-payroll");
    expect(token.network).toEqual({ connection: "ZONE", include: [zone.id] });
    expect(
      Object.values(org.state.principalRateLimits).filter((r) => r.principalId === tokenId),
    ).toMatchObject([{ principalType: "SSWS_TOKEN", defaultPercentage: 10 }]);
    // The service account is in the group that the default sign-on policy denies.
    const group = Object.values(org.state.groups).find(
      (g) => g.profile.name === "okta-gitops/no-interactive-login",
    )!;
    expect(group.members).toEqual([token.userId]);
    const rule = Object.values(org.state.policyRules).find(
      (r) => r.name === "okta-gitops/deny-interactive-login",
    )!;
    expect(rule).toMatchObject({
      conditions: { people: { groups: { include: [group.id] } } },
      actions: { signon: { access: "DENY" } },
    });
    // The service account holds its admin role, and that one alone.
    const rolesOf = (userId: string) =>
      Object.values(org.state.userRoles)
        .filter((r) => r.userId === userId)
        .map((r) => ({ type: r.type, role: r.role, resourceSet: r.resourceSet }));
    expect(rolesOf(accountId)).toEqual([{ type: "READ_ONLY_ADMIN" }]);
    expect((await cli(runPlan, approved, repo, org)).code).toBe(0);

    // Someone opens the token to any network by hand: drift finds it and puts the zone back.
    const admin = sswsClient(org);
    await admin.http.http(`${org.url}/api/v1/api-tokens/${tokenId}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ network: { connection: "ANYWHERE" } }),
    } as Parameters<typeof admin.http.http>[1]);
    const found = await cli(runDrift, approved, repo, org);
    expect(found.code).toBe(2);
    expect(found.out).toContain(
      `legacy-payroll: API token ${tokenId} okta-gitops/legacy-payroll: network/connection: Okta has "ANYWHERE", the repository says "ZONE"`,
    );
    expect((await cli(runDrift, ["--correct", ...approved], repo, org)).code).toBe(0);
    expect(org.state.apiTokens[tokenId]!.network).toEqual({
      connection: "ZONE",
      include: [zone.id],
    });

    // An admin role added to the service account by hand is drift, and is taken away.
    await admin.http.http(`${org.url}/api/v1/users/${accountId}/roles`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ type: "USER_ADMIN" }),
    } as Parameters<typeof admin.http.http>[1]);
    const extra = await cli(runDrift, approved, repo, org);
    expect(extra.code).toBe(2);
    expect(extra.out).toContain("legacy-payroll: role USER_ADMIN: (not in the repository)");
    expect((await cli(runDrift, ["--correct", ...approved], repo, org)).code).toBe(0);
    expect(rolesOf(accountId)).toEqual([{ type: "READ_ONLY_ADMIN" }]);

    // A custom role on one group: its role and resource set are made and replace the standard role.
    const custom = {
      custom: {
        permissions: ["okta.users.read"],
        resources: [`groups/${payrollGroup}/users`],
      },
    };
    writeException("legacy-payroll", tokenId, 10, "svc-payroll", custom);
    const toCustom = await cli(runPlan, ["--format", "json", ...approved], repo, org);
    expect(
      (JSON.parse(toCustom.out) as { operations: { id: string; action: string }[] }).operations.map(
        (o) => `${o.id} ${o.action}`,
      ),
    ).toEqual([
      "legacy-payroll/customRole create",
      "legacy-payroll/resourceSet create",
      "legacy-payroll/roleAssignment update",
    ]);
    expect((await cli(runApply, ["--yes", ...approved], repo, org)).code).toBe(0);
    const role = Object.values(org.state.iamRoles).find(
      (r) => r.label === "okta-gitops/legacy-payroll",
    )!;
    const set = Object.values(org.state.resourceSets).find(
      (r) => r.label === "okta-gitops/legacy-payroll",
    )!;
    expect(rolesOf(accountId)).toEqual([{ type: "CUSTOM", role: role.id, resourceSet: set.id }]);
    expect((await cli(runPlan, approved, repo, org)).code).toBe(0);

    // A pull request's plan of the exception alone reads it by the token's id (and its custom
    // role and resource set by label).
    writeException("legacy-payroll", tokenId, 5, "svc-payroll", custom);
    const pr = await cli(
      runPlan,
      ["--format", "json", "--only", "legacy-payroll", ...approved],
      repo,
      org,
    );
    expect(
      (JSON.parse(pr.out) as { operations: { id: string }[] }).operations.map((o) => o.id),
    ).toEqual(["legacy-payroll/rateLimit"]);
    writeException("legacy-payroll", tokenId, 10, "svc-payroll", custom);
  });

  it("says when the registered token does not exist, and prepares its zone", async () => {
    writeException("legacy-hr", "00Tnotthere0000000x", 10, "svc-hr");
    const p = await cli(runPlan, ["--approved", "legacy-payroll,legacy-hr"], repo, org);
    expect(p.err).toContain("legacy-hr: API token 00Tnotthere0000000x is not in Okta");
    expect(p.out).toContain("+ zone okta-gitops/legacy-hr");
    repo.remove("legacy-hr");
  });

  it("revokes the token and removes its zone when the file is removed", async () => {
    repo.remove("legacy-payroll");
    const p = await cli(runApply, ["--yes"], repo, org);
    expect(p.code, p.out + p.err).toBe(0);
    expect(p.out).toContain("- API token");
    expect(org.state.apiTokens[tokenId]).toBeUndefined();
    // Its custom role and resource set go with it, unassigned from the service account first.
    expect(Object.values(org.state.userRoles).filter((r) => r.userId === accountId)).toEqual([]);
    expect(
      [...Object.values(org.state.iamRoles), ...Object.values(org.state.resourceSets)].some(
        (r) => r.label === "okta-gitops/legacy-payroll",
      ),
    ).toBe(false);
    expect(
      Object.values(org.state.zones).some((z) => z.name === "okta-gitops/legacy-payroll"),
    ).toBe(false);
  });
});
