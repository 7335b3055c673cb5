// The `okta-gitops/policy` check run, from the real workflows: a repository's files validated and
// the pull request's integrations planned against a local Okta org over HTTP.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { Config } from "../../../src/model/index.js";
import { validate } from "../../../src/validate.js";
import { planChange } from "../../../src/workflows/plan.js";
import {
  annotationBatches,
  ANNOTATIONS_PER_REQUEST,
  SUMMARY_MAX_BYTES,
  TEXT_MAX_BYTES,
  utf8Bytes,
} from "../../../src/github/render/limits.js";
import { policyCheck } from "../../../src/github/render/policy-check.js";
import type { Repo } from "../../reconcile/harness.js";
import { serviceApp } from "../../reconcile/fixtures.js";
import { localOrgForTests, outsideCode, workspaceOf } from "./support.js";

/** A YAML key a hostile file may hold: a mention, HTML, a fence, a bidi override, an ANSI escape, a
 * line separator. */
const HOSTILE_KEY = "x`@acme/identity <img src=x>```\u202e\x1b[31m \u2028";

const t = localOrgForTests();

/** The policy check of a pull request that touches `touched`, as the job makes it: the plan shows
 * what would change once the exceptions are approved (the approval check decides that). */
async function checkOf(r: Repo, touched: string[], settingsChanged = false) {
  const ws = workspaceOf(r);
  const plan = touched.length
    ? await planChange(workspaceOf(r, ["all"]), t.okta, { only: new Set(touched) })
    : undefined;
  return {
    ws,
    plan,
    check: policyCheck({
      findings: ws.findings,
      files: ws.sources.length,
      touched,
      settingsChanged,
      ...(plan ? { plan } : {}),
    }),
  };
}

describe("the policy check", () => {
  it("succeeds on a compliant change, with the counts and the full plan in its text", async () => {
    const r = t.repo();
    r.write("hr-sync");
    r.write("untouched", { network: { allow: ["203.0.113.20/32"] } });
    const { check } = await checkOf(r, ["hr-sync"]);
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("0 errors, 0 warnings, 0 notices in 2 files");
    expect(check.output.summary).toContain(
      "**0 errors, 0 warnings, 0 notices in 2 files.** Plan: 6 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 0 refused.",
    );
    expect(check.output.text).toContain("#### `hr-sync`");
    expect(check.output.text).toContain("<details><summary>JSON Patch (RFC 6902)</summary>");
    expect(check.output.text).not.toContain("untouched");
    expect(check.output.annotations).toEqual([]);
  });

  it("fails on errors, with an annotation on the line and column of each finding", async () => {
    const r = t.repo();
    r.write("wide-open", { network: { allow: ["10.0.0.1/32"] } });
    const { check, ws } = await checkOf(r, ["wide-open"]);
    expect(check.conclusion).toBe("failure");
    const text = readFileSync(path.join(r.dir, "integrations/wide-open.yaml"), "utf8").split("\n");
    const line = text.findIndex((l) => l.includes("10.0.0.1/32")) + 1;
    const finding = ws.findings.find((f) => f.rule === "network.not-public")!;
    expect(check.output.annotations).toContainEqual({
      path: "integrations/wide-open.yaml",
      start_line: line,
      end_line: line,
      start_column: text[line - 1]!.indexOf("10.0.0.1/32") + 1,
      end_column: finding.endColumn,
      annotation_level: "failure",
      message: finding.message,
      title: "network.not-public",
    });
    expect(check.output.summary).toContain("**Why it fails**\n\n- 1 error must be fixed.");
    expect(check.output.summary).toContain("- `integrations/wide-open.yaml:" + line + ":");
  });

  it("is neutral when the pull request touches no integration and no settings", async () => {
    const r = t.repo();
    r.write("hr-sync");
    const { check } = await checkOf(r, []);
    expect(check.conclusion).toBe("neutral");
    expect(check.output.title).toBe("No integration or settings changed");
    expect(check.output.summary).toContain(
      "- This pull request changes no integration and no settings: nothing is planned.",
    );
    expect(check.output.text).toBeUndefined();
  });

  it("says that a changed settings file is checked under the default branch's until merged", async () => {
    const r = t.repo();
    r.write("hr-sync");
    const { check } = await checkOf(r, [], true);
    expect(check.conclusion).toBe("success");
    expect(check.output.summary).toContain(
      "- The settings file (`.okta-gitops.yml`) changed in this pull request: checked under the default branch's settings until merged, and the change needs the Identity team's approval.",
    );
  });

  it("lists the exceptions that need the Identity team's approval, as warnings", async () => {
    const r = t.repo();
    r.write("no-dpop", {
      dpop: false,
      exceptions: { dpop: "The vendor's client has no DPoP yet" },
    });
    const { check } = await checkOf(r, ["no-dpop"]);
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe(
      "0 errors, 1 warning, 0 notices in 1 file; 1 exception to approve",
    );
    expect(check.output.summary).toMatch(
      /\*\*Needs the Identity team's approval \(see `okta-gitops\/identity-approval`\)\*\*\n\n- `no-dpop`: `dpop.disabled` at `integrations\/no-dpop.yaml:\d+:\d+`\n/,
    );
    expect(check.output.annotations!.map((a) => [a.title, a.annotation_level])).toEqual([
      ["dpop.disabled", "warning"],
    ]);
    // Risk first in the plan: the exception, then the operations' risk flags.
    const text = check.output.text!;
    const at = (s: string) => text.indexOf(s);
    expect(
      at("**Exception, needs the Identity team's approval:** ⚠️ `dpop.disabled`"),
    ).toBeGreaterThan(at("#### `no-dpop`"));
    expect(at("**Risk:** ⚠️ `dpop-off` ×1")).toBeGreaterThan(at("**Exception"));
    expect(at("| | object | before → after | risk |")).toBeGreaterThan(at("**Risk:**"));
  });

  it("keeps a hostile key's name inert: plain text without controls in the annotation, code in the summary", async () => {
    const r = t.repo();
    const doc = serviceApp("hostile-key", { network: { allow: ["203.0.113.99/32"] } });
    (doc.spec as Record<string, unknown>)[HOSTILE_KEY] = 1;
    r.writeDoc(doc);
    const { check } = await checkOf(r, ["hostile-key"]);
    expect(check.conclusion).toBe("failure");
    const annotation = check.output.annotations!.find((a) => a.title === "schema.unknown-key")!;
    expect(annotation.message).toBe(
      'spec.x`@acme/identity <img src=x>```\ufffd\ufffd[31m \ufffd: unknown key "x`@acme/identity <img src=x>```\ufffd\\u001b[31m \ufffd" (allowed here: label, scopes, role, credentials, dpop, tokenExchange, network, rateLimit, exceptions)',
    );
    expect(check.output.summary).toContain(
      '`schema.unknown-key` error: ````spec.x`@acme/identity <img src=x>```\ufffd\ufffd[31m ⏎: unknown key "x`@acme/identity <img src=x>```\ufffd\\u001b[31m ⏎" (allowed here: label, scopes, role, credentials, dpop, tokenExchange, network, rateLimit, exceptions)````',
    );
    const live = outsideCode(check.output.summary);
    for (const s of ["@acme", "<img"]) expect(live).not.toContain(s);
  });

  it("fails, naming every touched integration, when no plan could be made", () => {
    const check = policyCheck({
      findings: [],
      files: 1,
      touched: ["hr-sync"],
      settingsChanged: false,
      unplanned: "Okta could not be read: connect ECONNREFUSED",
    });
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(
      "- `hr-sync`: not checked, `Okta could not be read: connect ECONNREFUSED`",
    );
    expect(check.output.summary).not.toContain("No changes");
  });

  it("stays within the byte limits with 10,000 findings, says it was cut, and annotates every one", () => {
    // Real findings: 1,250 files, each with four addresses the policy refuses.
    const files = Array.from({ length: 1250 }, (_, i) => ({
      path: `integrations/svc-${i}.yaml`,
      bytes: new TextEncoder().encode(
        stringify(
          serviceApp(`svc-${i}`, {
            network: {
              allow: [
                `10.${i >> 8}.${i & 255}.1/32`,
                "0.0.0.0/0",
                "127.0.0.1",
                `192.168.${i & 255}.0/30`,
              ],
            },
            dpop: false,
            exceptions: { dpop: "Le client 漢字 n'a pas encore DPoP 😀" },
          }),
        ),
      ),
    }));
    const { findings } = validate({ files, config: Config.parse({}), today: "2026-11-29" });
    expect(findings.length).toBeGreaterThanOrEqual(10_000);
    const check = policyCheck({
      findings,
      files: files.length,
      touched: files.map((_, i) => `svc-${i}`),
      settingsChanged: false,
      unplanned: "the tree has errors",
    });
    expect(check.conclusion).toBe("failure");
    expect(utf8Bytes(check.output.summary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(utf8Bytes(check.output.summary)).toBeGreaterThan(SUMMARY_MAX_BYTES - 1000);
    expect(check.output.summary).toMatch(
      /\*\*✂ Cut here:\*\* [\d,]+ more bytes do not fit GitHub's limit of 65,535 bytes\.$/,
    );
    expect(check.output.annotations).toHaveLength(findings.length);
    const batches = annotationBatches(check.output.annotations!);
    expect(batches).toHaveLength(Math.ceil(findings.length / ANNOTATIONS_PER_REQUEST));
    for (const a of check.output.annotations!) expect(a.title!.length).toBeLessThanOrEqual(255);
  });

  it("fits a plan larger than a check run's text, saying it was shortened", async () => {
    const r = t.repo();
    const names = Array.from({ length: 120 }, (_, i) => `svc-${i}`);
    for (const n of names) r.write(n);
    const { check } = await checkOf(r, names);
    expect(check.conclusion).toBe("success");
    const text = check.output.text!;
    expect(utf8Bytes(text)).toBeLessThanOrEqual(TEXT_MAX_BYTES);
    expect(text).toContain(
      "> ⚠️ This plan is shortened to fit GitHub's limit of 65,535 bytes for a check run's text: the largest details are left out.",
    );
    expect(text).toContain(
      "**Plan: 720 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 0 refused.**",
    );
  });
});
