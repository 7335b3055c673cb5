import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/model/index.js";
import { desiredIntegration } from "../../src/reconcile/desired.js";
import { apply, type OktaPort, type Refs } from "../../src/reconcile/apply.js";
import type { Operation } from "../../src/reconcile/model.js";
import { plan } from "../../src/reconcile/plan.js";
import { customRole, serviceApp } from "./fixtures.js";

/** An in-memory Okta behind the port: counts objects, fails where told to. */
class FakeOkta implements OktaPort {
  objects = new Map<string, string>();
  calls: string[] = [];
  private n = 0;
  constructor(
    private fail: (op: Operation, attempt: number) => "none" | "before" | "after" | "fatal" = () =>
      "none",
  ) {}
  private attempts = new Map<string, number>();

  async execute(op: Operation, refs: Refs): Promise<string | undefined> {
    const attempt = (this.attempts.get(op.id) ?? 0) + 1;
    this.attempts.set(op.id, attempt);
    this.calls.push(`${op.action} ${op.id}`);
    if (op.kind === "app") expect(refs.get("zone:okta-gitops/hr-sync")).toBeDefined();
    const mode = this.fail(op, attempt);
    if (mode === "fatal")
      throw Object.assign(new Error("E0000001: Api validation failed"), { status: 400 });
    if (mode === "before") throw Object.assign(new Error("Internal Server Error"), { status: 500 });
    const id = `id${++this.n}`;
    if (op.action === "create") this.objects.set(op.id, id);
    if (mode === "after") throw new Error("socket hang up");
    return op.action === "create" ? id : undefined;
  }

  async findCreated(op: Operation): Promise<string | undefined> {
    return this.objects.get(op.id);
  }
}

const fresh = () =>
  plan(
    new Map([
      ["hr-sync", desiredIntegration(serviceApp("hr-sync", { role: customRole }), DEFAULT_CONFIG)],
    ]),
    { integrations: new Map(), unowned: [], scope: "all" },
  );

describe("apply", () => {
  it("runs every operation once and resolves the ids of objects it created", async () => {
    const okta = new FakeOkta();
    const refs: Refs = new Map();
    const report = await apply(fresh(), okta, { refs });
    expect(report).toMatchObject({ done: 8, failed: 0, skipped: 0 });
    expect(refs.get("app:hr-sync")).toBe(okta.objects.get("hr-sync/app"));
  });

  it("adopts an object whose create was answered by a dropped connection instead of creating it twice", async () => {
    const okta = new FakeOkta((op, attempt) =>
      op.kind === "app" && attempt === 1 ? "after" : "none",
    );
    const report = await apply(fresh(), okta, { refs: new Map() });
    expect(report.failed).toBe(0);
    expect(okta.calls.filter((c) => c === "create hr-sync/app")).toHaveLength(1);
  });

  it("retries a create refused before it was made", async () => {
    const okta = new FakeOkta((op, attempt) =>
      op.kind === "zone" && attempt < 3 ? "before" : "none",
    );
    const report = await apply(fresh(), okta, { refs: new Map() });
    expect(report.failed).toBe(0);
    expect(okta.calls.filter((c) => c === "create hr-sync/zone")).toHaveLength(3);
  });

  it("skips what depends on a failed operation and reports it", async () => {
    const okta = new FakeOkta((op) => (op.kind === "customRole" ? "fatal" : "none"));
    const report = await apply(fresh(), okta, { refs: new Map() });
    const status = Object.fromEntries(report.outcomes.map((o) => [o.op.id, o.status]));
    expect(status["hr-sync/customRole"]).toBe("failed");
    expect(status["hr-sync/roleAssignment"]).toBe("skipped");
    expect(status["hr-sync/app"]).toBe("done");
    expect(status["hr-sync/rateLimit"]).toBe("done");
    expect(okta.calls.filter((c) => c.includes("customRole"))).toHaveLength(1);
  });
});
