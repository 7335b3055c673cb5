import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/model/index.js";
import { desiredIntegration, desiredState } from "../../src/reconcile/desired.js";
import type {
  ActualIntegration,
  ActualState,
  DesiredIntegration,
} from "../../src/reconcile/model.js";
import { plan, removedIntegrations } from "../../src/reconcile/plan.js";
import { canonicalGateway, canonicalResource } from "../../src/reconcile/normalise.js";
import { renderPlan, planToJson } from "../../src/reconcile/render/index.js";
import { customRole, serviceApp, type SpecOverrides } from "./fixtures.js";

const desired = (name: string, spec: SpecOverrides = {}) =>
  desiredIntegration(serviceApp(name, spec), DEFAULT_CONFIG);

/** What Okta would hold right after applying `d`, read back in canonical form. */
function appliedActual(d: DesiredIntegration): ActualIntegration {
  return {
    name: d.name,
    zone: { id: "nzo1", state: d.zone },
    app: { id: "0oa1", clientId: "0oa1", state: d.app, raw: {} },
    grants: d.scopes.map((scope, i) => ({ id: `oag${i}`, scope })),
    roles: [{ id: "irb1", state: d.role }],
    ...(d.customRole ? { customRole: { id: "cr01", state: d.customRole } } : {}),
    ...(d.resourceSet
      ? { resourceSet: { id: "iam1", state: d.resourceSet, resourceIds: {} } }
      : {}),
    rateLimit: { id: "0lr1", percent: d.rateLimitPercent },
  };
}

const state = (list: ActualIntegration[], extra: Partial<ActualState> = {}): ActualState => ({
  integrations: new Map(list.map((a) => [a.name, a])),
  unowned: [],
  scope: "all",
  ...extra,
});

const only = (d: DesiredIntegration) => new Map([[d.name, d]]);

describe("normalisation", () => {
  it("gives Okta's forms of addresses and resources one canonical form", () => {
    expect(canonicalGateway("203.0.113.10")).toBe("203.0.113.10/32");
    expect(canonicalGateway("2001:db8:0:0::1/128")).toBe("2001:db8::1/128");
    expect(canonicalGateway("198.51.100.1 - 198.51.100.9")).toBe("198.51.100.1-198.51.100.9");
    const short = "groups/00g1hr000000000000/users";
    expect(canonicalResource(short)).toBe(short);
    expect(canonicalResource("https://acme.okta.com/api/v1/groups/00g1hr000000000000/users")).toBe(
      short,
    );
    expect(
      canonicalResource("orn:okta:directory:00o1:groups:00g1hr000000000000:contained_resources"),
    ).toBe(short);
    expect(canonicalResource("orn:okta:directory:00o1:users")).toBe("users");
  });

  it("plans nothing when Okta holds what the files say, in any order or form", () => {
    const d = desired("hr-sync", {
      role: customRole,
      network: { allow: ["198.51.100.0/28", "203.0.113.10"] },
    });
    const a = appliedActual(d);
    a.grants.reverse();
    expect(plan(only(d), state([a])).operations).toEqual([]);
  });
});

describe("plan", () => {
  it("creates a new integration in dependency order", () => {
    const d = desired("hr-sync", { role: customRole });
    const p = plan(only(d), state([]));
    expect(p.operations.map((o) => o.id)).toEqual([
      "hr-sync/zone",
      "hr-sync/customRole",
      "hr-sync/resourceSet",
      "hr-sync/app",
      "hr-sync/grant/okta.groups.read",
      "hr-sync/grant/okta.users.read",
      "hr-sync/roleAssignment",
      "hr-sync/rateLimit",
    ]);
    const byId = new Map(p.operations.map((o) => [o.id, o]));
    expect(byId.get("hr-sync/app")!.dependsOn).toEqual(["hr-sync/zone"]);
    expect(byId.get("hr-sync/roleAssignment")!.dependsOn).toEqual([
      "hr-sync/app",
      "hr-sync/customRole",
      "hr-sync/resourceSet",
    ]);
  });

  it("holds exactly the grant of a changed scope", () => {
    const before = desired("hr-sync");
    const after = desired("hr-sync", {
      scopes: ["okta.users.read", "okta.groups.read", "okta.apps.read"],
    });
    const p = plan(only(after), state([appliedActual(before)]));
    expect(p.operations).toHaveLength(1);
    expect(p.operations[0]).toMatchObject({
      id: "hr-sync/grant/okta.apps.read",
      action: "create",
      dependsOn: [],
    });
  });

  it("flags changes that widen access", () => {
    const before = desired("hr-sync");
    const after = desired("hr-sync", {
      scopes: ["okta.users.read", "okta.groups.read", "okta.users.manage"],
      dpop: false,
      tokenExchange: true,
      network: { allow: ["203.0.113.10/32", "198.51.100.0/24"] },
      role: { standard: "HELP_DESK_ADMIN" },
    });
    const risks = Object.fromEntries(
      plan(only(after), state([appliedActual(before)])).operations.map((o) => [o.id, o.risks]),
    );
    expect(risks).toEqual({
      "hr-sync/zone": ["broader-network"],
      "hr-sync/app": ["dpop-off", "token-exchange-on"],
      "hr-sync/grant/okta.users.manage": ["new-manage-scope"],
      "hr-sync/roleAssignment": ["role-change"],
    });
  });

  it("reports an unowned app with the wanted label as a conflict and plans nothing under it", () => {
    const d = desired("hr-sync");
    const p = plan(only(d), state([], { unowned: [{ kind: "app", id: "0oaX", name: "hr-sync" }] }));
    // The integration is left out whole: not even its zone is made for an app that cannot be.
    expect(p.operations.map((o) => `${o.id} ${o.action}`)).toEqual(["hr-sync/app conflict"]);
    expect(p.operations[0]!.reason).toContain('an app named "hr-sync" (0oaX) exists in Okta');
  });

  it("removes what a deleted file owned, the app first", () => {
    const gone = appliedActual(desired("old-sync", { role: customRole }));
    const p = plan(new Map(), state([gone]));
    expect(p.operations.map((o) => `${o.id} ${o.action}`)).toEqual([
      "old-sync/app delete",
      "old-sync/resourceSet delete",
      "old-sync/customRole delete",
      "old-sync/zone delete",
    ]);
    expect(p.operations.every((o) => o.risks.includes("deletion"))).toBe(true);
    expect(removedIntegrations(p)).toEqual(["old-sync"]);
  });

  it("removes a second app that carries an integration's marker", () => {
    const d = desired("hr-sync");
    const a = { ...appliedActual(d), duplicateApps: ["0oaDUP"] };
    const p = plan(only(d), state([a]));
    expect(p.operations.map((o) => `${o.id} ${o.action}`)).toEqual(["hr-sync/app/0oaDUP delete"]);
    expect(removedIntegrations(p)).toEqual([]);
  });

  it("compares only the integrations read for a pull request", () => {
    const a = desired("a-sync");
    const b = desired("b-sync");
    const p = plan(
      new Map([
        [a.name, a],
        [b.name, b],
      ]),
      state([], { scope: new Set(["b-sync"]) }),
    );
    expect(new Set(p.operations.map((o) => o.integration))).toEqual(new Set(["b-sync"]));
  });

  it("switches a custom role to a standard one: assignment first, then the unused role", () => {
    const before = appliedActual(desired("hr-sync", { role: customRole }));
    const p = plan(only(desired("hr-sync")), state([before]));
    expect(p.operations.map((o) => `${o.id} ${o.action}`)).toEqual([
      "hr-sync/roleAssignment update",
      "hr-sync/customRole delete",
      "hr-sync/resourceSet delete",
    ]);
    expect(p.operations[1]!.dependsOn).toEqual(["hr-sync/roleAssignment"]);
  });

  it("never takes from the bot's own app the key or scopes it runs with", () => {
    const d = desired("okta-gitops");
    const a = appliedActual(d);
    const ownKey = { kid: "local-1", kty: "RSA", n: "abc", e: "AQAB" };
    a.app!.state = { ...a.app!.state, jwks: [ownKey, ...a.app!.state.jwks] };
    a.grants.push({ id: "oagX", scope: "okta.apps.read" });
    const actual = state([a], {
      self: "okta-gitops",
      selfKey: ownKey,
      selfScopes: ["okta.apps.read"],
    });
    expect(plan(only(d), actual).operations).toEqual([]);
    // Without its file, the bot's own app is not deleted.
    expect(plan(new Map(), actual).operations).toEqual([]);
    // Its network is the file's, as for any app (the local org sees the bot at its egress
    // address, as Okta does): opened by hand, it is put back.
    a.app!.state = { ...a.app!.state, network: { connection: "ANYWHERE" } };
    const ops = plan(only(d), actual).operations;
    expect(ops.map((o) => `${o.id} ${o.action}`)).toEqual(["okta-gitops/app update"]);
    expect(ops[0]!.after).toMatchObject({ network: d.app.network });
  });

  it("ignores ApiTokenException documents", () => {
    expect(
      desiredState([{ integration: { kind: "ApiTokenException" } }], DEFAULT_CONFIG).size,
    ).toBe(0);
  });
});

describe("renderers", () => {
  const before = desired("hr-sync");
  const after = desired("hr-sync", { dpop: false, scopes: ["okta.users.read"] });
  const p = plan(only(after), state([appliedActual(before)]));

  it("json carries an RFC 6902 patch per operation", () => {
    const j = planToJson(p);
    expect(j.summary).toEqual({
      create: 0,
      update: 1,
      adopt: 0,
      delete: 1,
      conflict: 0,
      refused: 0,
    });
    const app = j.operations.find((o) => o.kind === "app")!;
    expect(app.patch).toEqual([{ op: "replace", path: "/dpop", value: false }]);
  });

  it("text shows each changed field before and after", () => {
    const text = renderPlan(p, "text");
    expect(text).toContain("~ app hr-sync  [dpop-off]");
    expect(text).toContain("dpop: true → false");
    expect(text).toContain("- grant okta.groups.read");
  });

  it("markdown folds the JSON Patch", () => {
    const md = renderPlan(p, "markdown");
    expect(md).toContain("<details><summary>JSON Patch (RFC 6902)</summary>");
    expect(md).toContain("⚠️ dpop-off");
  });

  it("says there is nothing to change", () => {
    expect(renderPlan(plan(only(before), state([appliedActual(before)])), "text")).toContain(
      "No changes",
    );
  });
});
