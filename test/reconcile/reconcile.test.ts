// plan, apply and drift against the local Okta org over HTTP, with the real SDK (PrivateKey + DPoP),
// through the CLI's entry points. Hand changes go through the SDK in SSWS mode, as an admin would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, ownedCounts, Repo, startOrg } from "./harness.js";
import { customRoleOn } from "./fixtures.js";

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

const plan = (...argv: string[]) => cli(runPlan, ["--format", "json", ...argv], repo, org);
const applyYes = (...argv: string[]) => cli(runApply, ["--yes", ...argv], repo, org);
const drift = (...argv: string[]) => cli(runDrift, argv, repo, org);
const ops = (out: string) =>
  (
    JSON.parse(out) as {
      operations: { id: string; integration: string; action: string; risks: string[] }[];
    }
  ).operations;

describe("plan, apply, drift against the local org", () => {
  it("applies new integrations, after which the plan is empty", async () => {
    repo.write("hr-sync", {
      role: customRoleOn(employees),
      network: { allow: ["203.0.113.10", "198.51.100.0/28"] },
    });
    repo.write("siem-reader", {
      scopes: ["okta.logs.read"],
      role: { standard: "READ_ONLY_ADMIN" },
    });
    const first = await plan();
    expect(first.code, first.out).toBe(2);
    expect(ops(first.out).filter((o) => o.action === "create")).toHaveLength(13);

    const applied = await applyYes();
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toContain("Applied 13 of 13 operations");
    expect(ownedCounts(org)).toEqual({
      "hr-sync": {
        app: 1,
        grant: 2,
        role: 1,
        rateLimit: 1,
        zone: 1,
        customRole: 1,
        resourceSet: 1,
      },
      "siem-reader": { app: 1, grant: 1, role: 1, rateLimit: 1, zone: 1 },
    });

    const again = await plan();
    expect(again.code, again.err).toBe(0);
    expect(ops(again.out)).toEqual([]);
    const text = await cli(runApply, ["--yes"], repo, org);
    expect(text.code).toBe(0);
    expect(text.out).toContain("No changes");
  });

  it("plans exactly the grant of one changed scope, and applies it", async () => {
    repo.write("siem-reader", {
      scopes: ["okta.logs.read", "okta.apps.read"],
      role: { standard: "READ_ONLY_ADMIN" },
    });
    const p = await plan();
    expect(p.code, p.err + p.out).toBe(2);
    expect(ops(p.out).map((o) => `${o.id} ${o.action}`)).toEqual([
      "siem-reader/grant/okta.apps.read create",
    ]);
    // A pull request's plan reads only the integration it changes.
    const only = await plan("--only", "siem-reader");
    expect(ops(only.out).map((o) => o.id)).toEqual(["siem-reader/grant/okta.apps.read"]);

    expect((await applyYes()).code).toBe(0);
    expect((await plan()).code).toBe(0);
  });

  it("reports a field changed by hand in Okta, corrects it, and the plan is empty again", async () => {
    const admin = sswsClient(org);
    const appId = Object.values(org.state.apps).find((a) => a.label === "hr-sync")!.id;
    const app = await admin.applicationApi.getApplication({ appId });
    (
      app as unknown as { settings: { oauthClient: { dpop_bound_access_tokens: boolean } } }
    ).settings.oauthClient.dpop_bound_access_tokens = false;
    await admin.applicationApi.replaceApplication({ appId, application: app });
    const zone = Object.values(org.state.zones).find((z) => z.name === "okta-gitops/hr-sync")!;
    const z = await admin.networkZoneApi.getNetworkZone({ zoneId: zone.id });
    (z as unknown as { gateways: { type: string; value: string }[] }).gateways.push({
      type: "CIDR",
      value: "0.0.0.0/0",
    });
    await admin.networkZoneApi.replaceNetworkZone({ zoneId: zone.id, zone: z });

    const found = await drift();
    expect(found.code, found.err).toBe(2);
    expect(found.out).toContain(
      "hr-sync: app hr-sync: dpop: Okta has false, the repository says true",
    );
    expect(found.out).toContain(
      "hr-sync: zone okta-gitops/hr-sync: gateways: Okta has [0.0.0.0/0, 198.51.100.0/28, 203.0.113.10/32], the repository says [198.51.100.0/28, 203.0.113.10/32]",
    );
    expect(found.out).toContain("2 differences");

    const fixed = await drift("--correct");
    expect(fixed.code, fixed.out + fixed.err).toBe(0);
    expect((await drift()).code).toBe(0);
    expect((await plan()).code).toBe(0);
    expect(org.state.apps[appId]!.dpop).toBe(true);
  });

  it("reports an unowned app with the wanted label as a conflict and leaves it untouched", async () => {
    const admin = sswsClient(org);
    const before = org.seed.app({
      name: "oidc_client",
      label: "payroll-export",
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          dpop_bound_access_tokens: false,
          jwks: {
            keys: [
              {
                kty: "EC",
                kid: "x",
                crv: "P-256",
                x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
              },
            ],
          },
        },
      },
    });
    const snapshot = JSON.stringify(
      await admin.applicationApi.getApplication({ appId: before.id }),
    );
    repo.write("payroll-export");

    const p = await plan();
    expect(p.code).toBe(1);
    const conflict = ops(p.out).find((o) => o.action === "conflict")!;
    expect(conflict.id).toBe("payroll-export/app");
    // Nothing of the integration is planned: neither its zone nor its grants.
    expect(
      ops(p.out)
        .filter((o) => o.integration === "payroll-export")
        .map((o) => `${o.id} ${o.action}`),
    ).toEqual(["payroll-export/app conflict"]);
    expect((JSON.parse(p.out) as { notes: string[] }).notes).toContain(
      "payroll-export: left out, it has a conflict (see the plan); nothing of it is changed",
    );

    const a = await applyYes();
    expect(a.code).toBe(1);
    const after = JSON.stringify(await admin.applicationApi.getApplication({ appId: before.id }));
    expect(after).toBe(snapshot);
    expect(ownedCounts(org)["payroll-export"]).toBeUndefined();
    repo.remove("payroll-export");
  });

  it("holds the deletion guard, then deletes what removed files owned when confirmed", async () => {
    repo.config("bot:\n  deletionGuard:\n    maxDeletions: 1\n");
    repo.remove("hr-sync");
    repo.remove("siem-reader");
    // A pull request's plan of a removal reads that integration alone and shows its deletion.
    const pr = await plan("--only", "hr-sync");
    expect(ops(pr.out).map((o) => `${o.id} ${o.action}`)).toEqual([
      "hr-sync/app delete",
      "hr-sync/resourceSet delete",
      "hr-sync/customRole delete",
      "hr-sync/zone delete",
    ]);
    const refused = await applyYes();
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("deletes 2 integrations");
    expect(Object.keys(ownedCounts(org)).sort()).toEqual(["hr-sync", "siem-reader"]);

    const confirmed = await applyYes("--confirm-deletions");
    expect(confirmed.code, confirmed.out + confirmed.err).toBe(0);
    expect(ownedCounts(org)).toEqual({});
    expect(Object.values(org.state.apps).some((a) => a.label === "payroll-export")).toBe(true);
  });
});
