// checkPolicy as the CLI and the GitHub App use it: messages that say how to fix, approvals marked
// for the Identity team, tunables from the configuration, findings at the exact node.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Config, DEFAULT_CONFIG } from "../../src/model/index.js";
import { checkPolicy } from "../../src/policy/index.js";
import { loadedFromYaml } from "../support/integration-doc.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/rules");
const TODAY = "2026-11-29";

function fixture(path: string) {
  return loadedFromYaml(path, readFileSync(join(FIXTURES, path), "utf8"));
}

function check(paths: string[], config = DEFAULT_CONFIG, today = TODAY) {
  return checkPolicy({ integrations: paths.map(fixture), config, today });
}

describe("checkPolicy", () => {
  it("suggests the nearest scope for a typo and points at the list item", () => {
    const [finding] = check(["scopes.unknown/fail.yaml"]);
    expect(finding).toMatchObject({
      rule: "scopes.unknown",
      severity: "error",
      line: 11,
      column: 7,
      integration: "fail",
      file: "scopes.unknown/fail.yaml",
    });
    expect(finding?.message).toContain("Did you mean okta.users.read?");
  });

  it("suggests the nearest permission for a typo", () => {
    const [finding] = check(["role.unknown-permission/fail.yaml"]);
    expect(finding?.message).toContain("Did you mean okta.users.userprofile.read?");
  });

  it("says which permission would back an unbacked scope", () => {
    const [finding] = check(["scopes.unbacked/fail.yaml"]);
    expect(finding?.message).toContain("add okta.groups.read to role.custom.permissions");
  });

  it("passes an exception with a reason as a warning that needs the Identity team", () => {
    const findings = check(["dpop.disabled/pass.yaml"]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: "dpop.disabled",
      severity: "warning",
      requiresApproval: true,
    });
    expect(findings[0]?.message).toContain("@acme/identity");
  });

  it("refuses the same exception without a reason, with no approval mark", () => {
    const [finding] = check(["dpop.disabled/fail.yaml"]);
    expect(finding).toMatchObject({ rule: "dpop.disabled", severity: "error" });
    expect(finding?.requiresApproval).toBeUndefined();
  });

  it("names the configured Identity team on every API token exception", () => {
    const config = Config.parse({ policy: { identityTeam: "example/iam-approvers" } });
    const [finding] = check(["api-token.exception/fail.yaml"], config);
    expect(finding).toMatchObject({ rule: "api-token.exception", requiresApproval: true });
    expect(finding?.message).toContain("@example/iam-approvers");
  });

  it("reads the ceilings from the configuration", () => {
    const strict = Config.parse({
      policy: { rateLimit: { maxPercent: 5, defaultPercent: 5 }, network: { minIpv4Prefix: 30 } },
    });
    const rules = check(["network.too-broad/pass.yaml"], strict).map((f) => f.rule);
    expect(rules).toEqual(["network.too-broad", "rate-limit.too-high"]);
  });

  it("measures the exception's lifetime from the given day", () => {
    expect(check(["api-token.expiry-too-far/pass.yaml"]).map((f) => f.rule)).toEqual([
      "api-token.exception",
    ]);
    const later = check(["api-token.expiry-too-far/pass.yaml"], DEFAULT_CONFIG, "2027-05-28");
    expect(later.map((f) => f.rule)).toEqual(["api-token.exception", "api-token.expired"]);
  });

  it("warns policy.exceptions.warnDays ahead that an API token exception expires (api-token.expires-soon)", () => {
    // 2027-05-28 is 14 days after 2027-05-14: the default warns, the day before it does not.
    const soon = check(["api-token.expiry-too-far/pass.yaml"], DEFAULT_CONFIG, "2027-05-14");
    expect(soon.map((f) => f.rule)).toEqual(["api-token.exception", "api-token.expires-soon"]);
    expect(soon[1]).toMatchObject({ severity: "warning", line: 10 });
    expect(soon[1]?.message).toContain("in 14 days");
    const before = check(["api-token.expiry-too-far/pass.yaml"], DEFAULT_CONFIG, "2027-05-13");
    expect(before.map((f) => f.rule)).toEqual(["api-token.exception"]);
    // The window is the configuration's: 30 days warns earlier, 0 never.
    const wide = Config.parse({ policy: { exceptions: { warnDays: 30 } } });
    expect(
      check(["api-token.expiry-too-far/pass.yaml"], wide, "2027-05-01").map((f) => f.rule),
    ).toContain("api-token.expires-soon");
    const off = Config.parse({ policy: { exceptions: { warnDays: 0 } } });
    expect(
      check(["api-token.expiry-too-far/pass.yaml"], off, "2027-05-27").map((f) => f.rule),
    ).toEqual(["api-token.exception"]);
  });

  it("reports a shared key in both files, each naming the other", () => {
    const findings = check(["unique.jwk/fail/first-app.yaml", "unique.jwk/fail/second-app.yaml"]);
    expect(findings.map((f) => [f.file, f.rule])).toEqual([
      ["unique.jwk/fail/first-app.yaml", "unique.jwk"],
      ["unique.jwk/fail/second-app.yaml", "unique.jwk"],
    ]);
    expect(findings[0]?.message).toContain("unique.jwk/fail/second-app.yaml");
    expect(findings[1]?.message).toContain("unique.jwk/fail/first-app.yaml");
  });

  it("treats a scope no custom-role permission confines as high-risk", () => {
    const [finding] = check(["scopes.high-risk/fail-unconfinable.yaml"]);
    expect(finding?.message).toContain("cannot be confined by a custom role");
  });

  it("quotes a hostile allow-list entry cut short, never in full", () => {
    const text = readFileSync(join(FIXTURES, "network.invalid/fail.yaml"), "utf8").replace(
      "203.0.113.300",
      `"${"9".repeat(5000)}\\n::error::forged"`,
    );
    const findings = checkPolicy({
      integrations: [loadedFromYaml("hostile.yaml", text)],
      config: DEFAULT_CONFIG,
      today: TODAY,
    });
    expect(findings.map((f) => f.rule)).toEqual(["network.invalid"]);
    expect(findings[0]?.message.length).toBeLessThan(200);
    expect(findings[0]?.message).not.toContain("\n");
  });

  it("finds nothing wrong with a compliant integration", () => {
    expect(check(["scopes.unknown/pass.yaml"])).toEqual([]);
  });
});

describe("a repository rule over many integrations", () => {
  it("names three of the others sharing an allow list and counts the rest, so 1,000 findings stay short", async () => {
    const { stringify } = await import("yaml");
    const { serviceApp } = await import("../reconcile/fixtures.js");
    const integrations = Array.from({ length: 1000 }, (_, i) =>
      loadedFromYaml(
        `integrations/svc-${i}.yaml`,
        stringify(serviceApp(`svc-${i}`, { role: { standard: "READ_ONLY_ADMIN" } })),
      ),
    );
    const shared = checkPolicy({ integrations, config: DEFAULT_CONFIG, today: TODAY }).filter(
      (f) => f.rule === "unique.network-zone",
    );
    expect(shared).toHaveLength(1000);
    expect(shared[0]!.message).toContain(
      "integrations/svc-1.yaml, integrations/svc-2.yaml, integrations/svc-3.yaml and 996 more",
    );
    expect(shared[999]!.message).toContain("integrations/svc-0.yaml");
    expect(shared[999]!.message).not.toContain("svc-999.yaml");
    expect(Math.max(...shared.map((f) => f.message.length))).toBeLessThan(400);
  });
});
