// A plan's Markdown is a pull-request comment: it must fit GitHub's limit (65,536 characters).
// When it would not, the summary and every integration's header stay, the largest details are
// folded or cut, and a note says so.
import { describe, expect, it } from "vitest";
import { renderWithNotes } from "../../src/reconcile/render/report.js";
import type { Operation, Plan } from "../../src/reconcile/model.js";
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from "../../src/reconcile/render/index.js";

const LIMIT = GITHUB_COMMENT_LIMIT;

function appCreate(integration: string, keyBytes: number): Operation {
  return {
    id: `${integration}/app`,
    integration,
    kind: "app",
    action: "create",
    after: {
      label: integration,
      jwks: [{ kid: "k1", kty: "RSA", e: "AQAB", n: "n".repeat(keyBytes) }],
    },
    risks: [],
    dependsOn: [],
  };
}

function grant(integration: string, scope: string): Operation {
  return {
    id: `${integration}/grant/${scope}`,
    integration,
    kind: "grant",
    action: "create",
    after: { scope },
    risks: ["new-manage-scope"],
    dependsOn: [],
  };
}

const planOf = (operations: Operation[]): Plan => ({
  operations,
  integrations: [...new Set(operations.map((o) => o.integration))],
});

const headers = (md: string) => md.split("\n").filter((l) => l.startsWith("#### ")).length;
const SHORTENED = "This plan is shortened to fit GitHub's comment limit";

describe("the Markdown plan within GitHub's comment limit", () => {
  it("leaves a plan that fits as it is, JSON Patch included", () => {
    const md = renderMarkdown(
      planOf([appCreate("hr-sync", 400), grant("hr-sync", "okta.users.read")]),
    );
    expect(md).not.toContain(SHORTENED);
    expect(md).toContain("<details><summary>JSON Patch (RFC 6902)</summary>");
    expect(
      md.startsWith(
        "**Plan: 2 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 0 refused.**",
      ),
    ).toBe(true);
  });

  it("folds the largest JSON Patches first, keeping every header and row", () => {
    // 60 integrations with 1.5 kB keys: their patches alone are over the limit.
    const ops = Array.from({ length: 60 }, (_, i) => appCreate(`svc-${i}`, 1500));
    const full = renderMarkdown(planOf(ops), Number.MAX_SAFE_INTEGER);
    expect(full.length).toBeGreaterThan(LIMIT);
    const md = renderMarkdown(planOf(ops));
    expect(md.length).toBeLessThanOrEqual(LIMIT);
    expect(md).toContain(
      "**Plan: 60 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 0 refused.**",
    );
    expect(md).toContain(SHORTENED);
    expect(headers(md)).toBe(60);
    expect(md).toContain("JSON Patch left out");
    // Some patches still fit and are kept; every row (the before → after) stays.
    expect(md).toContain("<details><summary>JSON Patch (RFC 6902)</summary>");
    expect(md.split("\n").filter((l) => l.startsWith("| + create |"))).toHaveLength(60);
  });

  it("cuts the rows of the largest integration and says how many", () => {
    const many = Array.from({ length: 2000 }, (_, i) => grant("big-sync", `okta.scope${i}.manage`));
    const md = renderMarkdown(planOf([grant("small-sync", "okta.users.read"), ...many]));
    expect(md.length).toBeLessThanOrEqual(LIMIT);
    expect(headers(md)).toBe(2);
    expect(md).toContain("| + create | `grant okta.users.read` |");
    expect(md).toMatch(/\| … \| \d+ more operations not shown \| \| \|/);
    const shown = md.split("\n").filter((l) => l.includes("`grant okta.scope")).length;
    const cut = Number(/(\d+) more operations not shown/.exec(md)![1]);
    expect(shown + cut).toBe(2000);
  });

  it("names the rest by count when even the headers do not fit", () => {
    const ops = Array.from({ length: 3000 }, (_, i) =>
      grant(`integration-${i}`, "okta.users.read"),
    );
    const md = renderMarkdown(planOf(ops));
    expect(md.length).toBeLessThanOrEqual(LIMIT);
    expect(md).toContain("**Plan: 3000 to create");
    const shown = headers(md);
    expect(shown).toBeGreaterThan(100);
    expect(md).toContain(`_… and ${3000 - shown} more integrations not shown._`);
  });

  it("keeps the whole comment, notes included, within the limit", () => {
    const ops = Array.from({ length: 60 }, (_, i) => appCreate(`svc-${i}`, 1500));
    const notes = Array.from({ length: 2000 }, (_, i) => `svc-${i}: refused, fails the policy`);
    const md = renderWithNotes(planOf(ops), "markdown", notes);
    expect(md.length).toBeLessThanOrEqual(LIMIT);
    expect(md).toContain("> `svc-0: refused, fails the policy`");
    expect(md).toMatch(/> … \d+ more notes/);
    expect(headers(md)).toBe(60);
  });
});
