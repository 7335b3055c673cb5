// The policy judges the resource exactly as it would be sent: a form that the old reader passed
// and then sent as something broader (apps/../users resolves to /api/v1/users; a trailing colon
// made an ORN plain `users`) is refused by plan and apply, and nothing reaches Okta.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { cli, ownedCounts, Repo, startOrg } from "./harness.js";

let org: LocalOrg;
let repo: Repo;
let employees: string;

beforeAll(async () => {
  org = await startOrg();
  repo = new Repo();
  employees = org.seed.group("employees").id;
});
afterAll(async () => {
  await org?.close();
  repo?.cleanup();
});

const roleWith = (resource: string) => ({
  custom: {
    permissions: ["okta.users.read", "okta.groups.read"],
    resources: [`groups/${employees}`, resource],
  },
});

describe("resource forms the reconciler would send as something else", () => {
  it.each([
    ["apps/../users", "resources.invalid"],
    ["orn:okta:directory:00o1:users:", "resources.invalid"],
    ["apps/oidc_client", "resources.org-wide"],
  ])("%s is refused by plan and apply (%s), and Okta is unchanged", async (resource, rule) => {
    repo.write("wide-reader", { role: roleWith(resource) });
    const before = JSON.stringify(ownedCounts(org));
    const p = await cli(runPlan, [], repo, org);
    expect(p.code, p.out + p.err).toBe(1);
    // Named with the rule and the resource's line (the second resource of the list).
    expect(p.err).toContain(rule);
    expect(p.err).toMatch(/integrations\/wide-reader\.yaml:\d+/);
    const a = await cli(runApply, ["--yes"], repo, org);
    expect(a.code, a.out + a.err).toBe(1);
    expect(JSON.stringify(ownedCounts(org))).toBe(before);
    expect(Object.values(org.state.resourceSets).some((s) => s.label.includes("wide-reader"))).toBe(
      false,
    );
  });
});
