// Against the local org (no OKTA_* settings) exceptions count as approved, so that the quick start
// runs; apply says so in a line naming those integrations, and its help documents it. With OKTA_*
// set (real Okta, here the same local org reached as Okta), only --approved counts.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { APPLY_HELP, runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { Repo, testIo } from "./harness.js";

const exception = {
  apiVersion: "okta-gitops/v1",
  kind: "ApiTokenException",
  metadata: {
    name: "legacy-payroll",
    owner: "@acme/payroll",
    purpose: "The payroll vendor's connector reads users",
    request: "https://tracker.example.com/ACCESS-77",
  },
  spec: {
    justification: "The payroll vendor's connector supports only SSWS tokens",
    expires: "2027-03-01",
    serviceAccount: { login: "svc-payroll@acme.example" },
    token: { id: "00Tnotseeded000000x" },
    role: { standard: "READ_ONLY_ADMIN" },
    network: { allow: ["192.0.2.44/32"] },
    rateLimit: { percent: 10 },
  },
};

const repo = new Repo();
afterAll(() => repo.cleanup());

describe("exceptions against the local org", () => {
  it("are treated as approved, and apply says which and why", async () => {
    repo.write("siem-reader", { scopes: ["okta.logs.read"], role: { standard: "REPORT_ADMIN" } });
    writeFileSync(path.join(repo.dir, "integrations", "legacy-payroll.yaml"), stringify(exception));
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
