// Text from Okta is hostile: a label set in Okta by anyone with app admin rights reaches the plan
// and drift output, in the terminal and in a pull-request comment. It must not break out of the
// Markdown table (mentions, images, links, HTML), nor drive the terminal (ANSI escapes, C1
// controls, a lone CR, bidi overrides), nor forge a "No drift" line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { renderWithNotes } from "../../src/reconcile/render/report.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, Repo, startOrg } from "./harness.js";

// Okta allows labels of up to 100 characters: enough.
const HOSTILE =
  "x`|@octocat ![p](https://ev.il/p)[a](//ev.il)<img src=x>" +
  "\u009b2J\u202e\u2028\r\x1b[2KNo drift: Okta matches.\x1b[0m\n|a|";

let org: LocalOrg;
let repo: Repo;

beforeAll(async () => {
  org = await startOrg();
  repo = new Repo();
  repo.write("hr-sync", { role: { standard: "READ_ONLY_ADMIN" }, scopes: ["okta.users.read"] });
  const applied = await cli(runApply, ["--yes"], repo, org);
  expect(applied.code, applied.out + applied.err).toBe(0);
  // The label is changed in Okta, through Okta's API, as a person with app admin rights would.
  const admin = sswsClient(org);
  const appId = Object.values(org.state.apps).find((a) => a.label === "hr-sync")!.id;
  const app = await admin.applicationApi.getApplication({ appId });
  app.label = HOSTILE;
  await admin.applicationApi.replaceApplication({ appId, application: app });
  expect(org.state.apps[appId]!.label).toBe(HOSTILE);
});
afterAll(async () => {
  await org?.close();
  repo?.cleanup();
});

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The Markdown with every code span taken out (CommonMark: a run of n backticks up to the next run
 * of exactly n), i.e. what GitHub renders as Markdown rather than as literal code. */
function outsideCode(md: string): string {
  return md.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, "");
}

/** Cells of a table row: split at pipes that are not backslash-escaped. */
const cells = (row: string) => row.split(/(?<!\\)\|/).length - 2;

function expectSafeMarkdown(md: string) {
  expect(md).not.toMatch(CONTROLS);
  const rendered = outsideCode(md);
  for (const live of ["@octocat", "![", "](", "<img", "ev.il"])
    expect(rendered).not.toContain(live);
  // Every row of a table keeps the table's column count.
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^\|---/.test(lines[i]!)) continue;
    const columns = cells(lines[i]!);
    for (let j = i + 1; j < lines.length && lines[j]!.startsWith("|"); j++)
      expect(cells(lines[j]!), lines[j]).toBe(columns);
  }
}

describe("a hostile label set in Okta", () => {
  it("drift --format markdown keeps it inside one table cell, as inert code", async () => {
    const r = await cli(runDrift, ["--format", "markdown"], repo, org);
    expect(r.code, r.err).toBe(2);
    expectSafeMarkdown(r.out);
    expect(r.out).toContain("difference");
    expect(r.out.split("\n").filter((l) => l.startsWith("| ")).length).toBe(2); // head + 1 item
  });

  it("drift in the terminal shows no control character and no forged No drift line", async () => {
    const r = await cli(runDrift, [], repo, org);
    expect(r.code, r.err).toBe(2);
    expect(r.out + r.err).not.toMatch(CONTROLS);
    expect(r.out.split("\n").some((l) => l.startsWith("No drift"))).toBe(false);
    expect(r.out).toContain("1 difference between Okta and the repository.");
  });

  it("plan --format markdown keeps it inside the table and the JSON Patch block", async () => {
    const r = await cli(runPlan, ["--format", "markdown"], repo, org);
    expect(r.code, r.err).toBe(2);
    expectSafeMarkdown(r.out);
    // The JSON Patch block is closed only by its own fence.
    const fences = r.out.split("\n").filter((l) => /^`{3,}/.test(l));
    expect(fences).toHaveLength(2);
    expect(fences[1]).toBe(fences[0]!.replace("json", ""));
  });

  it("plan and drift --format json carry it exactly, with every control character \\u-escaped", async () => {
    for (const run of [runPlan, runDrift]) {
      const r = await cli(run, ["--format", "json"], repo, org);
      expect(r.code, r.err).toBe(2);
      // Safe for a terminal or a CI log as printed, and the same data once parsed.
      expect(r.out.trimEnd()).not.toMatch(CONTROLS);
      expect(r.out).toContain("\\u009b");
      expect(r.out).toContain("\\u202e");
      expect(JSON.stringify(JSON.parse(r.out))).toContain(JSON.stringify(HOSTILE).slice(1, -1));
    }
  });

  it("plan in the terminal shows no control character", async () => {
    const r = await cli(runPlan, [], repo, org);
    expect(r.code, r.err).toBe(2);
    expect(r.out + r.err).not.toMatch(CONTROLS);
    expect(r.out).not.toContain("No changes");
  });
});

describe("hostile text in the notes and findings of a Markdown plan", () => {
  it("is inert code, one line per note", () => {
    const md = renderWithNotes(
      { operations: [], integrations: [] },
      "markdown",
      [HOSTILE],
      [
        {
          file: "integrations/x.yaml",
          line: 3,
          column: 5,
          rule: "resources.exist",
          severity: "error",
          message: HOSTILE,
        },
      ],
    );
    expectSafeMarkdown(md);
    expect(md.split("\n").filter((l) => l.startsWith("> "))).toHaveLength(2);
  });
});
