// The one plan comment of a pull request, from the real workflows against a local Okta org: the
// marker and head first, per integration its exceptions and risks, before → after and the JSON
// Patch folded; an empty plan said plainly, and never "No changes" over a refusal.
import { describe, expect, it } from "vitest";
import { applyChanges } from "../../../src/workflows/apply.js";
import { planChange } from "../../../src/workflows/plan.js";
import { COMMENT_MAX_CHARS } from "../../../src/github/render/limits.js";
import { planComment, planCommentHead } from "../../../src/github/render/plan-comment.js";
import type { Repo } from "../../reconcile/harness.js";
import { sswsClient } from "../../support/okta-sdk.js";
import { HOSTILE, localOrgForTests, oktaSession, outsideCode, workspaceOf } from "./support.js";

const t = localOrgForTests();

const SHA = "3f2a9c1d4e5b6a7980f1e2d3c4b5a69788796a5b";
const CHECK = "https://github.example/acme/access/runs/42";

async function commentOf(r: Repo, touched: string[], approved: string[] = ["all"]) {
  const ws = workspaceOf(r);
  const plan = await planChange(workspaceOf(r, approved), t.okta, { only: new Set(touched) });
  return planComment({
    headSha: SHA,
    checkRunUrl: CHECK,
    findings: ws.findings,
    touched,
    settingsChanged: false,
    plan,
  });
}

describe("the plan comment", () => {
  it("begins with the marker and the head, and shows per integration risks, before → after and the patch folded", async () => {
    const r = t.repo();
    r.write("cmt-risky", {
      dpop: false,
      exceptions: { dpop: "The vendor's client has no DPoP yet" },
    });
    const body = await commentOf(r, ["cmt-risky"]);
    expect(body.startsWith(`<!-- okta-gitops:plan -->\n<!-- okta-gitops:head ${SHA} -->\n`)).toBe(
      true,
    );
    expect(planCommentHead(body)).toBe(SHA);
    expect(body).toContain(
      `For commit \`${SHA}\`. The \`okta-gitops/policy\` [check run](${CHECK})`,
    );
    const at = (s: string) => {
      const i = body.indexOf(s);
      expect(i, s).toBeGreaterThan(-1);
      return i;
    };
    const order = [
      "#### `cmt-risky`",
      "**Exception, needs the Identity team's approval:** ⚠️ `dpop.disabled` at `integrations/cmt-risky.yaml:",
      "**Risk:** ⚠️ `dpop-off` ×1 · ⚠️ `role-change` ×1",
      "| | object | before → after | risk |",
      '| + create | `app cmt-risky` | `→ {"label":"cmt-risky","dpop":false,',
      "<details><summary>JSON Patch (RFC 6902)</summary>",
      "</details>",
    ].map(at);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
  });

  it("says plainly that the plan is empty once Okta matches", async () => {
    const r = t.repo();
    r.write("cmt-applied", { network: { allow: ["203.0.113.31/32"] } });
    const applied = await applyChanges(
      workspaceOf(r),
      { okta: t.okta },
      { confirmDeletions: false },
    );
    expect(applied.failed).toBe(false);
    const body = await commentOf(r, ["cmt-applied"]);
    expect(body).toContain(
      "**No changes: Okta matches the repository.**\n\nThe plan is empty: nothing in Okta changes for this pull request's integrations.",
    );
    expect(body).not.toContain("####");
  });

  it("never says No changes when an integration is refused: it names it and why", async () => {
    const r = t.repo();
    r.write("cmt-open", { network: { allow: ["0.0.0.0/0"] } });
    const body = await commentOf(r, ["cmt-open"], []);
    expect(body).not.toContain("No changes");
    expect(body).not.toContain("The plan is empty");
    expect(body).toContain(
      "**Plan: 0 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 1 refused (`cmt-open`; see the notes).**",
    );
    expect(body).toMatch(
      /\*\*Refused or not checked\*\*\n\n- `cmt-open`: refused, `fails the policy \(network\.any-address at integrations\/cmt-open\.yaml:\d+\)`\. Okta holds nothing under its marker; 6 differences from its file, not corrected\.\n/,
    );
  });

  it("never says No changes when integrations were left unchecked", () => {
    const body = planComment({
      headSha: SHA,
      checkRunUrl: CHECK,
      findings: [],
      touched: ["hr-sync"],
      settingsChanged: false,
      unplanned: "Okta could not be read",
    });
    expect(body).not.toContain("No changes");
    expect(body).toContain("- `hr-sync`: not checked, `Okta could not be read`");
    expect(body).toContain("**No plan:** the integrations above were left unchecked.");
  });

  it("fits GitHub's comment limit when the plan does not, and points to the check run", async () => {
    const r = t.repo();
    const names = Array.from({ length: 60 }, (_, i) => `cmt-big-${i}`);
    names.forEach((n, i) => r.write(n, { network: { allow: [`198.51.100.${i}/32`] } }));
    const body = await commentOf(r, names);
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(body).toContain(
      `> ⚠️ This plan is shortened to fit GitHub's comment limit (65,536 characters): the largest details are left out. The [check run](${CHECK}) has all of it.`,
    );
    expect(body).toContain(
      "**Plan: 360 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 0 refused.**",
    );
    expect(body.split("\n").filter((l) => l.startsWith("#### ")).length).toBe(60);
  }, 60_000);

  it("shows a hostile label set in Okta as inert code", async () => {
    // An org of its own: the whole of it is planned (an app relabelled in Okta is found by its
    // marker in a full read).
    const own = await oktaSession();
    const [org, okta] = [own.org, own.okta];
    const r = t.repo();
    r.write("cmt-hostile", { network: { allow: ["203.0.113.77/32"] } });
    await applyChanges(workspaceOf(r), { okta }, { confirmDeletions: false });
    const admin = sswsClient(org);
    const appId = Object.values(org.state.apps).find((a) => a.label === "cmt-hostile")!.id;
    const app = await admin.applicationApi.getApplication({ appId });
    app.label = HOSTILE;
    await admin.applicationApi.replaceApplication({ appId, application: app });
    const ws = workspaceOf(r);
    const body = planComment({
      headSha: SHA,
      checkRunUrl: CHECK,
      findings: ws.findings,
      touched: ["cmt-hostile"],
      settingsChanged: false,
      plan: await planChange(ws, okta),
    });
    await org.close();
    // The label, as JSON in one code span that nothing in it can close: the pipes escaped, the
    // controls replaced, the escapes of JSON left as text ...
    expect(body).toContain(
      '| ~ update | `app cmt-hostile` | ````label: "x`\\|@acme/identity ![p](https://ev.il/p)<img src=x>```\ufffd2J\ufffd\\r\\u001b[2KNo changes: Okta matches.\\u001b[0m\\n\\|a\\|" → "cmt-hostile"```` |  |',
    );
    // ... so that outside code GitHub renders none of it.
    const live = outsideCode(body);
    for (const s of ["@acme", "<img", "![", "ev.il", "No changes"]) expect(live).not.toContain(s);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(body).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});
