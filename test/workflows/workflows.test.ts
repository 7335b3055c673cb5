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
import { loadWorkspace, type FileSource } from "../../src/workflows/workspace.js";
import { envFor, startOrg } from "../reconcile/harness.js";
import { serviceApp } from "../reconcile/fixtures.js";

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
