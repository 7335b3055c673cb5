// The bot's own access, with admin roles enforced by the local org: it runs as SUPER_ADMIN (Okta
// lets only a super admin assign admin roles and manage custom roles and resource sets), its own
// file says so as the written exception superAdmin, and no other integration ever gets SUPER_ADMIN,
// not even one that .okta-gitops.yml names as the bot's when Okta says the bot is another app.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import type { LocalOrg } from "../../src/local-org/index.js";
import { rolesOf } from "../../src/local-org/index.js";
import { cli, ownedCounts, Repo, startOrg } from "./harness.js";

let org: LocalOrg;
const repos: Repo[] = [];
// A new org for each case: a repository's apply deletes what an earlier case's repository made.
beforeEach(async () => {
  org = await startOrg();
});
afterEach(async () => {
  await org.close();
});
afterAll(() => {
  for (const r of repos) r.cleanup();
});
const newRepo = () => {
  const r = new Repo();
  repos.push(r);
  return r;
};

const SUPER_ADMIN_REASON =
  "Only a super admin assigns admin roles to apps and service accounts in Okta, so the bot needs it";

describe("the bot's role", () => {
  it("holds SUPER_ADMIN only, and with it reconciles custom roles, resource sets and role assignments", async () => {
    const repo = newRepo();
    const group = org.seed.group("bot-role-employees");
    repo.write("bot-role-custom", {
      role: {
        custom: {
          permissions: ["okta.users.read", "okta.groups.read"],
          resources: [`groups/${group.id}`, `groups/${group.id}/users`],
        },
      },
    });
    repo.write("bot-role-standard", {});
    const applied = await cli(runApply, ["--yes"], repo, org);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(ownedCounts(org)["bot-role-custom"]).toMatchObject({
      customRole: 1,
      resourceSet: 1,
      role: 1,
    });
    expect(
      rolesOf(org.state, { type: "OAUTH_CLIENT", id: org.credentials.clientId }).map((r) => r.type),
    ).toEqual(["SUPER_ADMIN"]);
  }, 60_000);

  it("a bot without SUPER_ADMIN is refused by Okta when it assigns roles: the role is needed", async () => {
    const repo = newRepo();
    repo.write("bot-role-needs-super", {});
    const own = Object.values(org.state.clientRoles).find(
      (r) => r.clientId === org.credentials.clientId,
    )!;
    // The bot as an ORG_ADMIN: everything but admin roles.
    own.type = "ORG_ADMIN";
    try {
      const applied = await cli(runApply, ["--yes"], repo, org);
      expect(applied.code).toBe(1);
      expect(applied.out + applied.err).toMatch(/E0000006 You do not have permission/);
    } finally {
      own.type = "SUPER_ADMIN";
    }
  }, 60_000);

  it("refuses SUPER_ADMIN for the integration .okta-gitops.yml names as the bot's when Okta's bot app is another", async () => {
    const repo = newRepo();
    repo.config("bot:\n  integration: impostor\n");
    repo.write("impostor", {
      role: { standard: "SUPER_ADMIN" },
      exceptions: { superAdmin: SUPER_ADMIN_REASON },
    });
    // Approved by the Identity team, even: Okta says the bot is another app.
    const planned = await cli(runPlan, ["--approved", "impostor"], repo, org);
    expect(planned.code).toBe(1);
    expect(planned.out + planned.err).toContain("role.super-admin");
    expect(planned.out + planned.err).toMatch(
      /impostor: refused, SUPER_ADMIN is only for the bot's own app/,
    );
    const applied = await cli(runApply, ["--yes", "--approved", "impostor"], repo, org);
    expect(applied.code).toBe(1);
    expect(ownedCounts(org).impostor).toBeUndefined();
    const superAdmins = Object.values(org.state.clientRoles).filter(
      (r) => r.type === "SUPER_ADMIN",
    );
    expect(superAdmins.map((r) => r.clientId)).toEqual([org.credentials.clientId]);
  }, 60_000);
});
