// The Identity approval of an API token exception, decided by content: which reviews count, and
// which commits keep or clear an approval. Each step is a signed webhook to the real server; what
// is asserted is the okta-gitops/identity-approval check on the head and what its summary says.
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestReviewEvent } from "../support/local-github/webhooks.js";
import { tokenException } from "../reconcile/fixtures.js";
import {
  APPROVAL,
  integrationYaml,
  latestCheck,
  POLICY,
  pullRequestDelivery,
  send,
  startWorld,
  type World,
} from "./support.js";

let w: World;
const REPO = "acme/okta-access";
const FILE = "integrations/legacy-payroll.yaml";

const exception = (justification: string, percent = 10) => {
  const doc = tokenException("legacy-payroll", "00T1lgcyPay0rll8Q3", { percent });
  return stringify({ ...doc, spec: { ...doc.spec, justification } });
};

beforeAll(async () => {
  w = await startWorld({ repository: REPO });
  w.gh.createRepo(REPO);
  w.gh.commit(REPO, "main", { "integrations/hr-sync.yaml": integrationYaml("hr-sync") });
  w.gh.addTeamMember("acme", "identity", "ines");
});

afterAll(async () => {
  expect(w.gh.violations()).toEqual([]);
  await w.close();
});

async function reviewed(pr: number, user: string, commitId?: string) {
  const id = w.gh.review(REPO, pr, { user, state: "APPROVED", ...(commitId ? { commitId } : {}) });
  await send(w, "pull_request_review", pullRequestReviewEvent(w.gh, REPO, pr, id, "submitted"));
  return id;
}

const approval = (sha: string) => latestCheck(w, REPO, sha, APPROVAL);

describe("the Identity approval of a token exception", () => {
  it("counts only an active member's approval of the content at the head, and keeps it while the exception stays the same", async () => {
    const c1 = w.gh.commit(
      REPO,
      "token",
      { [FILE]: exception("The vendor supports only SSWS") },
      { author: "alice" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "token", author: "alice" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    expect(latestCheck(w, REPO, c1, POLICY).conclusion).toBe("success");
    let check = approval(c1);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("legacy-payroll");
    expect(check.output.summary).toContain("acme/identity");

    // Not a member of the team.
    await reviewed(pr, "mallory");
    check = approval(c1);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("@mallory is not a member of @acme/identity");

    // The pull request's author.
    w.gh.addTeamMember("acme", "identity", "alice");
    await reviewed(pr, "alice");
    check = approval(c1);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("@alice is the pull request's author");

    // A member's approval of an earlier commit, where the exception read otherwise.
    const c2 = w.gh.commit(
      REPO,
      "token",
      { [FILE]: exception("The vendor supports only SSWS tokens until Q2") },
      { author: "alice" },
    );
    await pullRequestDelivery(w, REPO, pr, "synchronize", c1);
    await reviewed(pr, "ines", c1);
    check = approval(c2);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(
      `@ines approved ${c1.slice(0, 7)}, where the exception differed`,
    );

    // A member's approval of the head: passes.
    await reviewed(pr, "ines", c2);
    check = approval(c2);
    expect(check.conclusion).toBe("success");
    expect(check.output.summary).toContain("ines");

    // A commit that changes the exception clears it.
    const c3 = w.gh.commit(
      REPO,
      "token",
      { [FILE]: exception("The vendor supports only SSWS tokens until Q2", 5) },
      { author: "alice" },
    );
    await pullRequestDelivery(w, REPO, pr, "synchronize", c2);
    check = approval(c3);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(
      `@ines approved ${c2.slice(0, 7)}, where the exception differed`,
    );

    // Approved again; then a commit that changes only another file keeps it.
    const again = await reviewed(pr, "ines", c3);
    expect(approval(c3).conclusion).toBe("success");
    const c4 = w.gh.commit(
      REPO,
      "token",
      {
        "integrations/other.yaml": integrationYaml("other", {
          network: { allow: ["198.51.100.70/32"] },
        }),
        "README.md": "x\n",
      },
      { author: "alice" },
    );
    await pullRequestDelivery(w, REPO, pr, "synchronize", c3);
    expect(approval(c4).conclusion).toBe("success");

    // A dismissed approval no longer counts.
    w.gh.dismissReview(REPO, pr, again);
    await send(
      w,
      "pull_request_review",
      pullRequestReviewEvent(w.gh, REPO, pr, again, "dismissed"),
    );
    expect(approval(c4).conclusion).toBe("failure");

    // A commit never changes: each one's archive was downloaded once, however many reviews and
    // pushes asked about it.
    const downloads = w.gh.requests().filter((r) => r.operationId === "codeload");
    for (const sha of [c1, c2, c3, c4])
      expect(downloads.filter((r) => r.path.includes(sha)).length, sha).toBe(1);
  });

  it("does not count a changer of the exception, even a team member", async () => {
    const c1 = w.gh.commit(
      REPO,
      "token-2",
      {
        "integrations/legacy-hr.yaml": stringify(
          tokenException("legacy-hr", "00T1lgcyHr00000008Q3", { login: "svc-legacy-hr" }),
        ),
      },
      { author: "alice" },
    );
    w.gh.addTeamMember("acme", "identity", "ivan");
    const c2 = w.gh.commit(
      REPO,
      "token-2",
      {
        "integrations/legacy-hr.yaml": stringify(
          tokenException("legacy-hr", "00T1lgcyHr00000008Q3", {
            login: "svc-legacy-hr",
            percent: 5,
          }),
        ),
      },
      { author: "ivan" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "token-2", author: "alice" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    await reviewed(pr, "ivan", c2);
    const check = approval(c2);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(
      "@ivan changed integrations/legacy-hr.yaml in this pull request",
    );
    expect(c1).not.toBe(c2);
  });

  it("keeps an approval through a rebase that leaves the exception alone", async () => {
    const file = "integrations/legacy-ops.yaml";
    const doc = stringify(
      tokenException("legacy-ops", "00T1lgcyOps0000008Q3", { login: "svc-legacy-ops" }),
    );
    const c1 = w.gh.commit(REPO, "token-3", { [file]: doc }, { author: "alice" });
    const pr = w.gh.openPullRequest(REPO, { head: "token-3", author: "alice" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    await reviewed(pr, "ines", c1);
    expect(approval(c1).conclusion).toBe("success");
    // main moves on; the branch is rebased onto it (new shas, same changes) and force-pushed.
    w.gh.commit(REPO, "main", { "README.md": "main moved\n" }, { author: "dana" });
    const rebased = w.gh.rebaseBranch(REPO, "token-3");
    expect(rebased).not.toBe(c1);
    await pullRequestDelivery(w, REPO, pr, "synchronize", c1);
    expect(approval(rebased).conclusion).toBe("success");
  });

  it("cannot be given when a commit that changed the exception has no GitHub account linked", async () => {
    const file = "integrations/legacy-fin.yaml";
    const doc = stringify(
      tokenException("legacy-fin", "00T1lgcyFin0000008Q3", { login: "svc-legacy-fin" }),
    );
    const c1 = w.gh.commit(REPO, "token-4", { [file]: doc }, { author: null });
    const pr = w.gh.openPullRequest(REPO, { head: "token-4", author: "alice" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    await reviewed(pr, "ines", c1);
    const check = approval(c1);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("no GitHub account linked");
  });
});
