// The drift issue, from the real drift check against a local Okta org: a change by hand in Okta
// is one row (Okta's value → the file's), corrected or not and why; refused integrations are named;
// the issue is closed only when Okta is clean.
import { describe, expect, it } from "vitest";
import { applyChanges } from "../../../src/workflows/apply.js";
import { checkDrift } from "../../../src/workflows/drift.js";
import { driftIssue } from "../../../src/github/render/drift-issue.js";
import { sswsClient } from "../../support/okta-sdk.js";
import { HOSTILE, localOrgForTests, outsideCode, workspaceOf } from "./support.js";

const t = localOrgForTests("test");
const SHA = "0123456789abcdef0123456789abcdef01234567";

/** hr-sync applied, then its app relabelled by hand in Okta. */
async function drifted(label: string) {
  const r = t.repo();
  r.write("hr-sync");
  const applied = await applyChanges(workspaceOf(r), { okta: t.okta }, { confirmDeletions: false });
  expect(applied.failed).toBe(false);
  const admin = sswsClient(t.org);
  const appId = Object.values(t.org.state.apps).find((a) => a.label === "hr-sync")!.id;
  const app = await admin.applicationApi.getApplication({ appId });
  app.label = label;
  await admin.applicationApi.replaceApplication({ appId, application: app });
  return r;
}

describe("the drift issue", () => {
  it("has one row per drifted field, reported only in report mode, and stays open", async () => {
    const r = await drifted("HR sync (renamed by hand)");
    const report = await checkDrift(workspaceOf(r), { okta: t.okta }, {});
    const issue = driftIssue({
      sha: SHA,
      mode: "report",
      report,
      checkedAt: "2026-12-02T01:00:00Z",
    });
    expect(issue.open).toBe(true);
    expect(issue.title).toBe("okta-gitops: Okta differs from the default branch (1 difference)");
    expect(issue.body.startsWith("<!-- okta-gitops:drift -->\n")).toBe(true);
    expect(issue.body).toContain(
      "Commit `0123456` compared with Okta at `2026-12-02T01:00:00Z`; `bot.drift.mode: report`.",
    );
    expect(issue.body).toContain(
      '| `hr-sync` | `app hr-sync` | `label` | `"HR sync (renamed by hand)" → "hr-sync"` | `reported only (bot.drift.mode: report)` |',
    );
  });

  it("marks the field corrected in correct mode, and is closed once Okta is clean", async () => {
    const r = await drifted("HR sync (renamed by hand)");
    const report = await checkDrift(workspaceOf(r), { okta: t.okta }, { correct: true });
    const issue = driftIssue({ sha: SHA, mode: "correct", report });
    expect(issue.body).toContain(
      '| `hr-sync` | `app hr-sync` | `label` | `"HR sync (renamed by hand)" → "hr-sync"` | `✅ corrected` |',
    );
    expect(issue.open).toBe(false);
    expect(issue.body).toContain(
      "**Okta matches the default branch again:** 1 difference corrected.",
    );
    // Clean now: the next check says so, and the issue stays closed.
    const next = driftIssue({
      sha: SHA,
      mode: "correct",
      report: await checkDrift(workspaceOf(r), { okta: t.okta }, { correct: true }),
    });
    expect(next.open).toBe(false);
    expect(next.body).toContain("**No drift: Okta matches the default branch.**");
  });

  it("names a refused integration and does not correct it, never saying No drift", async () => {
    const r = await drifted("HR sync (renamed by hand)");
    // The file now fails the policy: its drift is reported, read-only.
    r.write("hr-sync", { network: { allow: ["0.0.0.0/0"] } });
    const report = await checkDrift(workspaceOf(r), { okta: t.okta }, { correct: true });
    const issue = driftIssue({ sha: SHA, mode: "correct", report });
    expect(issue.open).toBe(true);
    expect(issue.body).not.toContain("No drift");
    expect(issue.body).toMatch(
      /\| `⛔ not corrected: refused, fails the policy \(network\.any-address at integrations\/hr-sync\.yaml:\d+\)` \|\n/,
    );
    expect(issue.body).toMatch(
      /\*\*Refused or not checked \(Okta is not known to match for these\)\*\*\n\n- `hr-sync`: refused, `fails the policy \(network\.any-address at integrations\/hr-sync\.yaml:\d+\)`\. Okta still holds `app "HR sync \(renamed by hand\)"/,
    );
  });

  it("is open when the check did not run, and names integrations not corrected for want of approval", () => {
    const issue = driftIssue({
      sha: SHA,
      mode: "correct",
      error: "Okta could not be read",
      unapproved: [{ integration: "legacy-payroll", reason: "its exception is not approved" }],
    });
    expect(issue.open).toBe(true);
    expect(issue.body).toContain(
      "**The drift check did not run:** `Okta could not be read`. Okta is not known to match the default branch.",
    );
    expect(issue.body).toContain("- `legacy-payroll`: refused, `its exception is not approved`");
  });

  it("keeps a hostile label from Okta inert", async () => {
    const r = await drifted(HOSTILE);
    const issue = driftIssue({
      sha: SHA,
      mode: "report",
      report: await checkDrift(workspaceOf(r), { okta: t.okta }, {}),
    });
    expect(issue.body).toContain(
      '| `hr-sync` | `app hr-sync` | `label` | ````"x`\\|@acme/identity ![p](https://ev.il/p)<img src=x>```\ufffd2J\ufffd\\r\\u001b[2KNo changes: Okta matches.\\u001b[0m\\n\\|a\\|" → "hr-sync"```` |',
    );
    const live = outsideCode(issue.body);
    for (const s of ["@acme", "<img", "![", "No changes"]) expect(live).not.toContain(s);
  });
});
