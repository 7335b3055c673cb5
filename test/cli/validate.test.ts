// `okta-gitops validate` end to end: the command in-process (fast) over a bad-input corpus, main()
// once, and the real entry point in a child process once or twice.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { processIo, runValidate, type ValidateIo } from "../../src/cli/commands/validate.js";
import { main } from "../../src/cli/main.js";
import { serviceAppYaml } from "../support/service-app.js";
import { LOAD_RULES } from "../../src/load/rules.js";
import { RULES } from "../../src/policy/rules.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
let tmp: string;
beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), "okta-gitops-cli-"))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A repository with the given files under integrations/ (and any other paths). */
function repo(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmp, "repo-"));
  mkdirSync(join(dir, "integrations"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

async function run(cwd: string, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: ValidateIo = {
    cwd,
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    color: false,
    today: "2026-11-29",
  };
  const code = await runValidate(argv, io);
  return { code, stdout, stderr };
}

const valid = (name = "hr-sync", i = 1) => serviceAppYaml(i, name);
const STACK = /\n\s+at .+:\d+:\d+/;

const corpus: {
  name: string;
  file: string;
  content: () => string | Uint8Array;
  rule: string;
  line: number;
}[] = [
  {
    name: "syntax error",
    file: "hr-sync.yaml",
    content: () => 'apiVersion: "okta-gitops/v1\nkind: ServiceApp\n',
    rule: "yaml.syntax",
    line: 1,
  },
  {
    name: "wrong type",
    file: "hr-sync.yaml",
    content: () => valid().replace("percent: 25", "percent: all"),
    rule: "schema.type",
    line: 25,
  },
  {
    name: "alias bomb",
    file: "hr-sync.yaml",
    content: () =>
      "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n",
    rule: "yaml.alias-limit",
    line: 2,
  },
  {
    name: "binary file",
    file: "hr-sync.yaml",
    content: () => new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00]),
    rule: "file.binary",
    line: 1,
  },
  {
    name: "non-UTF-8 file",
    file: "hr-sync.yaml",
    content: () => new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]),
    rule: "file.encoding",
    line: 1,
  },
  {
    name: "duplicate keys",
    file: "hr-sync.yaml",
    content: () => valid().replace("kind: ServiceApp", "kind: ServiceApp\nkind: ApiTokenException"),
    rule: "yaml.duplicate-key",
    line: 4,
  },
  {
    name: "two documents",
    file: "hr-sync.yaml",
    content: () => `${valid()}---\n${valid()}`,
    rule: "yaml.multiple-documents",
    line: 26,
  },
  {
    name: "look-alike Unicode name",
    file: "hr-sync.yaml",
    content: () => valid().replace("name: hr-sync", "name: hr-sаnc"),
    rule: "schema.invalid",
    line: 5,
  },
  {
    name: "PEM private key",
    file: "hr-sync.yaml",
    content: () => `${valid()}# -----BEGIN EC PRIVATE KEY-----\n# MHcCAQEEIPEMSECRET\n`,
    rule: "credentials.private-key",
    line: 26,
  },
  {
    name: "JWK private key",
    file: "hr-sync.yaml",
    content: () => valid().replace("e: AQAB", "e: AQAB\n        d: JWKSECRETVALUE"),
    rule: "credentials.private-key",
    line: 20,
  },
  {
    name: "filter syntax in the name",
    file: "hr-sync.yaml",
    content: () => valid().replace("name: hr-sync", `name: 'x" or name eq "y'`),
    rule: "schema.invalid",
    line: 5,
  },
  {
    name: "unknown kind",
    file: "hr-sync.yaml",
    content: () => valid().replace("kind: ServiceApp", "kind: Group"),
    rule: "schema.kind",
    line: 3,
  },
  {
    name: "unknown apiVersion",
    file: "hr-sync.yaml",
    content: () => valid().replace("okta-gitops/v1", "v1"),
    rule: "schema.api-version",
    line: 2,
  },
  {
    name: "file name mismatch",
    file: "hr.yaml",
    content: () => valid(),
    rule: "file.name-mismatch",
    line: 5,
  },
  { name: "empty file", file: "hr-sync.yaml", content: () => "", rule: "file.empty", line: 1 },
];

describe("validate over the bad-input corpus", () => {
  for (const c of corpus) {
    it(`${c.name}: exit 1, ${c.rule} at line ${c.line}, no stack trace`, async () => {
      const dir = repo({ [`integrations/${c.file}`]: c.content() });
      const json = await run(dir, "--format", "json");
      expect(json.code).toBe(1);
      expect(json.stderr).toBe("");
      const out = JSON.parse(json.stdout);
      const found = out.findings.find((f: { rule: string }) => f.rule === c.rule);
      expect(found, json.stdout).toMatchObject({
        file: `integrations/${c.file}`,
        line: c.line,
        severity: "error",
      });
      const text = await run(dir);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(`integrations/${c.file}\n  ${c.line}:`);
      expect(text.stdout).toContain(c.rule);
      expect(text.stdout + text.stderr).not.toMatch(STACK);
    });
  }

  it("a 5 MB file: exit 1, file.too-large, not read", async () => {
    const dir = repo({ "integrations/hr-sync.yaml": "" });
    truncateSync(join(dir, "integrations/hr-sync.yaml"), 5 * 1024 * 1024);
    const { code, stdout } = await run(dir, "--format", "json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings).toMatchObject([{ rule: "file.too-large", line: 1 }]);
  });

  it("all of it at once: every file is reported, none hides another", async () => {
    const files = Object.fromEntries(
      corpus.map((c, i) => [`integrations/case${i}/${c.file}`, c.content()]),
    );
    const dir = repo({ ...files, "integrations/ok/ok-app.yaml": valid("ok-app", 99) });
    const { code, stdout } = await run(dir, "--format", "json");
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(out.summary.files).toBe(corpus.length + 1);
    const reported = new Set(out.findings.map((f: { file: string }) => f.file));
    expect(reported.size).toBe(corpus.length);
    expect(reported.has("integrations/ok/ok-app.yaml")).toBe(false);
  });
});

describe("secrets never reach the output", () => {
  const pem = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCSECRETPEMBODY";
  const d = "SECRETPRIVATEEXPONENTd0123456789abcdef";
  for (const format of ["text", "json", "github", "sarif"]) {
    it(`in ${format}`, async () => {
      const content =
        valid()
          .replace("e: AQAB", `e: AQAB\n        d: ${d}`)
          .replace("dpop: true", `dpop: "${d}"`)
          .replace("name: hr-sync", `name: "${pem}"`) +
        `key: |\n  -----BEGIN PRIVATE KEY-----\n  ${pem}\n  -----END PRIVATE KEY-----\n`;
      const dir = repo({ "integrations/hr-sync.yaml": content });
      const { code, stdout, stderr } = await run(dir, "--format", format);
      expect(code).toBe(1);
      expect(stdout).toContain("credentials.private-key");
      expect(stdout + stderr).not.toContain(d);
      expect(stdout + stderr).not.toContain(pem);
    });
  }
});

describe("exit codes and settings", () => {
  it("exit 0 on compliant files, with the default path integrations/", async () => {
    const dir = repo({
      "integrations/hr-sync.yaml": valid("hr-sync", 1),
      "integrations/payroll-export.yaml": valid("payroll-export", 2),
    });
    const { code, stdout, stderr } = await run(dir);
    expect(stderr).toBe("");
    expect(stdout).toBe("2 files checked: no problems found\n");
    expect(code).toBe(0);
  });

  it("reads .okta-gitops.yml from the working directory and reports its errors", async () => {
    const dir = repo({
      "integrations/hr-sync.yaml": valid(),
      ".okta-gitops.yml": "policy:\n  ratelimit: {}\n",
    });
    const { code, stdout } = await run(dir, "--format", "json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings).toMatchObject([
      { file: ".okta-gitops.yml", rule: "schema.unknown-key", line: 2, column: 3 },
    ]);
  });

  it("takes --config", async () => {
    const dir = repo({
      "integrations/hr-sync.yaml": valid(),
      "settings/okta.yml": "bot:\n  drift: { mode: fix }\n",
    });
    const { code, stdout } = await run(dir, "--config", "settings/okta.yml", "--format", "json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings).toMatchObject([
      { file: "settings/okta.yml", rule: "schema.invalid", line: 2 },
    ]);
  });

  const usage: [string, string[], RegExp][] = [
    ["an unknown flag", ["--frmat", "json"], /Unknown option '--frmat'/],
    ["an unknown format", ["--format", "xml"], /unknown format 'xml': use one of text, json/],
    ["a missing path", ["integrations/nope.yaml"], /integrations\/nope\.yaml: no such file/],
    ["a missing --config file", ["--config", "nope.yml"], /nope\.yml: no such file/],
    [
      "a directory as --config",
      ["--config", "integrations"],
      /--config integrations: expected one YAML file/,
    ],
  ];
  for (const [name, argv, message] of usage) {
    it(`exit 2 and one clear line on ${name}`, async () => {
      const dir = repo({ "integrations/hr-sync.yaml": valid() });
      const { code, stdout, stderr } = await run(dir, ...argv);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.split("\n")[0]).toMatch(/^okta-gitops validate: /);
      expect(stderr.split("\n")[0]).toMatch(message);
      expect(stderr).not.toMatch(STACK);
    });
  }

  it("--format sarif describes the load rules and the policy rules", async () => {
    const dir = repo({ "integrations/hr-sync.yaml": valid().replace("dpop: true", "dpop: 1") });
    const { code, stdout } = await run(dir, "--format", "sarif");
    expect(code).toBe(1);
    const ids = JSON.parse(stdout).runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    for (const id of [...LOAD_RULES, ...RULES].map((r) => r.id)) expect(ids).toContain(id);
  });

  it("--help prints usage and exits 0", async () => {
    const { code, stdout } = await run(tmp, "--help");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: okta-gitops validate \[paths\.\.\.\]/);
  });
});

describe("colour", () => {
  it("is used only on a TTY, and never with NO_COLOR", () => {
    const tty = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
    const noColor = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      Object.defineProperty(process.stdout, "isTTY", { value: false, configurable: true });
      expect(processIo().color).toBe(false);
      Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
      expect(processIo().color).toBe(true);
      process.env.NO_COLOR = "1";
      expect(processIo().color).toBe(false);
    } finally {
      if (tty) Object.defineProperty(process.stdout, "isTTY", tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
      if (noColor === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = noColor;
    }
  });

  it("today comes from the clock, as YYYY-MM-DD", () => {
    expect(processIo().today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("through main()", () => {
  it("dispatches validate and writes to stdout", async () => {
    const dir = repo({ "integrations/hr-sync.yaml": valid().replace("dpop: true", "dpop: 1") });
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      const code = await main(["validate", join(dir, "integrations"), "--format", "github"]);
      expect(code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(chunks.join("")).toMatch(
      /^::error file=.*hr-sync\.yaml,line=21,col=9,.*title=schema\.type::/m,
    );
  });
});

describe("the real entry point, in a child process", () => {
  const cli = (cwd: string, ...argv: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", join(projectRoot, "src/cli/run.ts"), ...argv], {
      cwd: projectRoot,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });

  it("exit 1 with findings for a bad tree, exit 2 for a usage error, never a stack trace", () => {
    const dir = repo({
      "integrations/hr-sync.yaml": valid().replace("dpop: true", "dpopp: true"),
      "integrations/bin.yaml": new Uint8Array([0, 1, 2]),
    });
    const bad = cli(projectRoot, "validate", join(dir, "integrations"));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/unknown key "dpopp"; did you mean "dpop"\?/);
    expect(bad.stdout).toContain("file.binary");
    expect(bad.stdout).toMatch(/2 files checked: \d+ errors/);
    expect(bad.stderr).not.toMatch(STACK);

    const usage = cli(projectRoot, "validate", "--no-such-flag");
    expect(usage.status).toBe(2);
    expect(usage.stderr).not.toMatch(STACK);
    expect(usage.stderr.split("\n")[0]).toMatch(/Unknown option '--no-such-flag'/);
  });
});

describe("quiet validate", () => {
  const bin = fileURLToPath(new URL("../../bin/okta-gitops.js", import.meta.url));
  const cli = (...argv: string[]) =>
    spawnSync(process.execPath, [bin, "validate", ...argv], {
      cwd: projectRoot,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });

  it("text groups the approvals of each integration into one line naming the rules; --verbose and json keep each", () => {
    const quiet = cli("integrations/okta-gitops.yaml");
    expect(quiet.status).toBe(0);
    const lines = quiet.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      "integrations/okta-gitops.yaml",
      expect.stringMatching(
        /^ {2}\d+:\d+ {2}warning {2}8 exceptions need the Identity team's approval: scopes\.high-risk \(7\), role\.super-admin \(--verbose shows each\) {2}needs approval$/,
      ),
      "",
      "1 file checked: 0 errors, 8 warnings, 0 notices; 8 need the Identity team's approval",
    ]);

    const verbose = cli("integrations/okta-gitops.yaml", "--verbose");
    expect(verbose.stdout.match(/, needs approval$/gm)).toHaveLength(8);
    expect(verbose.stdout).toContain("okta.apps.manage is a high-risk scope");

    const json = JSON.parse(cli("integrations/okta-gitops.yaml", "--format", "json").stdout);
    expect(
      json.findings.filter((f: { requiresApproval?: boolean }) => f.requiresApproval),
    ).toHaveLength(8);
  });

  it("an error that also needs approval is never folded into the line", () => {
    const dir = repo({ "integrations/hr-sync.yaml": valid().replace("dpop: true", "dpop: false") });
    const r = cli(join(dir, "integrations"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/DPoP is off: set dpop: true.* {2}dpop\.disabled$/m);
  });
});

describe("schema errors do not hide policy errors", () => {
  const bin = fileURLToPath(new URL("../../bin/okta-gitops.js", import.meta.url));
  const cli = (cwd: string, ...argv: string[]) =>
    spawnSync(process.execPath, [bin, ...argv], {
      cwd,
      encoding: "utf8",
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OKTA_"))),
    });
  const rules = (cwd: string) =>
    (
      JSON.parse(cli(cwd, "validate", "--format", "json").stdout) as {
        findings: { rule: string; line: number }[];
      }
    ).findings.map((f) => f.rule);

  it("a broken scopes list still gets the network rules, not the rules that read scopes", () => {
    const dir = repo({
      "integrations/hr-sync.yaml": valid()
        .replace("scopes: [okta.users.read, okta.groups.read]", "scopes: okta.users.read")
        .replace(/allow: \[.*\]/, "allow: [10.0.0.0/8]"),
    });
    const found = rules(dir);
    expect(found).toContain("schema.type");
    expect(found).toContain("network.not-public");
    expect(found.filter((r) => /^(scopes|role)\./.test(r))).toEqual([]);
  });

  it("a broken network still gets the scope rules, not the network rules", () => {
    const dir = repo({
      "integrations/hr-sync.yaml": valid()
        .replace("okta.groups.read]", "okta.groups.raed]")
        .replace(/allow: \[.*\]/, "allow: []"),
    });
    const found = rules(dir);
    expect(found).toContain("schema.invalid");
    expect(found).toContain("scopes.unknown");
    expect(found.filter((r) => r.startsWith("network."))).toEqual([]);
  });

  it("such a file stays refused: plan creates nothing for it", () => {
    const dir = repo({
      "integrations/hr-sync.yaml": valid().replace(/allow: \[.*\]/, "allow: []"),
    });
    const r = cli(dir, "plan", "--format", "json");
    expect(r.status, r.stderr).toBe(1);
    const plan = JSON.parse(r.stdout) as { operations: unknown[]; notes: string[] };
    expect(plan.operations).toEqual([]);
    expect(plan.notes).toContainEqual(expect.stringMatching(/^hr-sync: refused, fails the policy/));
  });
});
