// Resources must exist, checked at plan time: a resource set the plan creates or changes may name
// only groups and apps that are in Okta; a missing one makes that integration's plan an error at
// the resource's line, and apply refuses it. A plan with nothing to do, and the drift read, look
// nothing up.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import type { Plan } from "../../src/reconcile/model.js";
import { canonicalResource } from "../../src/reconcile/normalise.js";
import { namedObject, resourcesToCheck } from "../../src/reconcile/resources.js";
import { customRoleOn } from "./fixtures.js";
import { cli, ownedCounts, Repo, startOrg } from "./harness.js";

describe("which resources name one object", () => {
  it("reads the short form, Okta's URL and Okta's ORN alike", () => {
    const named = (ref: string) => namedObject(canonicalResource(ref));
    expect(named("groups/00gA1b2C3d4")).toEqual({ type: "group", id: "00gA1b2C3d4" });
    expect(named("groups/00gA1b2C3d4/users")).toEqual({ type: "group", id: "00gA1b2C3d4" });
    expect(named("https://acme.okta.com/api/v1/groups/00gA1b2C3d4/users")).toEqual({
      type: "group",
      id: "00gA1b2C3d4",
    });
    expect(named("orn:okta:directory:00o1:groups:00gA1b2C3d4:contained_resources")).toEqual({
      type: "group",
      id: "00gA1b2C3d4",
    });
    expect(named("apps/0oaX1y2Z3w4")).toEqual({ type: "app", id: "0oaX1y2Z3w4" });
    expect(named("orn:okta:idp:00o1:apps:oidc_client:0oaX1y2Z3w4")).toEqual({
      type: "app",
      id: "0oaX1y2Z3w4",
    });
    // Whole collections and app types name no one object.
    for (const ref of ["users", "groups", "apps", "apps/oidc_client", "orn:okta:idp:00o1:apps"])
      expect(named(ref), ref).toBeUndefined();
  });

  it("looks only at resource sets that are created, changed or adopted", () => {
    const set = (action: string, resources: string[]) => ({
      id: `x/resourceSet`,
      integration: action,
      kind: "resourceSet",
      action,
      after: { label: "l", description: "d", resources },
      risks: [],
      dependsOn: [],
    });
    const p = {
      integrations: [],
      operations: [
        set("create", ["groups/00g1", "users"]),
        set("update", ["apps/0oa12345678"]),
        set("delete", ["groups/00g2"]),
        set("conflict", ["groups/00g3"]),
      ],
    } as unknown as Plan;
    expect(Object.fromEntries(resourcesToCheck(p))).toEqual({
      create: ["groups/00g1"],
      update: ["apps/0oa12345678"],
    });
  });
});

describe("resources must exist (against the local org)", () => {
  let org: LocalOrg;
  let repo: Repo;
  let employees: string;
  beforeAll(async () => {
    org = await startOrg();
    repo = new Repo();
    employees = org.seed.group("employees").id;
  });
  afterAll(async () => {
    await org.close();
    repo.cleanup();
  });
  const groupReads = () =>
    Object.entries(org.counters())
      .filter(([k]) => k === "GET /api/v1/groups/{groupId}" || k === "GET /api/v1/apps/{appId}")
      .reduce((n, [, c]) => n + c.calls, 0);

  it("refuses the integration whose resource names a missing group, at its line", async () => {
    repo.write("hr-sync", { role: customRoleOn(employees) });
    repo.write("ghost-sync", { role: customRoleOn("00gNoSuchGroup0000x") });
    const file = path.join(repo.dir, "integrations", "ghost-sync.yaml");
    const line =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("groups/00gNoSuchGroup0000x")) + 1;

    const p = await cli(runPlan, [], repo, org);
    expect(p.code).toBe(1);
    expect(p.err).toMatch(
      new RegExp(
        `integrations/ghost-sync\\.yaml:${line}:\\d+: error: groups/00gNoSuchGroup0000x names group 00gNoSuchGroup0000x, which is not in Okta.*\\(resources\\.exist\\)`,
      ),
    );
    expect(p.out).toContain("hr-sync");
    // Nothing of it is planned, and the summary names it as refused.
    expect(p.out).not.toMatch(/^ghost-sync$/m);
    expect(p.out).toContain("1 refused (ghost-sync; see the notes).");

    const json = await cli(runPlan, ["--format", "json"], repo, org);
    const parsed = JSON.parse(json.out) as {
      operations: { integration: string }[];
      findings: { rule: string; integration: string; line: number }[];
    };
    expect(parsed.operations.some((o) => o.integration === "ghost-sync")).toBe(false);
    expect(parsed.findings.map((f) => [f.rule, f.integration, f.line])).toEqual([
      ["resources.exist", "ghost-sync", line],
      ["resources.exist", "ghost-sync", line + 1],
    ]);

    // Apply fails closed: the other integration is applied, nothing of ghost-sync is made.
    const a = await cli(runApply, ["--yes"], repo, org);
    expect(a.code).toBe(1);
    expect(a.err).toContain("ghost-sync: refused, its resource set names objects");
    expect(Object.keys(ownedCounts(org))).toEqual(["hr-sync"]);

    // With the group corrected to one in Okta, it is applied and the plan is empty.
    repo.write("ghost-sync", { role: customRoleOn(employees) });
    expect((await cli(runApply, ["--yes"], repo, org)).code).toBe(0);
    expect(Object.keys(ownedCounts(org)).sort()).toEqual(["ghost-sync", "hr-sync"]);
  });

  it("looks nothing up for a plan with nothing to do, or for the drift read", async () => {
    org.resetCounters();
    expect((await cli(runPlan, [], repo, org)).code).toBe(0);
    expect((await cli(runApply, ["--yes"], repo, org)).code).toBe(0);
    expect(groupReads()).toBe(0);

    // A changed resource set is drift; reading it looks nothing up, correcting it does (and
    // refuses the correction, since the group is not in Okta).
    repo.write("ghost-sync", {
      role: {
        custom: { ...customRoleOn(employees).custom, resources: ["groups/00gGone000000000x"] },
      },
    });
    org.resetCounters();
    const d = await cli(runDrift, [], repo, org);
    expect(d.code).toBe(2);
    expect(groupReads()).toBe(0);
    const corrected = await cli(runDrift, ["--correct"], repo, org);
    expect(corrected.code).toBe(1);
    expect(corrected.err).toContain("(resources.exist)");
    expect(groupReads()).toBe(1);
    const set = Object.values(org.state.resourceSets).find(
      (s) => s.label === "okta-gitops/ghost-sync",
    )!;
    expect(JSON.stringify(set.resources)).toContain(employees);
    expect(JSON.stringify(set.resources)).not.toContain("00gGone");
  });
});
