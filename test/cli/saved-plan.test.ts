// Saved plans through the real entry point (bin/okta-gitops.js, which runs dist/: `npm run build`
// first), against a local Okta org over HTTP: `plan --out FILE` saves what was reviewed, and
// `apply FILE` carries out exactly that, or refuses and says what changed.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { canonical, digestOf, sha256, type SavedPlan } from "../../src/reconcile/saved-plan.js";
import { sswsClient } from "../support/okta-sdk.js";
import { envFor, ownedCounts, Repo, startOrg } from "../reconcile/harness.js";
import { tokenException } from "../reconcile/fixtures.js";
import { runBin } from "../support/cli-process.js";

// A new org and repository for each test: what one test applied is no removal in the next.
let org: LocalOrg;
let repo: Repo;
beforeEach(async () => {
  org = await startOrg();
  repo = new Repo();
});
afterEach(async () => {
  await org.close();
  repo.cleanup();
});

const bin = (...argv: string[]) => runBin(repo.dir, envFor(org), argv);

const PLAN = "reviewed.plan";
const readSaved = (): SavedPlan =>
  JSON.parse(readFileSync(path.join(repo.dir, PLAN), "utf8")) as SavedPlan;
const writeSaved = (doc: unknown) =>
  writeFileSync(path.join(repo.dir, PLAN), JSON.stringify(doc, null, 2));
const appOf = (label: string) => Object.values(org.state.apps).find((a) => a.label === label);

describe("plan --out and apply FILE", () => {
  it("unchanged: applies exactly the saved operations, and a second plan is empty", async () => {
    repo.write("hr-saved");
    repo.write("siem-saved", { scopes: ["okta.logs.read"] });
    const planned = await bin("plan", "--out", PLAN);
    expect(planned.code, planned.err).toBe(2);
    expect(planned.err).toContain(`Saved the plan to ${PLAN}`);
    // Written at 0600, format version 1, no secret of the bot's in it.
    expect(statSync(path.join(repo.dir, PLAN)).mode & 0o777).toBe(0o600);
    const saved = readSaved();
    expect(saved).toMatchObject({ version: 1, kind: "okta-gitops/saved-plan" });
    const text = readFileSync(path.join(repo.dir, PLAN), "utf8");
    const d = (org.credentials.privateKeyJwk as { d: string }).d;
    expect(text).not.toContain(d);
    expect(text).not.toContain(org.credentials.sswsToken);
    expect(text).not.toContain('"raw"');
    expect(Object.keys(saved.inputs.files).sort()).toEqual([
      "integrations/hr-saved.yaml",
      "integrations/siem-saved.yaml",
    ]);
    // Nothing was applied by plan.
    expect(appOf("hr-saved")).toBeUndefined();

    const applied = await bin("apply", PLAN, "--yes", "--format", "json");
    expect(applied.code, applied.err).toBe(0);
    const report = JSON.parse(applied.out) as {
      version: number;
      report: { outcomes: { id: string; status: string }[] };
    };
    expect(report.version).toBe(1);
    expect(report.report.outcomes.map((o) => o.id)).toEqual(saved.plan.operations.map((o) => o.id));
    expect(report.report.outcomes.every((o) => o.status === "done")).toBe(true);
    expect(ownedCounts(org)["hr-saved"]).toEqual({
      app: 1,
      grant: 2,
      role: 1,
      rateLimit: 1,
      zone: 1,
    });
    const again = await bin("plan");
    expect(again.code, again.out + again.err).toBe(0);
    expect(again.out).toContain("No changes: Okta matches the repository.");
  }, 180_000);

  it("a file changed since: apply FILE refuses, naming the file and its integration", async () => {
    repo.write("hr-edit");
    repo.write("siem-edit", { scopes: ["okta.logs.read"] });
    expect((await bin("plan", "--out", PLAN)).code).toBe(2);
    repo.write("siem-edit", { scopes: ["okta.logs.read"], rateLimit: { percent: 5 } });
    const applied = await bin("apply", PLAN, "--yes");
    expect(applied.code).toBe(1);
    expect(applied.err).toContain(
      "the files changed since the plan in reviewed.plan was made: integrations/siem-edit.yaml (integration siem-edit) changed",
    );
    expect(applied.err).toContain("Nothing was applied");
    expect(appOf("hr-edit")).toBeUndefined();
    // A file added is named too.
    expect((await bin("plan", "--out", PLAN)).code).toBe(2);
    repo.write("new-edit");
    const added = await bin("apply", PLAN, "--yes");
    expect(added.code).toBe(1);
    expect(added.err).toContain("integrations/new-edit.yaml (integration new-edit) was added");
  }, 180_000);

  it("Okta changed by hand since: apply FILE refuses, naming the integration", async () => {
    repo.write("hr-hand");
    repo.write("ops-hand");
    expect((await bin("apply", "--yes")).code).toBe(0);
    repo.write("hr-hand", { rateLimit: { percent: 20 } });
    const planned = await bin("plan", "--out", PLAN);
    expect(planned.code, planned.err).toBe(2);
    // Someone widens hr-hand's zone in the Admin Console after the plan was reviewed.
    const admin = sswsClient(org);
    const zone = Object.values(org.state.zones).find((z) => z.name === "okta-gitops/hr-hand")!;
    const z = await admin.networkZoneApi.getNetworkZone({ zoneId: zone.id });
    (z as unknown as { gateways: { type: string; value: string }[] }).gateways.push({
      type: "CIDR",
      value: "198.51.100.0/24",
    });
    await admin.networkZoneApi.replaceNetworkZone({ zoneId: zone.id, zone: z });
    const percentBefore = Object.values(org.state.principalRateLimits).find(
      (p) => p.principalId === appOf("hr-hand")!.id,
    )!.defaultPercentage;

    const applied = await bin("apply", PLAN, "--yes");
    expect(applied.code).toBe(1);
    expect(applied.err).toContain(
      "Okta changed since the plan in reviewed.plan was made: integration hr-hand.",
    );
    expect(applied.err).not.toContain("ops-hand");
    // Nothing was done: the rate share is as it was.
    expect(
      Object.values(org.state.principalRateLimits).find(
        (p) => p.principalId === appOf("hr-hand")!.id,
      )!.defaultPercentage,
    ).toBe(percentBefore);
  }, 180_000);

  it("a tampered file is refused, with or without its digest recomputed", async () => {
    repo.write("hr-tamper");
    expect((await bin("plan", "--out", PLAN)).code).toBe(2);
    const saved = readSaved();
    const rate = saved.plan.operations.find((o) => o.id === "hr-tamper/rateLimit")!;
    (rate.after as { percent: number }).percent = 100;

    // Edited, digest left as it was.
    writeSaved(saved);
    const naive = await bin("apply", PLAN, "--yes");
    expect(naive.code).toBe(1);
    expect(naive.err).toContain(
      "reviewed.plan was changed after plan wrote it (its digest does not match its content)",
    );

    // Edited with the digest recomputed (a digest is no signature): the plan made now differs.
    const { digest: _old, ...body } = saved;
    writeSaved({ ...body, digest: digestOf(body) });
    const forged = await bin("apply", PLAN, "--yes");
    expect(forged.code).toBe(1);
    expect(forged.err).toContain(
      "the plan made now differs from the plan in reviewed.plan: hr-tamper: its operations differ from the saved plan",
    );

    // Another version, or not a plan at all.
    writeSaved({ ...body, version: 2 });
    expect((await bin("apply", PLAN, "--yes")).err).toContain(
      "is a saved plan of version 2; this okta-gitops reads version 1",
    );
    writeFileSync(path.join(repo.dir, PLAN), "not json");
    expect((await bin("apply", PLAN, "--yes")).err).toContain("is not a saved plan");
    // A path that leaves the repository, digest and all.
    const outside = { ...body, inputs: { ...body.inputs, paths: ["../elsewhere"] } };
    writeSaved({ ...outside, digest: digestOf(outside) });
    const escaped = await bin("apply", PLAN, "--yes");
    expect(escaped.err).toContain("must be a path inside the repository");
    expect(appOf("hr-tamper")).toBeUndefined();
    expect(canonical({ b: 1, a: [2, 1] }, true)).toBe('{"a":[1,2],"b":1}');
    expect(sha256("")).toMatch(/^sha256:e3b0c442/);
  }, 180_000);

  it("approvals and the deletion guard are those given to apply", async () => {
    const account = org.seed.user({ login: "svc-saved@acme.example" });
    const token = org.seed.apiToken({ name: "saved connector", userId: account.id }).id;
    repo.writeDoc(tokenException("payroll-saved", token, { login: "svc-saved" }));
    const planned = await bin("plan", "--approved", "payroll-saved", "--out", PLAN);
    expect(planned.code, planned.err).toBe(2);
    const unapproved = await bin("apply", PLAN, "--yes");
    expect(unapproved.code).toBe(1);
    expect(unapproved.err).toContain(
      "the plan made now differs from the plan in reviewed.plan: payroll-saved: refused, needs the Identity team's approval",
    );
    expect(org.state.apiTokens[token]!.name).toBe("saved connector");
    const approved = await bin("apply", PLAN, "--yes", "--approved", "payroll-saved");
    expect(approved.code, approved.err).toBe(0);
    expect(org.state.apiTokens[token]!.name).toBe("okta-gitops/payroll-saved");

    // Deleting it is over the guard: the saved plan needs --confirm-deletions too.
    repo.config("bot:\n  deletionGuard:\n    maxDeletions: 0\n");
    repo.remove("payroll-saved");
    expect((await bin("plan", "--out", PLAN)).code).toBe(2);
    const guarded = await bin("apply", PLAN, "--yes");
    expect(guarded.code).toBe(1);
    expect(guarded.err).toContain(
      "the plan deletes 1 integrations (payroll-saved), more than bot.deletionGuard.maxDeletions (0): nothing was applied",
    );
    const confirmed = await bin("apply", PLAN, "--yes", "--confirm-deletions");
    expect(confirmed.code, confirmed.err).toBe(0);
    expect(org.state.apiTokens[token]).toBeUndefined();
  }, 180_000);

  it("refuses what would make the saved plan mean something else", async () => {
    repo.write("hr-args");
    const only = await bin("plan", "--only", "hr-args", "--out", PLAN);
    expect(only.code).toBe(1);
    expect(only.err).toContain("--out saves a plan of the whole repository");
    const yaml = await bin("plan", "--out", "integrations/plan.yaml");
    expect(yaml.code).toBe(1);
    expect(yaml.err).toContain("a saved plan may not be named *.yaml or *.yml");
    const outside = await bin("plan", "..", "--out", PLAN);
    expect(outside.code).toBe(1);
    expect(outside.err).toContain(".. is outside the repository");
    expect((await bin("plan", "--out", PLAN)).code).toBe(2);
    const config = await bin("apply", PLAN, "--yes", "--config", ".okta-gitops.yml");
    expect(config.code).toBe(1);
    expect(config.err).toContain("--config cannot change it");
    expect(appOf("hr-args")).toBeUndefined();
  }, 180_000);
});
