// The workflows run without the CLI: files from memory (as the GitHub App will give them, at a
// revision), an Okta session built by the caller, and a plain report back; nothing is printed.
// Against the local org over real HTTP through the real SDK.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import type { LocalOrg } from "../../src/local-org/index.js";
import { connectOkta, type OktaConnection } from "../../src/okta/adapter.js";
import { OktaLock } from "../../src/okta/lock.js";
import { oktaSettingsFromEnv } from "../../src/okta/settings.js";
import { applyChanges } from "../../src/workflows/apply.js";
import { checkDrift } from "../../src/workflows/drift.js";
import { planChange, type PlanRun } from "../../src/workflows/plan.js";
import { loadWorkspace, withApprovals, type FileSource } from "../../src/workflows/workspace.js";
import { envFor, startOrg } from "../reconcile/harness.js";
import { serviceApp } from "../reconcile/fixtures.js";
import { sswsClient } from "../support/okta-sdk.js";

/** A repository held in memory: path -> text. */
function memoryFiles(files: Record<string, string>): FileSource {
  return {
    read: (paths) => ({
      files: Object.entries(files)
        .filter(([p]) => paths.some((q) => p === q || p.startsWith(q.replace(/\/?$/, "/"))))
        .map(([p, text]) => ({ path: p, bytes: new TextEncoder().encode(text) })),
      findings: [],
    }),
    has: (p) => p in files,
  };
}

let org: LocalOrg | undefined;
let okta: (OktaConnection & { lock(): OktaLock }) | undefined;
const printed = { out: vi.fn(), err: vi.fn() };

beforeEach(async () => {
  org = await startOrg();
  const connection = await connectOkta(oktaSettingsFromEnv(envFor(org))!);
  okta = { ...connection, lock: () => new OktaLock(connection.adapter, 60_000) };
  printed.out = vi.spyOn(process.stdout, "write") as never;
  printed.err = vi.spyOn(process.stderr, "write") as never;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await org?.close();
  org = undefined;
});

const today = "2026-11-29";

describe("workflows over ports", () => {
  it("plans, applies and re-plans from files in memory, returning reports and printing nothing", async () => {
    const files = memoryFiles({
      "integrations/hr-sync.yaml": stringify(serviceApp("hr-sync")),
    });
    const ws = loadWorkspace({ files, today }, { paths: [], approved: new Set() });
    const first = await planChange(ws, okta!);
    expect(first.failed).toBe(false);
    expect(first.changes).toBe(true);
    const changed = (run: PlanRun) => [...new Set(run.plan.operations.map((o) => o.integration))];
    expect(changed(first.run)).toEqual(["hr-sync"]);

    const reviewed: PlanRun[] = [];
    const applied = await applyChanges(
      ws,
      { okta: okta!, review: async (run) => (reviewed.push(run), true) },
      { confirmDeletions: false },
    );
    expect(applied.outcome).toBe("applied");
    expect(applied.failed).toBe(false);
    expect(reviewed).toHaveLength(1);
    if (applied.outcome === "applied") expect(applied.report.failed).toBe(0);

    const again = await planChange(ws, okta!);
    expect(again.changes).toBe(false);
    expect(again.failed).toBe(false);
    const drift = await checkDrift(ws, { okta: okta! }, {});
    expect(drift.items).toEqual([]);
    expect(drift.failed).toBe(false);
    expect(printed.out).not.toHaveBeenCalled();
    expect(printed.err).not.toHaveBeenCalled();
  });

  it("reports a refused integration with its reason instead of planning it, and a declined review applies nothing", async () => {
    const files = memoryFiles({
      "integrations/hr-sync.yaml": stringify(serviceApp("hr-sync")),
      // Anywhere-reachable access fails the policy: refused, named, never planned.
      "integrations/wide-open.yaml": stringify(
        serviceApp("wide-open", { network: { allow: ["0.0.0.0/0"] } }),
      ),
    });
    const ws = loadWorkspace({ files, today }, { paths: [], approved: new Set() });
    const report = await planChange(ws, okta!);
    expect(report.failed).toBe(true);
    expect(report.run.plan.refused).toContain("wide-open");
    const changed = (run: PlanRun) => [...new Set(run.plan.operations.map((o) => o.integration))];
    expect(changed(report.run)).toEqual(["hr-sync"]);
    expect(ws.refused.get("wide-open")).toMatch(/^fails the policy \(/);

    const declined = await applyChanges(
      ws,
      { okta: okta!, review: async () => false },
      { confirmDeletions: false },
    );
    expect(declined.outcome).toBe("declined");
    expect(changed((await planChange(ws, okta!)).run)).toEqual(["hr-sync"]);
    expect(printed.out).not.toHaveBeenCalled();
  });
});

describe("a plan of only the changed integrations finds a relabelled app", () => {
  const at = (label?: string) =>
    memoryFiles({
      "integrations/hr-sync.yaml": stringify(serviceApp("hr-sync", label ? { label } : {})),
    });
  const appOps = (run: PlanRun) =>
    run.plan.operations.filter((o) => o.kind === "app").map((o) => `${o.action} ${o.integration}`);
  const appListings = () =>
    org!.requests().filter((r) => r.method === "GET" && /^\/api\/v1\/apps\?/.test(r.url));

  async function applied(label?: string) {
    const ws = loadWorkspace({ files: at(label), today }, { paths: [], approved: new Set() });
    const result = await applyChanges(ws, { okta: okta! }, { confirmDeletions: false });
    expect(result.failed).toBe(false);
  }

  it("plans a label changed in the file as an update of the one app, found by its label before the change", async () => {
    await applied("HR Sync");
    const ws = loadWorkspace(
      { files: at("HR Directory Sync"), today },
      { paths: [], approved: new Set() },
    );
    const only = new Set(["hr-sync"]);
    const blind = await planChange(ws, okta!, { only });
    // Searched by its new label alone, the app is not found: the plan would create a second one.
    expect(appOps(blind.run)).toEqual(["create hr-sync"]);
    const report = await planChange(ws, okta!, {
      only,
      previousLabels: new Map([["hr-sync", "HR Sync"]]),
    });
    expect(appOps(report.run)).toEqual(["update hr-sync"]);
    expect(report.run.plan.operations.map((o) => o.action)).not.toContain("create");
  });

  it("finds by its marker an app relabelled by hand in Okta, and plans the label back", async () => {
    await applied("HR Sync");
    // Relabelled through Okta's API, as a person with app admin rights would.
    const admin = sswsClient(org!);
    const appId = Object.values(org!.state.apps).find((a) => a.label === "HR Sync")!.id;
    const app = await admin.applicationApi.getApplication({ appId });
    app.label = "Renamed by hand";
    await admin.applicationApi.replaceApplication({ appId, application: app });
    const ws = loadWorkspace({ files: at("HR Sync"), today }, { paths: [], approved: new Set() });
    const report = await planChange(ws, okta!, {
      only: new Set(["hr-sync"]),
      previousLabels: new Map([["hr-sync", "HR Sync"]]),
    });
    expect(appOps(report.run)).toEqual(["update hr-sync"]);
  });

  it("reads a new integration by its label alone: no listing of every app", async () => {
    const ws = loadWorkspace({ files: at("HR Sync"), today }, { paths: [], approved: new Set() });
    const before = appListings().length;
    const report = await planChange(ws, okta!, { only: new Set(["hr-sync"]) });
    expect(appOps(report.run)).toEqual(["create hr-sync"]);
    const listed = appListings().slice(before);
    expect(listed.length).toBe(1);
    expect(listed[0]!.url).toContain("q=HR%20Sync");
  });
});

describe("withApprovals", () => {
  it("sorts the same files as loading them again under those approvals would, reading nothing", () => {
    const yaml = stringify(
      serviceApp("no-dpop", {
        dpop: false,
        exceptions: { dpop: "The vendor's SDK cannot send DPoP proofs until its 5.0 release." },
      }),
    );
    const files = memoryFiles({ "integrations/no-dpop.yaml": yaml });
    const bare = loadWorkspace({ files, today }, { paths: [], approved: new Set() });
    expect([...bare.refused.keys()]).toEqual(["no-dpop"]);
    const reads = vi.spyOn(files, "read");
    const approved = withApprovals(bare, today, { approved: new Set(["no-dpop"]) });
    expect(reads).not.toHaveBeenCalled();
    const again = loadWorkspace({ files, today }, { paths: [], approved: new Set(["no-dpop"]) });
    // All but the loaded documents themselves (their locate() closures are new on each load).
    const { integrations: a, ...sorted } = approved;
    const { integrations: b, ...loaded } = again;
    expect(sorted).toEqual(loaded);
    expect(a.map((i) => i.integration)).toEqual(b.map((i) => i.integration));
    expect(approved.desired.has("no-dpop")).toBe(true);
  });
});
