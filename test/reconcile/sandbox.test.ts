// Against the local org (no OKTA_* settings) exceptions count as approved, so that the quick start
// runs; apply says so in a line naming those integrations, and its help documents it. With OKTA_*
// set (real Okta, here the same local org reached as Okta), only --approved counts.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { APPLY_HELP, runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { Repo, testIo } from "./harness.js";
import { tokenException } from "./fixtures.js";

// A token the org does not hold: the plan notes it and makes its zone ready.
const exception = tokenException("legacy-payroll", "00Tnotseeded000000x");

const repo = new Repo();
afterAll(() => repo.cleanup());

describe("exceptions against the local org", () => {
  it("are treated as approved, and apply says which and why", async () => {
    repo.write("siem-reader", { scopes: ["okta.logs.read"], role: { standard: "REPORT_ADMIN" } });
    repo.writeDoc(exception);
    const io = testIo(repo.dir, {});
    const code = await runApply(["--yes"], io);
    expect(code, io.out + io.err).toBe(0);
    expect(io.err).toContain("Using the local Okta org");
    const line = io.out.split("\n").find((l) => l.startsWith("Local org:"));
    expect(line).toBe(
      "Local org: the exceptions of legacy-payroll were treated as approved without the Identity team's approval, because Okta here is the local sandbox org (no OKTA_* settings); against Okta they need --approved.",
    );
    // The plan says it too; an integration explicitly approved is not listed.
    const plan = testIo(repo.dir, {});
    expect(await runPlan(["--approved", "legacy-payroll"], plan)).toBe(0);
    expect(plan.err).not.toContain("treated as approved");
    const json = testIo(repo.dir, {});
    await runApply(["--yes", "--format", "json"], json);
    expect(JSON.parse(json.out)).toMatchObject({ sandboxApproved: ["legacy-payroll"] });
  }, 30_000);

  it("is documented in apply --help", () => {
    expect(APPLY_HELP).toMatch(/local org[\s\S]*treated\s+as approved[\s\S]*--approved counts/);
  });
});

/** One integration's part of a text plan: its name's line to the next unindented line. */
function section(out: string, name: string): string {
  const lines = out.split("\n");
  const from = lines.indexOf(name);
  if (from < 0) return "";
  const to = lines.findIndex((l, i) => i > from && !l.startsWith(" "));
  return lines.slice(from, to < 0 ? undefined : to).join("\n");
}

/** The files of this repository that a fresh clone has, copied to a temporary folder. */
function freshClone(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "okta-gitops-clone-"));
  const root = path.resolve(import.meta.dirname, "../..");
  for (const f of ["integrations", ".okta-gitops.yml", "local-org.seed.yaml"])
    try {
      cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
    } catch {
      // not (yet) in the repository
    }
  return dir;
}

describe("the quick start on a fresh clone", () => {
  const dir = freshClone();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it("applies the examples to the local org; a second run has nothing to change", async () => {
    const first = testIo(dir, {});
    expect(await runApply(["--yes"], first), first.out + first.err).toBe(0);
    // Every example is reconciled: hr-directory-sync's group and legacy-payroll's token and
    // service account come from the seed file; the bot's own app gets its zone like any other.
    expect(first.err).not.toContain("refused");
    expect(first.err).not.toContain("is not in Okta");
    expect(section(first.out, "hr-directory-sync")).toContain(
      "+ resource set okta-gitops/hr-directory-sync",
    );
    const payroll = section(first.out, "legacy-payroll");
    expect(payroll).toContain("& API token 00T1lgcyPay0rll8Q3 okta-gitops/legacy-payroll");
    expect(payroll).toContain("+ role READ_ONLY_ADMIN");
    expect(payroll).toContain("+ interactive sign-in of svc-legacy-payroll@acme.example blocked");
    expect(section(first.out, "okta-gitops")).toContain(
      'network/zone: (none) → "okta-gitops/okta-gitops"',
    );
    const second = testIo(dir, {});
    expect(await runApply(["--yes"], second), second.out + second.err).toBe(0);
    expect(second.out).toContain("No changes: Okta matches the repository.");
    const plan = testIo(dir, {});
    expect(await runPlan([], plan), plan.out + plan.err).toBe(0);
  }, 60_000);
});
