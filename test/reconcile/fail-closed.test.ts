// Fail closed against the local org, over HTTP: an expired exception loses its access, a refused or
// unreadable file never hides what Okta holds (nor its drift), and the shared interactive-login
// block can be repaired and is left by the account of a removed exception.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import type { ReconcileIo } from "../../src/cli/reconcile-support.js";
import { sswsClient } from "../support/okta-sdk.js";
import { envFor, Repo, startOrg, testIo } from "./harness.js";
import { tokenException } from "./fixtures.js";

type Command = (argv: string[], io: ReconcileIo) => Promise<number>;

/** Runs a command as of `today` (the exceptions in fixtures.ts expire on 2027-03-01). */
async function at(
  today: string,
  run: Command,
  argv: string[],
  repo: Repo,
  org: LocalOrg,
): Promise<{ code: number; out: string; err: string }> {
  // The io's own output functions write into it: today is set on it, not on a copy.
  const io = testIo(repo.dir, envFor(org));
  io.today = today;
  const code = await run([...argv, "--approved", "all"], io);
  return { code, out: io.out, err: io.err };
}
const BEFORE = "2026-11-29";
const AFTER = "2027-03-02";

/** A change made by hand, as an admin with an API token would make it. */
async function admin(org: LocalOrg, method: string, url: string, body?: unknown): Promise<unknown> {
  const c = sswsClient(org);
  const res = (await c.http.http(`${org.url}${url}`, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  } as Parameters<typeof c.http.http>[1])) as { status: number; text(): Promise<string> };
  const text = res.status === 204 ? "" : await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** Relabels an app by hand (GET, then PUT of what Okta answered). */
async function relabel(org: LocalOrg, appId: string, label: string): Promise<void> {
  const app = (await admin(org, "GET", `/api/v1/apps/${appId}`)) as Record<string, unknown>;
  await admin(org, "PUT", `/api/v1/apps/${appId}`, { ...app, label });
}

const loginGroup = (org: LocalOrg) =>
  Object.values(org.state.groups).find(
    (g) => g.profile.name === "okta-gitops/no-interactive-login",
  );
const rolesOf = (org: LocalOrg, userId: string) =>
  Object.values(org.state.userRoles).filter((r) => r.userId === userId);
const zoneNamed = (org: LocalOrg, name: string) =>
  Object.values(org.state.zones).find((z) => z.name === `okta-gitops/${name}`);

describe("an expired API token exception", () => {
  let org: LocalOrg;
  let repo: Repo;
  let tokenId: string;
  let accountId: string;
  beforeAll(async () => {
    org = await startOrg();
    repo = new Repo();
    accountId = org.seed.user({ login: "svc-payroll@acme.example" }).id;
    tokenId = org.seed.apiToken({ name: "payroll connector", userId: accountId }).id;
    repo.writeDoc(tokenException("legacy-payroll", tokenId));
    const applied = await at(BEFORE, runApply, ["--yes"], repo, org);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(rolesOf(org, accountId)).toHaveLength(1);
  });
  afterAll(async () => {
    await org.close();
    repo.cleanup();
  });

  it("with onExpiry: report, is named with what Okta still holds, and every command fails", async () => {
    repo.config("bot:\n  exceptions:\n    onExpiry: report\n");
    for (const run of [runPlan, runApply, runDrift]) {
      const r = await at(AFTER, run, run === runApply ? ["--yes"] : [], repo, org);
      expect(r.code, r.out + r.err).toBe(1);
      expect(r.err).toContain("legacy-payroll: refused, fails the policy (api-token.expired");
      expect(r.err).toContain(`Okta still holds API token ${tokenId} (okta-gitops/legacy-payroll)`);
      expect(r.err).toContain("admin role READ_ONLY_ADMIN");
      expect(r.out).not.toContain("No changes: Okta matches");
      expect(r.out).not.toContain("No drift");
    }
    expect(org.state.apiTokens[tokenId]).toBeDefined();
  });

  it("by default, loses its access on apply: token revoked, role unassigned, zone removed", async () => {
    repo.config("bot:\n  exceptions:\n    onExpiry: revoke\n");
    // The day before, nothing changes.
    expect((await at("2027-02-28", runPlan, [], repo, org)).code).toBe(0);

    const p = await at(AFTER, runPlan, ["--format", "json"], repo, org);
    expect(p.code, p.err).toBe(2);
    const ops = (JSON.parse(p.out) as { operations: { id: string; action: string }[] }).operations;
    expect(ops.map((o) => `${o.id} ${o.action}`)).toEqual(
      expect.arrayContaining([
        "legacy-payroll/token delete",
        expect.stringMatching(/^legacy-payroll\/roleAssignment\/\S+ delete$/),
        "legacy-payroll/zone delete",
      ]),
    );
    // Drift says so too (and leaves the revocation to apply and its deletion guard).
    const d = await at(AFTER, runDrift, [], repo, org);
    expect(d.code).toBe(2);
    expect(d.out).toContain("(expired: apply revokes it)");

    // Under the deletion guard like any removal.
    repo.config("bot:\n  deletionGuard:\n    maxDeletions: 0\n");
    const guarded = await at(AFTER, runApply, ["--yes"], repo, org);
    expect(guarded.code).toBe(1);
    expect(guarded.err).toContain("more than bot.deletionGuard.maxDeletions (0)");
    expect(org.state.apiTokens[tokenId]).toBeDefined();
    repo.config("bot:\n  exceptions:\n    onExpiry: revoke\n");

    const a = await at(AFTER, runApply, ["--yes"], repo, org);
    expect(a.code, a.out + a.err).toBe(0);
    expect(a.err).toContain("legacy-payroll: the exception expired on 2027-03-01");
    expect(org.state.apiTokens[tokenId]).toBeUndefined();
    expect(rolesOf(org, accountId)).toEqual([]);
    expect(zoneNamed(org, "legacy-payroll")).toBeUndefined();
    // Ending access never opens a door: the account stays denied interactive sign-in.
    expect(loginGroup(org)?.members).toContain(accountId);

    const again = await at(AFTER, runPlan, [], repo, org);
    expect(again.code).toBe(0);
    expect(again.err).toContain("its access has ended");
  });
});

describe("refused and unreadable files", () => {
  let org: LocalOrg;
  let repo: Repo;
  beforeAll(async () => {
    org = await startOrg();
    repo = new Repo();
    repo.write("hr-sync");
    repo.write("crm-sync");
    const applied = await at(BEFORE, runApply, ["--yes"], repo, org);
    expect(applied.code, applied.out + applied.err).toBe(0);
  });
  afterAll(async () => {
    await org.close();
    repo.cleanup();
  });
  const appOf = (name: string) =>
    Object.values(org.state.apps).find(
      (a) =>
        (a.profile?.["okta-gitops"] as { integration?: string } | undefined)?.integration === name,
    )!;

  it("a ServiceApp that newly fails the policy is kept, named with what Okta holds, and fails plan, apply and drift", async () => {
    // A stricter ceiling than the 25% hr-sync and crm-sync use.
    repo.config("policy:\n  rateLimit:\n    maxPercent: 20\n    defaultPercent: 10\n");
    for (const run of [runPlan, runApply, runDrift]) {
      const r = await at(BEFORE, run, run === runApply ? ["--yes"] : [], repo, org);
      expect(r.code, r.out + r.err).toBe(1);
      expect(r.err).toMatch(/hr-sync: refused, fails the policy \(rate-limit\.too-high/);
      expect(r.err).toContain(`Okta still holds app "hr-sync" (${appOf("hr-sync").id}, ACTIVE)`);
      expect(r.out).not.toContain("No changes: Okta matches");
      expect(r.out).not.toContain("No drift");
    }
    expect(appOf("hr-sync")).toBeDefined();
    repo.config("");
  });

  it("drift compares a refused file read-only: the hand change is reported, never corrected", async () => {
    repo.write("hr-sync", { dpop: false }); // dpop.disabled without a reason: refused
    const app = appOf("crm-sync");
    await relabel(org, appOf("hr-sync").id, "hr-sync (edited)");
    for (const format of ["text", "markdown", "json"]) {
      const d = await at(BEFORE, runDrift, ["--format", format], repo, org);
      expect(d.code, d.err).toBe(1);
      expect(d.out).not.toContain("No drift");
      expect(d.out).toContain("hr-sync (edited)");
      if (format === "json") {
        const j = JSON.parse(d.out) as {
          drift: { integration: string; field: string; uncorrected?: string }[];
          refused: string[];
        };
        expect(j.refused).toEqual(["hr-sync"]);
        expect(j.drift).toContainEqual(
          expect.objectContaining({
            integration: "hr-sync",
            field: "label",
            uncorrected: "refused",
          }),
        );
      }
    }
    const c = await at(BEFORE, runDrift, ["--correct"], repo, org);
    expect(c.code).toBe(1);
    expect(appOf("hr-sync").label).toBe("hr-sync (edited)");
    expect(appOf("crm-sync").id).toBe(app.id);
    repo.write("hr-sync");
    expect((await at(BEFORE, runDrift, ["--correct"], repo, org)).code).toBe(0);
  });

  it("a file that does not load is named by path, with the objects under its marker, and fails", async () => {
    writeFileSync(path.join(repo.dir, "integrations", "crm-sync.yaml"), "spec: [unclosed\n");
    const crm = appOf("crm-sync");
    await relabel(org, crm.id, "crm-sync (edited)");
    for (const run of [runPlan, runApply, runDrift]) {
      for (const format of ["text", "json"]) {
        const argv = [...(run === runApply ? ["--yes"] : []), "--format", format];
        const r = await at(BEFORE, run, argv, repo, org);
        expect(r.code, r.out + r.err).toBe(1);
        expect(r.out).not.toContain("No changes: Okta matches");
        expect(r.out).not.toContain("No drift");
        const held = `app "crm-sync (edited)" (${crm.id}, ACTIVE)`;
        if (format === "json") {
          const j = JSON.parse(r.out) as {
            refusals: { integration: string; reason: string; holds: string[]; compared: boolean }[];
          };
          const crmRefused = j.refusals.find((x) => x.integration === "crm-sync")!;
          expect(crmRefused.reason).toContain("integrations/crm-sync.yaml");
          expect(crmRefused.compared).toBe(false);
          expect(crmRefused.holds[0]).toContain(held);
        } else {
          expect(r.err).toMatch(
            /crm-sync: refused, fails the policy \(yaml\.syntax at integrations\/crm-sync\.yaml:1\)/,
          );
          expect(r.err).toContain(held);
        }
      }
    }
    // Nothing of it was changed or deleted.
    expect(appOf("crm-sync").label).toBe("crm-sync (edited)");
  });
});

describe("the shared interactive-login block", () => {
  let org: LocalOrg;
  let repo: Repo;
  let payroll: { account: string; token: string };
  let hr: { account: string; token: string };
  const seedAccount = (login: string) => {
    const account = org.seed.user({ login }).id;
    return { account, token: org.seed.apiToken({ name: login, userId: account }).id };
  };
  beforeAll(async () => {
    org = await startOrg();
    repo = new Repo();
    payroll = seedAccount("svc-payroll@acme.example");
    hr = seedAccount("svc-hr@acme.example");
    repo.writeDoc(tokenException("legacy-payroll", payroll.token));
    const applied = await at(BEFORE, runApply, ["--yes"], repo, org);
    expect(applied.code, applied.out + applied.err).toBe(0);
    expect(loginGroup(org)?.members).toEqual([payroll.account]);
  });
  afterAll(async () => {
    await org.close();
    repo.cleanup();
  });

  it("adds a second exception's account to the group that already exists", async () => {
    repo.writeDoc(tokenException("legacy-hr", hr.token, { login: "svc-hr" }));
    const a = await at(BEFORE, runApply, ["--yes"], repo, org);
    expect(a.code, a.out + a.err).toBe(0);
    expect(loginGroup(org)?.members.sort()).toEqual([payroll.account, hr.account].sort());
  });

  it("drift reports a deny rule deactivated by hand, and --correct restores it", async () => {
    const rule = Object.values(org.state.policyRules).find(
      (r) => r.name === "okta-gitops/deny-interactive-login",
    )!;
    await admin(
      org,
      "POST",
      `/api/v1/policies/${rule.policyId}/rules/${rule.id}/lifecycle/deactivate`,
    );
    expect(org.state.policyRules[rule.id]!.status).toBe("INACTIVE");
    const d = await at(BEFORE, runDrift, [], repo, org);
    expect(d.code, d.out + d.err).toBe(2);
    expect(d.out).toContain("(service accounts): sign-on rule okta-gitops/deny-interactive-login");
    const c = await at(BEFORE, runDrift, ["--correct"], repo, org);
    expect(c.code, c.out + c.err).toBe(0);
    const restored = Object.values(org.state.policyRules).find(
      (r) => r.name === "okta-gitops/deny-interactive-login",
    )!;
    expect(restored.status).toBe("ACTIVE");
    expect(restored.conditions).toMatchObject({
      people: { groups: { include: [loginGroup(org)!.id] } },
    });
    expect((await at(BEFORE, runDrift, [], repo, org)).code).toBe(0);
  });

  it("takes a removed exception's account out of the group, and the plan says so", async () => {
    repo.remove("legacy-hr");
    const p = await at(BEFORE, runPlan, [], repo, org);
    expect(p.code).toBe(2);
    expect(p.out).toContain(
      "- interactive sign-in of svc-hr@acme.example blocked (okta-gitops/no-interactive-login)",
    );
    const a = await at(BEFORE, runApply, ["--yes"], repo, org);
    expect(a.code, a.out + a.err).toBe(0);
    expect(loginGroup(org)?.members).toEqual([payroll.account]);
  });
});
