// A pull request that loosens .okta-gitops.yml is checked under the default branch's settings and
// needs the Identity approval; and hostile text, from a file or from Okta, comes out inert in the
// plan comment and the check runs (no HTML, image, link, mention or control character is live).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runApply } from "../../src/cli/commands/apply.js";
import { pullRequestReviewEvent } from "../support/local-github/webhooks.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, Repo } from "../reconcile/harness.js";
import {
  APPROVAL,
  botComments,
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

beforeAll(async () => {
  w = await startWorld({ repository: REPO });
  w.gh.createRepo(REPO);
  w.gh.commit(REPO, "main", {
    ".okta-gitops.yml": "apiVersion: okta-gitops/v1\nkind: Config\n",
    "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
  });
  w.gh.addTeamMember("acme", "identity", "ines");
});

afterAll(async () => {
  expect(w.gh.violations()).toEqual([]);
  await w.close();
});

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The Markdown with every code span and fenced block taken out: what GitHub renders live. */
function outsideCode(md: string): string {
  return md
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, "")
    .replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, "");
}

function expectInert(md: string | null) {
  expect(md ?? "").not.toMatch(CONTROLS);
  const live = outsideCode(md ?? "");
  for (const bad of ["@octocat", "![", "<img", "ev.il", "@acme/everyone"])
    expect(live).not.toContain(bad);
}

describe("settings changed in a pull request", () => {
  it("are not used to check it: main's settings apply, the check says so, and the change needs the Identity approval", async () => {
    const head = w.gh.commit(
      REPO,
      "loosen",
      {
        ".okta-gitops.yml":
          "apiVersion: okta-gitops/v1\nkind: Config\npolicy:\n  rateLimit:\n    maxPercent: 90\n",
        "integrations/greedy.yaml": integrationYaml("greedy", {
          network: { allow: ["198.51.100.33/32"] },
          rateLimit: { percent: 80 },
        }),
      },
      { author: "bob" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "loosen", author: "bob" });
    await pullRequestDelivery(w, REPO, pr, "opened");

    const policy = latestCheck(w, REPO, head, POLICY);
    expect(policy.conclusion).toBe("failure");
    expect(
      policy.annotations.some(
        (a) => a.title === "rate-limit.too-high" && a.path === "integrations/greedy.yaml",
      ),
    ).toBe(true);
    expect(policy.output.summary).toContain("checked under the default branch's settings");
    const approval = latestCheck(w, REPO, head, APPROVAL);
    expect(approval.conclusion).toBe("failure");
    expect(approval.output.summary).toContain(".okta-gitops.yml");

    // Approved by a member: the settings change is approved, and main's settings still apply.
    const id = w.gh.review(REPO, pr, { user: "ines", state: "APPROVED" });
    await send(w, "pull_request_review", pullRequestReviewEvent(w.gh, REPO, pr, id, "submitted"));
    expect(latestCheck(w, REPO, head, APPROVAL).conclusion).toBe("success");
    expect(latestCheck(w, REPO, head, POLICY).conclusion).toBe("failure");
  });

  it("with only comments changed need no approval", async () => {
    const head = w.gh.commit(
      REPO,
      "comment",
      { ".okta-gitops.yml": "# the defaults\napiVersion: okta-gitops/v1\nkind: Config\n" },
      { author: "bob" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "comment", author: "bob" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    expect(latestCheck(w, REPO, head, APPROVAL).conclusion).toBe("neutral");
    expect(latestCheck(w, REPO, head, POLICY).output.summary).toContain(
      "checked under the default branch's settings",
    );
  });
});

describe("hostile text", () => {
  const HOSTILE = "x`|@octocat ![p](https://ev.il/p)[a](//ev.il)<img src=x>\u009b2J\u202e\r\x1b[2K";

  it("from a file is inert in the comment, the check run and its annotations", async () => {
    const text =
      integrationYaml("hostile", { network: { allow: ["198.51.100.44/32"] } }).replace(
        /purpose: .*/,
        `purpose: ${JSON.stringify(`${HOSTILE} @acme/everyone <b>hi</b>`)}`,
      ) + `${JSON.stringify(`@acme/everyone ![x](https://ev.il/x) <img src=y>`)}: 1\n`;
    const head = w.gh.commit(
      REPO,
      "hostile-file",
      { "integrations/hostile.yaml": text },
      { author: "eve" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "hostile-file", author: "eve" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    const policy = latestCheck(w, REPO, head, POLICY);
    expect(policy.conclusion).toBe("failure");
    // The hostile key is named in a finding: it reaches the summary, inert.
    expect(policy.output.summary).toContain("everyone");
    expectInert(policy.output.summary);
    expectInert(policy.output.text);
    for (const a of policy.annotations) {
      expect(a.message).not.toMatch(CONTROLS);
      expect(a.path).not.toMatch(CONTROLS);
    }
    for (const c of botComments(w, REPO, pr)) expectInert(c.body);
  });

  it("from Okta (a label changed by hand) is inert in the plan comment and the check's text", async () => {
    // hr-sync is applied to the org, then its label is changed in Okta as an admin would.
    const disk = new Repo();
    try {
      disk.write("hr-sync");
      const applied = await cli(runApply, ["--yes"], disk, w.org);
      expect(applied.code, applied.out + applied.err).toBe(0);
    } finally {
      disk.cleanup();
    }
    const admin = sswsClient(w.org);
    const appId = Object.values(w.org.state.apps).find((a) => a.label === "hr-sync")!.id;
    const app = await admin.applicationApi.getApplication({ appId });
    // A label no search by the file's label finds: the pull request's plan finds the app by the
    // bot's marker (it existed at the merge base), and plans the label back.
    app.label = `${HOSTILE} @acme/everyone`.slice(0, 100);
    await admin.applicationApi.replaceApplication({ appId, application: app });

    const head = w.gh.commit(
      REPO,
      "touch-hr",
      { "integrations/hr-sync.yaml": integrationYaml("hr-sync", { rateLimit: { percent: 20 } }) },
      { author: "dana" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "touch-hr", author: "dana" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    const comment = botComments(w, REPO, pr);
    expect(comment).toHaveLength(1);
    expect(comment[0]!.body).toContain("octocat");
    expect(comment[0]!.body).not.toMatch(/#### `hr-sync`[\s\S]*create/);
    expectInert(comment[0]!.body);
    const policy = latestCheck(w, REPO, head, POLICY);
    expectInert(policy.output.summary);
    expectInert(policy.output.text);
  });
});

describe("a relabel", () => {
  it("plans the app's new label as an update of the one app, not as a second app", async () => {
    // ledger is on main and in Okta under its first label.
    const spec = { label: "Ledger Export", network: { allow: ["198.51.100.77/32"] } };
    w.gh.commit(REPO, "main", { "integrations/ledger.yaml": integrationYaml("ledger", spec) });
    const disk = new Repo();
    try {
      disk.write("hr-sync");
      disk.write("ledger", spec);
      const applied = await cli(runApply, ["--yes"], disk, w.org);
      expect(applied.code, applied.out + applied.err).toBe(0);
    } finally {
      disk.cleanup();
    }
    const head = w.gh.commit(
      REPO,
      "relabel",
      { "integrations/ledger.yaml": integrationYaml("ledger", { ...spec, label: "Ledger Sync" }) },
      { author: "dana" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "relabel", author: "dana" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    const body = botComments(w, REPO, pr)[0]!.body;
    // Searched by its new label alone, the app would not be found and a second one planned.
    expect(body).toContain("0 to create, 1 to update");
    expect(body).toMatch(/#### `ledger`[\s\S]*update[\s\S]*Ledger Sync/);
    expect(latestCheck(w, REPO, head, POLICY).conclusion).toBe("success");
  });
});

describe("a rename", () => {
  it("plans the removal of the old name (held in Okta) and the creation of the new one, and nothing else", async () => {
    // hr-sync is in Okta (applied above).
    const head = w.gh.commit(
      REPO,
      "rename",
      {
        "integrations/hr-sync.yaml": null,
        "integrations/people-sync.yaml": integrationYaml("people-sync", {
          network: { allow: ["198.51.100.55/32"] },
        }),
      },
      { author: "dana" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "rename", author: "dana" });
    await pullRequestDelivery(w, REPO, pr, "opened");
    const body = botComments(w, REPO, pr)[0]!.body;
    expect(body).toMatch(/#### `hr-sync`[\s\S]*delete/);
    expect(body).toMatch(/#### `people-sync`[\s\S]*create/);
    expect(body).not.toContain("greedy");
    expect(latestCheck(w, REPO, head, POLICY).conclusion).toBe("success");
  });
});
