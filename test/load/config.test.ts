// .okta-gitops.yml: defaults when absent, values when valid, findings at the node when not.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/load/config.js";
import { DEFAULT_CONFIG, durationMs } from "../../src/model/index.js";

const file = (text: string) => ({
  path: ".okta-gitops.yml",
  bytes: new TextEncoder().encode(text),
});

describe("loadConfig", () => {
  it("gives the strict defaults when there is no file, or an empty one", () => {
    expect(loadConfig()).toEqual({ config: DEFAULT_CONFIG, findings: [] });
    expect(loadConfig(file("# defaults\n"))).toEqual({ config: DEFAULT_CONFIG, findings: [] });
  });

  it("reads the tunables it is given and defaults the rest", () => {
    const { config, findings } = loadConfig(
      file("policy:\n  rateLimit:\n    maxPercent: 30\n    defaultPercent: 20\n"),
    );
    expect(findings).toEqual([]);
    expect(config.policy.rateLimit).toEqual({ maxPercent: 30, defaultPercent: 20 });
    expect(config.policy.identityTeam).toBe(DEFAULT_CONFIG.policy.identityTeam);
  });

  it("reports a typo at the key and a wrong value at the value, and keeps the strict defaults", () => {
    const { config, findings } = loadConfig(
      file("policy:\n  ratelimit:\n    maxPercent: 90\n  network:\n    minIpv4Prefix: eight\n"),
    );
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(findings.map((f) => [f.rule, f.line, f.column, f.file])).toEqual([
      ["schema.type", 5, 20, ".okta-gitops.yml"],
      ["schema.unknown-key", 2, 3, ".okta-gitops.yml"],
    ]);
    expect(findings[1]!.message).toMatch(/unknown key "ratelimit"; did you mean "rateLimit"\?/);
  });

  it("reports a YAML error in the settings file", () => {
    const { config, findings } = loadConfig(file("policy: [\n"));
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(findings.map((f) => f.rule)).toEqual(["yaml.syntax"]);
  });
});

describe("bot.drift.interval", () => {
  it("defaults to an hour and reads a duration with its unit", () => {
    expect(DEFAULT_CONFIG.bot.drift.interval).toBe("1h");
    expect(durationMs(DEFAULT_CONFIG.bot.drift.interval)).toBe(3_600_000);
    const { config, findings } = loadConfig(file("bot:\n  drift:\n    interval: 30m\n"));
    expect(findings).toEqual([]);
    expect(durationMs(config.bot.drift.interval)).toBe(30 * 60_000);
  });

  it("refuses a duration without a unit, one under five minutes and one over a week, at the value", () => {
    for (const [value, message] of [
      ["90", /must be a duration such as "30m"/],
      ["1m", /at least 5m/],
      ["8d", /at most 7d/],
    ] as const) {
      const { config, findings } = loadConfig(file(`bot:\n  drift:\n    interval: "${value}"\n`));
      expect(config).toEqual(DEFAULT_CONFIG);
      expect(findings).toHaveLength(1);
      expect([findings[0]!.file, findings[0]!.line]).toEqual([".okta-gitops.yml", 3]);
      expect(findings[0]!.message).toMatch(message);
    }
  });
});
