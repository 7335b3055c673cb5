// The bad-input corpus, through validate(): each bad file gives one clear finding with its rule and
// line, and never hides the findings of the other files.
import { describe, expect, it } from "vitest";
import { validate } from "../../src/validate.js";
import { loadIntegrations } from "../../src/load/index.js";
import { DEFAULT_CONFIG, type Finding } from "../../src/model/index.js";
import type { SourceFile } from "../../src/load/types.js";
import { serviceAppYaml } from "../support/service-app.js";

const enc = new TextEncoder();
const file = (path: string, text: string | Uint8Array): SourceFile => ({
  path,
  bytes: typeof text === "string" ? enc.encode(text) : text,
});
const valid = (name = "hr-sync") => serviceAppYaml(7, name);
const lineOf = (text: string, needle: string) =>
  text.slice(0, text.indexOf(needle)).split("\n").length;

function check(path: string, text: string | Uint8Array): Finding[] {
  return validate({ files: [file(path, text)], config: DEFAULT_CONFIG, today: "2026-11-29" })
    .findings;
}

describe("a valid integration", () => {
  it("loads with no finding and keeps its data", () => {
    const result = loadIntegrations([file("integrations/hr-sync.yaml", valid())]);
    expect(result.findings).toEqual([]);
    expect(result.integrations).toHaveLength(1);
    const { integration } = result.integrations[0]!;
    expect(integration.metadata.name).toBe("hr-sync");
    expect(integration.kind === "ServiceApp" && integration.spec).toMatchObject({
      dpop: true,
      tokenExchange: false,
      rateLimit: { percent: 25 },
    });
  });
});

describe("small aliases", () => {
  it("are allowed for reuse, such as scopes repeated as permissions", () => {
    const text = valid()
      .replace(
        "scopes: [okta.users.read, okta.groups.read]",
        "scopes: &scopes [okta.users.read, okta.groups.read]",
      )
      .replace("permissions: [okta.users.read, okta.groups.read]", "permissions: *scopes");
    expect(text).toContain("*scopes");
    const result = loadIntegrations([file("integrations/hr-sync.yaml", text)]);
    expect(result.findings).toEqual([]);
    expect(result.integrations).toHaveLength(1);
  });
});

describe("the bad-input corpus", () => {
  const cases: {
    name: string;
    path?: string;
    text: string | Uint8Array;
    rule: string;
    line: number;
    says?: RegExp;
  }[] = [
    {
      name: "a syntax error (unclosed quote)",
      text: valid().replace("purpose: Reads", 'purpose: "Reads'),
      rule: "yaml.syntax",
      line: lineOf(valid(), "purpose:"),
      says: /quoted value that starts here is never closed/,
    },
    {
      name: "a syntax error (unclosed flow sequence)",
      text: valid().replace(
        "[okta.users.read, okta.groups.read]\n  role",
        "[okta.users.read\n  role",
      ),
      rule: "yaml.syntax",
      line: lineOf(valid(), "scopes:"),
      says: /this \[ is never closed with \]/,
    },
    {
      name: "a wrong type (a string where a boolean is expected)",
      text: valid().replace("dpop: true", "dpop: yes"),
      rule: "schema.type",
      line: lineOf(valid(), "dpop: true"),
      says: /spec\.dpop: expected true or false, got "yes"/,
    },
    {
      name: "a typo in a key",
      text: valid().replace("dpop: true", "dpop: true\n  dpopp: false"),
      rule: "schema.unknown-key",
      line: lineOf(valid(), "dpop: true") + 1,
      says: /unknown key "dpopp"; did you mean "dpop"\?/,
    },
    {
      name: "a missing field (pointed at the object that should hold it)",
      text: valid().replace("  dpop: true\n", ""),
      rule: "schema.missing",
      line: lineOf(valid(), "spec:"),
      says: /spec\.dpop is required/,
    },
    {
      name: "an alias bomb",
      path: "integrations/bomb.yaml",
      text:
        "a: &a [x, x, x, x, x, x, x, x, x]\n" +
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
        "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
      rule: "yaml.alias-limit",
      line: 2,
    },
    {
      name: "a binary file",
      path: "integrations/logo.yaml",
      text: new Uint8Array([0x61, 0x3a, 0x20, 0x31, 0x0a, 0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]),
      rule: "file.binary",
      line: 2,
    },
    {
      name: "a file that is not UTF-8 (Latin-1)",
      text: new Uint8Array([...enc.encode("apiVersion: okta-gitops/v1\nkind: Caf"), 0xe9, 0x0a]),
      rule: "file.encoding",
      line: 2,
      says: /not valid UTF-8 \(byte 0xe9/,
    },
    {
      name: "duplicate keys",
      text: valid().replace("dpop: true", "dpop: true\n  dpop: false"),
      rule: "yaml.duplicate-key",
      line: lineOf(valid(), "dpop: true") + 1,
    },
    {
      name: "two documents in one file",
      text: valid() + "---\n" + valid(),
      rule: "yaml.multiple-documents",
      line: valid().split("\n").length,
    },
    {
      name: "a look-alike Unicode name (Cyrillic а)",
      path: "integrations/hr-sync.yaml",
      text: valid("hr-sync").replace("name: hr-sync", "name: hr-sync-dаta"),
      rule: "schema.invalid",
      line: lineOf(valid(), "name:"),
      says: /U\+0430/,
    },
    {
      name: "a name with quotes and Okta filter syntax",
      text: valid().replace("name: hr-sync", `name: 'x" or name eq "y'`),
      rule: "schema.invalid",
      line: lineOf(valid(), "name:"),
      says: /metadata\.name: must be lower-case ASCII/,
    },
    {
      name: "an unknown kind",
      text: valid().replace("kind: ServiceApp", "kind: ServiceAccount"),
      rule: "schema.kind",
      line: 3,
      says: /use one of ServiceApp, ApiTokenException/,
    },
    {
      name: "an unknown apiVersion",
      text: valid().replace("okta-gitops/v1", "okta-gitops/v2"),
      rule: "schema.api-version",
      line: 2,
      says: /the only version is okta-gitops\/v1/,
    },
    {
      name: "a file name that is not metadata.name",
      path: "integrations/hr.yaml",
      text: valid(),
      rule: "file.name-mismatch",
      line: lineOf(valid(), "name:"),
      says: /name the file hr-sync\.yaml/,
    },
    { name: "an empty file", text: "", rule: "file.empty", line: 1 },
    {
      name: "collections nested too deeply",
      text: `a: ${"[".repeat(60000)}${"]".repeat(60000)}\n`,
      rule: "yaml.syntax",
      line: 1,
      says: /nested too deeply/,
    },
    { name: "a file of comments only", text: "# nothing yet\n", rule: "file.empty", line: 1 },
    {
      name: "a document that is a list",
      text: "- apiVersion: okta-gitops/v1\n",
      rule: "schema.type",
      line: 1,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.rule} at line ${c.line}`, () => {
      const findings = check(c.path ?? "integrations/hr-sync.yaml", c.text);
      const found = findings.find((f) => f.rule === c.rule);
      expect(found, JSON.stringify(findings)).toBeDefined();
      expect(found!.line).toBe(c.line);
      expect(found!.severity).toBe("error");
      if (c.says) expect(found!.message).toMatch(c.says);
      // Nothing unrelated rides along: every finding is from the loader, about this file.
      expect(findings.every((f) => f.file === (c.path ?? "integrations/hr-sync.yaml"))).toBe(true);
    });
  }

  it("an oversize file is refused before it is parsed", () => {
    const big = new Uint8Array(300 * 1024).fill(0x61);
    const findings = check("integrations/big.yaml", big);
    expect(findings).toMatchObject([{ rule: "file.too-large", line: 1, column: 1 }]);
  });

  it("one broken file never hides the findings of the others", () => {
    const result = validate({
      files: [
        file("integrations/a.yaml", "a: [\n"),
        file("integrations/b.yaml", valid("b").replace("dpop: true", "dpop: 1")),
        file("integrations/c.yaml", new Uint8Array([0])),
        file("integrations/hr-sync.yaml", valid()),
      ],
      config: DEFAULT_CONFIG,
      today: "2026-11-29",
    });
    expect(result.findings.map((f) => [f.file, f.rule])).toEqual([
      ["integrations/a.yaml", "yaml.syntax"],
      ["integrations/b.yaml", "schema.type"],
      ["integrations/c.yaml", "file.binary"],
    ]);
    expect(result.integrations.map((i) => i.file)).toEqual(["integrations/hr-sync.yaml"]);
  });

  it("reports every schema error of a file, each at its own line", () => {
    const text = valid()
      .replace("dpop: true", "dpop: maybe")
      .replace("tokenExchange: false", "tokenExchange: nope")
      .replace("percent: 25", "percent: lots");
    const findings = check("integrations/hr-sync.yaml", text);
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ["schema.type", lineOf(text, "dpop:")],
      ["schema.type", lineOf(text, "tokenExchange:")],
      ["schema.type", lineOf(text, "rateLimit:")],
    ]);
  });
});

describe("private key material", () => {
  const pemSecret = "MIIEowIBAAKCAQEAsecretsecretsecretTOPSECRETBODY";
  const jwkSecret = "dSECRETPRIVATEEXPONENTvalue0123456789";

  it("a PEM private key in a comment is reported at its line, without the key", () => {
    const text =
      valid() +
      `# -----BEGIN RSA PRIVATE KEY-----\n# ${pemSecret}\n# -----END RSA PRIVATE KEY-----\n`;
    const findings = check("integrations/hr-sync.yaml", text);
    expect(findings).toMatchObject([
      { rule: "credentials.private-key", severity: "error", line: lineOf(text, "-----BEGIN") },
    ]);
    expect(JSON.stringify(findings)).not.toContain(pemSecret);
  });

  it("a JWK with private members is reported at the member, without its value", () => {
    const text = valid().replace(
      "e: AQAB",
      `e: AQAB\n        d: ${jwkSecret}\n        p: ${jwkSecret}x`,
    );
    const findings = check("integrations/hr-sync.yaml", text);
    expect(findings).toMatchObject([
      { rule: "credentials.private-key", line: lineOf(text, "\n        d: ") + 1, column: 9 },
    ]);
    expect(findings[0]!.message).toMatch(/private key material \(d, p\)/);
    expect(JSON.stringify(findings)).not.toContain(jwkSecret);
  });

  it("a private JWK outside credentials is found too", () => {
    const text = valid().replace(
      "dpop: true",
      `dpop: true\n  extra: { kty: oct, k: ${jwkSecret} }`,
    );
    const findings = check("integrations/hr-sync.yaml", text);
    expect(findings.map((f) => f.rule)).toEqual(["schema.unknown-key", "credentials.private-key"]);
    expect(JSON.stringify(findings)).not.toContain(jwkSecret);
  });

  it("a private JWK without kty in the jwks list is found too", () => {
    const text = valid().replace(
      '      - kid: "2026-11"',
      `      - { kid: sym, k: ${jwkSecret} }\n      - kid: "2026-11"`,
    );
    const findings = check("integrations/hr-sync.yaml", text);
    expect(findings.map((f) => f.rule)).toContain("credentials.private-key");
    expect(JSON.stringify(findings)).not.toContain(jwkSecret);
  });

  it("a secret pasted into a field is not echoed by the type error", () => {
    const text =
      valid().replace("dpop: true", `dpop: "${jwkSecret}"`) + "# -----BEGIN PRIVATE KEY-----\n";
    const findings = check("integrations/hr-sync.yaml", text);
    expect(findings.map((f) => f.rule)).toEqual(["schema.type", "credentials.private-key"]);
    expect(JSON.stringify(findings)).not.toContain(jwkSecret);
  });
});
