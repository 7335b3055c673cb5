// The directory source: which files it reads, how it names them, and that an oversize file is
// reported from its size alone.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MissingPathError, readDirectorySources } from "../../src/load/source-directory.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "okta-gitops-src-"));
  mkdirSync(join(root, "integrations/team"), { recursive: true });
  mkdirSync(join(root, "integrations/.hidden"), { recursive: true });
  writeFileSync(join(root, "integrations/b.yaml"), "b: 1\n");
  writeFileSync(join(root, "integrations/team/a.yml"), "a: 1\n");
  writeFileSync(join(root, "integrations/notes.md"), "# not yaml\n");
  writeFileSync(join(root, "integrations/.hidden/c.yaml"), "c: 1\n");
  // 5 MB without writing 5 MB: a sparse file has the size, and reading it would take the time.
  writeFileSync(join(root, "integrations/huge.yaml"), "");
  truncateSync(join(root, "integrations/huge.yaml"), 5 * 1024 * 1024);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("readDirectorySources", () => {
  it("reads *.yaml and *.yml recursively, skipping dot-entries and other files, in path order", () => {
    const { files, findings } = readDirectorySources(["integrations"], { root });
    expect(files.map((f) => f.path)).toEqual(["integrations/b.yaml", "integrations/team/a.yml"]);
    expect(new TextDecoder().decode(files[0]!.bytes)).toBe("b: 1\n");
    expect(findings.map((f) => [f.file, f.rule])).toEqual([
      ["integrations/huge.yaml", "file.too-large"],
    ]);
    expect(findings[0]!.message).toMatch(/5\.0 MiB, over the 256 KiB bound/);
  });

  it("honours a configured size bound", () => {
    const { files, findings } = readDirectorySources(["integrations/b.yaml"], {
      root,
      maxBytes: 2,
    });
    expect(files).toEqual([]);
    expect(findings.map((f) => f.rule)).toEqual(["file.too-large"]);
  });

  it("reads a file named explicitly, and does not read it twice", () => {
    const { files } = readDirectorySources(["integrations/b.yaml", "integrations"], { root });
    expect(files.map((f) => f.path)).toEqual(["integrations/b.yaml", "integrations/team/a.yml"]);
  });

  it("names files relative to the root, with forward slashes", () => {
    const { files } = readDirectorySources([join(root, "integrations/team")], {
      root: join(root, "integrations"),
    });
    expect(files.map((f) => f.path)).toEqual(["team/a.yml"]);
  });

  it("a path that does not exist is a usage error", () => {
    expect(() => readDirectorySources(["nope"], { root })).toThrow(MissingPathError);
    expect(() => readDirectorySources(["nope"], { root })).toThrow(
      "nope: no such file or directory",
    );
  });
});
