// The four output formats over the same findings.
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import {
  escapeData,
  escapeProperty,
  renderGithub,
  renderJson,
  renderSarif,
  renderText,
} from "../../src/render/index.js";
import { LOAD_RULES } from "../../src/load/rules.js";
import type { Finding } from "../../src/model/index.js";

const source = "apiVersion: okta-gitops/v1\nspec:\n  dpop: yes\n\tdpopp: 1\n";
const findings: Finding[] = [
  {
    rule: "schema.type",
    severity: "error",
    message: 'spec.dpop: expected true or false, got "yes"',
    file: "integrations/a.yaml",
    line: 3,
    column: 9,
    endLine: 3,
    endColumn: 12,
    integration: "a",
  },
  {
    rule: "yaml.syntax",
    severity: "error",
    message: "tabs are not allowed",
    file: "integrations/a.yaml",
    line: 4,
    column: 2,
  },
  {
    rule: "dpop.disabled",
    severity: "warning",
    message: "DPoP is off, with a reason: 50%, a:b\nsecond line",
    file: "integrations/b,c:d.yaml",
    line: 1,
    column: 1,
    requiresApproval: true,
  },
];

describe("text", () => {
  const out = renderText(findings, {
    files: 5,
    source: (f) => (f === "integrations/a.yaml" ? source : undefined),
  });

  it("groups by file and puts a caret under the column, as wide as the value", () => {
    const lines = out.split("\n");
    const at = lines.findIndex((l) => l.includes('got "yes"'));
    expect(lines[at]).toMatch(/^ {2}3:9 {2}error {2}spec\.dpop: .* {2}schema\.type$/);
    const [code, caret] = [lines[at + 1]!, lines[at + 2]!];
    expect(code).toBe("     3 |   dpop: yes");
    expect(caret).toBe("       |         ^^^");
    expect(caret.indexOf("^")).toBe(code.indexOf("yes"));
    expect(lines.filter((l) => l === "integrations/a.yaml")).toHaveLength(1);
  });

  it("keeps a tab before the caret so it lines up under the same column", () => {
    const lines = out.split("\n");
    const at = lines.findIndex((l) => l.includes("tabs are not allowed"));
    expect(lines[at + 2]).toBe("       | \t^");
  });

  it("marks exceptions needing approval and ends with a summary line", () => {
    expect(out).toContain(
      "  1:1  warning  1 exception needs the Identity team's approval: dpop.disabled (--verbose shows it)  needs approval\n",
    );
    expect(renderText(findings, { files: 5, verbose: true })).toContain(
      "  1:1  warning  DPoP is off, with a reason: 50%, a:b\n        second line  dpop.disabled, needs approval\n",
    );
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      "5 files checked: 2 errors, 1 warning, 0 notices; 1 needs the Identity team's approval",
    );
  });

  it("uses colour only when asked", () => {
    expect(out).not.toContain("\x1b[");
    expect(renderText(findings, { files: 5, color: true })).toContain("\x1b[31merror\x1b[0m");
  });

  it("says so when there is nothing to report", () => {
    expect(renderText([], { files: 3 })).toBe("3 files checked: no problems found\n");
  });

  it("never passes a terminal escape from a file to the terminal", () => {
    const text = renderText([{ ...findings[0]!, line: 1, column: 1, endLine: undefined }], {
      files: 1,
      source: () => "name: \x1b[2Jevil\u202e",
    });
    expect(text).not.toContain("\x1b[2J");
    expect(text).not.toContain("\u202e");
  });
});

describe("json", () => {
  it("has the documented, versioned shape", () => {
    const out = JSON.parse(renderJson(findings, { files: 5 }));
    expect(out).toEqual({
      version: 1,
      summary: { files: 5, errors: 2, warnings: 1, notices: 0, requiresApproval: 1 },
      findings: [
        {
          file: "integrations/a.yaml",
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 12,
          rule: "schema.type",
          severity: "error",
          message: 'spec.dpop: expected true or false, got "yes"',
          integration: "a",
        },
        expect.objectContaining({ rule: "yaml.syntax", line: 4, column: 2 }),
        expect.objectContaining({ rule: "dpop.disabled", requiresApproval: true }),
      ],
    });
    expect(Object.keys(out.findings[1])).toEqual([
      "file",
      "line",
      "column",
      "rule",
      "severity",
      "message",
    ]);
  });
});

describe("github", () => {
  it("escapes data and properties as the Actions toolkit does", () => {
    expect(escapeData("50% a:b,c\r\nd")).toBe("50%25 a:b,c%0D%0Ad");
    expect(escapeProperty("50% a:b,c\r\nd")).toBe("50%25 a%3Ab%2Cc%0D%0Ad");
  });

  it("prints one workflow command per finding", () => {
    const lines = renderGithub(findings, { files: 5 }).trimEnd().split("\n");
    expect(lines[0]).toBe(
      '::error file=integrations/a.yaml,line=3,col=9,endLine=3,endColumn=12,title=schema.type::spec.dpop: expected true or false, got "yes"',
    );
    expect(lines[1]).toBe(
      "::error file=integrations/a.yaml,line=4,col=2,title=yaml.syntax::tabs are not allowed",
    );
    expect(lines[2]).toBe(
      "::warning file=integrations/b%2Cc%3Ad.yaml,line=1,col=1,title=dpop.disabled (needs approval)::DPoP is off, with a reason: 50%25, a:b%0Asecond line",
    );
    // Nothing else looks like a workflow command.
    expect(lines.slice(3).every((l) => !l.startsWith("::"))).toBe(true);
  });
});

// The parts of SARIF 2.1.0 (sarif-schema-2.1.0.json) that GitHub code scanning reads.
const SARIF_SHAPE = {
  type: "object",
  required: ["version", "runs"],
  properties: {
    version: { const: "2.1.0" },
    runs: {
      type: "array",
      items: {
        type: "object",
        required: ["tool", "results"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: {
              driver: {
                type: "object",
                required: ["name", "rules"],
                properties: {
                  name: { type: "string" },
                  rules: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["id", "shortDescription"],
                      properties: {
                        id: { type: "string" },
                        shortDescription: { $ref: "#/$defs/message" },
                        fullDescription: { $ref: "#/$defs/message" },
                        help: { $ref: "#/$defs/message" },
                        defaultConfiguration: {
                          type: "object",
                          properties: { level: { enum: ["none", "note", "warning", "error"] } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["ruleId", "message", "locations"],
              properties: {
                ruleId: { type: "string" },
                ruleIndex: { type: "integer", minimum: 0 },
                level: { enum: ["none", "note", "warning", "error"] },
                message: { $ref: "#/$defs/message" },
                locations: {
                  type: "array",
                  minItems: 1,
                  items: {
                    type: "object",
                    required: ["physicalLocation"],
                    properties: {
                      physicalLocation: {
                        type: "object",
                        required: ["artifactLocation", "region"],
                        properties: {
                          artifactLocation: {
                            type: "object",
                            required: ["uri"],
                            properties: { uri: { type: "string" } },
                          },
                          region: {
                            type: "object",
                            required: ["startLine"],
                            additionalProperties: false,
                            properties: {
                              startLine: { type: "integer", minimum: 1 },
                              startColumn: { type: "integer", minimum: 1 },
                              endLine: { type: "integer", minimum: 1 },
                              endColumn: { type: "integer", minimum: 1 },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  $defs: {
    message: {
      type: "object",
      required: ["text"],
      properties: { text: { type: "string", minLength: 1 } },
    },
  },
};

describe("sarif", () => {
  const log = JSON.parse(renderSarif(findings, { rules: LOAD_RULES, toolVersion: "0.1.0" }));

  it("has the SARIF 2.1.0 shape code scanning reads", () => {
    const check = new Ajv({ allErrors: true }).compile(SARIF_SHAPE);
    expect(check(log), JSON.stringify(check.errors)).toBe(true);
  });

  it("describes every rule of the registry, and every rule a result refers to", () => {
    const rules = log.runs[0].tool.driver.rules as { id: string; help?: { text: string } }[];
    for (const r of LOAD_RULES) expect(rules.map((x) => x.id)).toContain(r.id);
    for (const result of log.runs[0].results)
      expect(rules[result.ruleIndex]!.id).toBe(result.ruleId);
    expect(rules.find((r) => r.id === "yaml.duplicate-key")!.help!.text).toMatch(/Keep one/);
  });

  it("maps severities and positions", () => {
    const [first, , third] = log.runs[0].results;
    expect(first.level).toBe("error");
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "integrations/a.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 3, startColumn: 9, endLine: 3, endColumn: 12 },
    });
    expect(third.level).toBe("warning");
    expect(third.properties).toEqual({ requiresApproval: true });
  });
});
