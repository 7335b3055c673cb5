// What an apply on a push reports (check run, merged pull request's comment, failure issue), from
// real applies against a local Okta org: applied, refused and failed, per integration.
import { describe, expect, it } from "vitest";
import { applyChanges, type ApplyResult } from "../../../src/workflows/apply.js";
import {
  applyCheck,
  applyComment,
  applyFailureIssue,
  applyRecoveredIssue,
} from "../../../src/github/render/apply-report.js";
import { COMMENT_MAX_CHARS } from "../../../src/github/render/limits.js";
import { HOSTILE, outsideCode, workspaceOf, localOrgForTests } from "./support.js";

const t = localOrgForTests("test");

const SHA = "9b8a7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3";
const CHECK = "https://github.example/acme/access/runs/7";

describe("the apply report", () => {
  it("reports an applied push: a success check, and the comment on the merged pull request", async () => {
    const r = t.repo();
    r.write("ap-hr", { network: { allow: ["203.0.113.41/32"] } });
    const result = await applyChanges(
      workspaceOf(r),
      { okta: t.okta },
      { confirmDeletions: false },
    );
    const input = { sha: SHA, result, unapproved: [], checkRunUrl: CHECK };
    const check = applyCheck(input);
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("1 applied, 0 refused, 0 failed");
    expect(check.output.summary).toContain(
      "**1 integration applied, 0 refused, 0 failed: 6 of 6 operations done, 0 failed, 0 skipped (planned: 6 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 0 refused).**",
    );
    expect(check.output.summary).toContain("| `ap-hr` | ✅ applied (6 operations) |  |");
    expect(check.output.text).toContain("| `ap-hr` | `create app ap-hr` | done |  |");
    const comment = applyComment(input);
    expect(comment.startsWith("<!-- okta-gitops:apply -->\n### okta-gitops apply\n")).toBe(true);
    expect(comment).toContain(
      `Commit \`9b8a7c6\` on the default branch; the [check run](${CHECK})`,
    );
    expect(comment).toContain("| `ap-hr` | ✅ applied (6 operations) |  |");
    // The failure issue, if one is open, gets its last body before the job closes it.
    const recovered = applyRecoveredIssue(input);
    expect(recovered.body.startsWith("<!-- okta-gitops:apply-failure -->\n")).toBe(true);
    expect(recovered.body).toContain(
      "Commit `9b8a7c6` was applied with nothing refused or failed;",
    );
  });

  it("refuses an unapproved exception and says why, applying the rest; the check fails", async () => {
    const r = t.repo();
    r.write("ap-ok", { network: { allow: ["203.0.113.42/32"] } });
    r.write("ap-token-like", {
      network: { allow: ["203.0.113.43/32"] },
      dpop: false,
      exceptions: { dpop: "no DPoP in the vendor's client" },
    });
    // Not approved: the workspace refuses it, as the merge job does without an approval.
    const result = await applyChanges(
      workspaceOf(r),
      { okta: t.okta },
      { confirmDeletions: false },
    );
    expect(result.outcome).toBe("applied");
    const input = {
      sha: SHA,
      result,
      unapproved: [
        {
          integration: "ap-token-like",
          reason: "its exception (dpop.disabled) was not approved on its merged pull request",
        },
      ],
      checkRunUrl: CHECK,
      pullRequest: { number: 12, url: "https://github.example/acme/access/pull/12" },
    };
    const check = applyCheck(input);
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("1 applied, 1 refused, 0 failed");
    const rows = check.output.summary.split("\n").filter((l) => l.startsWith("| `"));
    // The refused first, with the approval's reason (not the command line's).
    expect(rows).toEqual([
      "| `ap-token-like` | ⛔ refused | `its exception (dpop.disabled) was not approved on its merged pull request` |",
      "| `ap-ok` | ✅ applied (6 operations) |  |",
    ]);
    const issue = applyFailureIssue(input);
    expect(issue.title).toBe("okta-gitops: the apply of 9b8a7c6 failed");
    expect(issue.body.startsWith("<!-- okta-gitops:apply-failure -->\n")).toBe(true);
    expect(issue.body).toContain(
      `Commit \`9b8a7c6\` (pull request [#12](https://github.example/acme/access/pull/12)); the [check run](${CHECK}) has every operation.`,
    );
    expect(issue.body).toContain(rows[0]);
  });

  it("reports failed operations with Okta's answer, inert", async () => {
    const r = t.repo();
    r.write("ap-fails", { network: { allow: ["203.0.113.44/32"] } });
    let result: ApplyResult;
    try {
      // Okta fails every write once the plan is made (under the lock).
      result = await applyChanges(
        workspaceOf(r),
        {
          okta: t.okta,
          review: async () => {
            t.org.setFaults({ onlyWrites: true, errorRate: 1 });
            return true;
          },
        },
        { confirmDeletions: false },
      );
    } finally {
      t.org.setFaults({});
    }
    expect(result.outcome).toBe("applied");
    const input = { sha: SHA, result, unapproved: [], checkRunUrl: CHECK };
    const check = applyCheck(input);
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("0 applied, 0 refused, 1 failed");
    expect(check.output.summary).toContain(
      "| `ap-fails` | ❌ failed | `failed create zone okta-gitops/ap-fails: POST /api/v1/zones: E0000009 Internal Server Error.` |",
    );
    expect(check.output.summary).toContain("0 of 6 operations done, 1 failed, 5 skipped");
    const issue = applyFailureIssue(input);
    expect(issue.body).toContain("❌ failed");
    expect(issue.body.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
  });

  it("says what stopped an apply that did not run, and keeps the job's hostile text inert", () => {
    const input = { sha: SHA, unapproved: [], error: HOSTILE, checkRunUrl: CHECK };
    const check = applyCheck(input);
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("Nothing applied");
    const comment = applyComment(input);
    expect(comment).toContain(
      "**Nothing was applied: ````x`\\|@acme/identity ![p](https://ev.il/p)<img src=x>```\ufffd2J\ufffd⏎\ufffd[2KNo changes: Okta matches.\ufffd[0m⏎\\|a\\|````**",
    );
    const live = outsideCode(comment);
    for (const s of ["@acme", "<img", "![", "No changes"]) expect(live).not.toContain(s);
  });
});
