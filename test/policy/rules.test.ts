// Table-driven: for every rule in RULES, test/fixtures/rules/<rule-id>/ holds files (or, for a
// repository rule, directories of files) named fail* that break the rule and pass* that do not.
// Each expected finding is marked on its line with a trailing `# expect: <rule-id>[, <rule-id>]`.
// A case passes when its findings are exactly the marked ones (rule and line), a fail case has
// a finding of the rule under test, and a pass case has no error.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/model/index.js";
import { RULES } from "../../src/policy/index.js";
import { validate } from "../../src/validate.js";

const ROOT = join(import.meta.dirname, "../fixtures/rules");
/** Fixtures are written against this date (API token expiries). */
const TODAY = "2026-11-29";

function yamlFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => yamlFiles(join(path, entry)))
    .filter((p) => p.endsWith(".yaml"));
}

function marked(files: string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .flatMap((text, i) => {
        const match = /#\s*expect:\s*(.+)$/.exec(text);
        return match?.[1]
          ? match[1].split(",").map((rule) => `${relative(ROOT, file)}:${i + 1} ${rule.trim()}`)
          : [];
      }),
  );
}

/** Through validate(), as the CLI runs it: the real loader's positions, schema and load rules. */
function run(files: string[]) {
  const sources = files.map((f) => ({ path: relative(ROOT, f), bytes: readFileSync(f) }));
  return validate({ files: sources, config: DEFAULT_CONFIG, today: TODAY }).findings;
}

describe("every rule has fixtures", () => {
  it.each(RULES.map((r) => r.id))("%s has a failing and a passing case", (id) => {
    const cases = readdirSync(join(ROOT, id));
    expect(cases.some((c) => c.startsWith("fail"))).toBe(true);
    expect(cases.some((c) => c.startsWith("pass"))).toBe(true);
  });

  it("has no fixture directory for a rule that does not exist", () => {
    const ids = new Set<string>(RULES.map((r) => r.id));
    expect(readdirSync(ROOT).filter((d) => !ids.has(d))).toEqual([]);
  });
});

const CASES = RULES.flatMap((rule) => {
  let entries: string[] = [];
  try {
    entries = readdirSync(join(ROOT, rule.id)).sort();
  } catch {
    /* reported above */
  }
  return entries.map((entry) => ({
    rule: rule.id,
    name: `${rule.id}/${entry}`,
    path: join(ROOT, rule.id, entry),
  }));
});

describe("fixtures", () => {
  it.each(CASES)("$name", ({ rule, name, path }) => {
    const files = yamlFiles(path);
    expect(files.length).toBeGreaterThan(0);
    const findings = run(files);
    const got = findings.map((f) => `${f.file}:${f.line} ${f.rule}`).sort();
    expect(got).toEqual(marked(files).sort());
    const fails = name.split("/")[1]?.startsWith("fail");
    if (fails) {
      expect(findings.some((f) => f.rule === rule)).toBe(true);
    } else {
      expect(findings.filter((f) => f.severity === "error")).toEqual([]);
    }
  });
});
