// The repository's own examples: the integrations under integrations/ pass the policy (warnings and
// approvals allowed), and the sample .okta-gitops.yml states exactly the built-in defaults.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { Config, DEFAULT_CONFIG } from "../../src/model/index.js";
import { validate } from "../../src/validate.js";

const ROOT = join(import.meta.dirname, "../..");
// The examples' API token exception expires on 2027-05-15; check them as of a fixed day.
const TODAY = "2026-11-29";

describe("integrations/", () => {
  const files = readdirSync(join(ROOT, "integrations"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => ({
      path: `integrations/${f}`,
      bytes: readFileSync(join(ROOT, "integrations", f)),
    }));

  it("holds the bot's own app and a few others", () => {
    expect(files.map((f) => f.path)).toContain("integrations/okta-gitops.yaml");
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it("passes the policy, with the exceptions marked for approval", () => {
    const { integrations, findings } = validate({ files, config: DEFAULT_CONFIG, today: TODAY });
    expect(integrations).toHaveLength(files.length);
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(findings.filter((f) => f.severity === "warning").every((f) => f.requiresApproval)).toBe(
      true,
    );
    expect(new Set(findings.map((f) => f.integration))).toEqual(
      new Set(["legacy-payroll", "okta-gitops"]),
    );
  });

  it("each starts with the schema line for editors", () => {
    for (const f of files) {
      expect(Buffer.from(f.bytes).toString("utf8").split("\n")[0]).toBe(
        "# yaml-language-server: $schema=../schemas/integration.schema.json",
      );
    }
  });
});

describe(".okta-gitops.yml", () => {
  it("writes out exactly the built-in defaults", () => {
    const sample = Config.parse(parse(readFileSync(join(ROOT, ".okta-gitops.yml"), "utf8")));
    expect(sample).toEqual(DEFAULT_CONFIG);
  });
});
