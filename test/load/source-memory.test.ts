// The memory source reads as the directory reader does: the same paths give the same files and
// findings, and a workspace loaded from memory equals one loaded from the same files on disk.
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Finding } from "../../src/model/finding.js";
import { DEFAULT_MAX_BYTES } from "../../src/load/parse.js";
import {
  MissingPathError,
  readDirectorySources,
  tooLarge,
} from "../../src/load/source-directory.js";
import { memorySource } from "../../src/load/source-memory.js";
import type { SourceFile } from "../../src/load/types.js";
import { loadWorkspace, type FileSource, type Workspace } from "../../src/workflows/workspace.js";
import { serviceApp, tokenException } from "../reconcile/fixtures.js";

const today = "2026-11-29";
const HUGE = 5 * 1024 * 1024;

/** The repository's text files, written to disk and held in memory alike. */
const TEXT: Record<string, string> = {
  ".okta-gitops.yml":
    "apiVersion: okta-gitops/v1\nkind: Config\npolicy:\n  identityTeam: acme/iam\n",
  "integrations/hr-sync.yaml": stringify(serviceApp("hr-sync")),
  "integrations/team/payroll.yaml": `# a comment\n${stringify(tokenException("payroll", "00T1payr0ll0000001"))}`,
  "integrations/wide-open.yml": stringify(
    serviceApp("wide-open", { network: { allow: ["0.0.0.0/0"] } }),
  ),
  "integrations/broken.yaml": "apiVersion: [\n",
  "integrations/notes.md": "# not yaml\n",
  "integrations/.hidden/ignored.yaml": stringify(serviceApp("ignored")),
  "docs/readme.yaml": "not: an integration\n",
};

let root: string;
let disk: FileSource;
let memory: FileSource;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "okta-gitops-mem-"));
  for (const [path, text] of Object.entries(TEXT)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // Sparse: the size without writing the bytes.
  writeFileSync(join(root, "integrations/huge.yaml"), "");
  truncateSync(join(root, "integrations/huge.yaml"), HUGE);
  disk = {
    read: (paths) => readDirectorySources(paths, { root }),
    has: (path) => existsSync(resolve(root, path)),
  };
  // As an archive reader fills it: the files it kept, and a finding for the one it would not keep.
  const files: SourceFile[] = Object.entries(TEXT).map(([path, text]) => ({
    path,
    bytes: new TextEncoder().encode(text),
  }));
  memory = memorySource({
    files,
    findings: [tooLarge("integrations/huge.yaml", HUGE, DEFAULT_MAX_BYTES)],
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What a workspace holds, without the integrations' locate() closures, and with the files'
 * bytes as text (a Buffer from disk, a Uint8Array from memory). */
function plain(ws: Workspace) {
  const text = (f: SourceFile) => ({ path: f.path, text: Buffer.from(f.bytes).toString() });
  return {
    ...ws,
    sources: ws.sources.map(text),
    configSource: ws.configSource && text(ws.configSource),
    integrations: ws.integrations.map(({ file, integration, importLine }) => ({
      file,
      integration,
      importLine,
    })),
  };
}

describe("memorySource", () => {
  it("a workspace loaded from memory equals one loaded from the same files on disk", () => {
    const options = { paths: [], approved: new Set<string>() };
    const fromDisk = loadWorkspace({ files: disk, today }, options);
    const fromMemory = loadWorkspace({ files: memory, today }, options);
    expect(plain(fromMemory)).toEqual(plain(fromDisk));
    // The comparison is not vacuous: the settings were read, and each kind of outcome is there.
    expect(fromMemory.config.policy.identityTeam).toBe("acme/iam");
    expect([...fromMemory.desired.keys()]).toEqual(["hr-sync"]);
    expect([...fromMemory.refused.keys()].sort()).toEqual([
      "broken",
      "huge",
      "payroll",
      "wide-open",
    ]);
    expect(fromMemory.findings.map((f) => f.rule)).toContain("file.too-large");
    expect(fromMemory.findings.map((f) => f.rule)).toContain("yaml.syntax");
    expect(fromMemory.unnamedFailure).toBe(fromDisk.unnamedFailure);
  });

  it.each([
    [["integrations"]],
    [["integrations/"]],
    [["./integrations"]],
    [["integrations/team"]],
    [["integrations/notes.md"]],
    [["integrations/hr-sync.yaml", "integrations"]],
    [["integrations/huge.yaml"]],
    [["integrations/.hidden"]],
    [["."]],
    [["docs", "integrations/team/payroll.yaml"]],
  ])("reads %j as the directory reader does", (paths) => {
    const got = memory.read(paths);
    const want = disk.read(paths);
    expect(got.files.map((f) => f.path)).toEqual(want.files.map((f) => f.path));
    expect(got.files.map((f) => Buffer.from(f.bytes).toString())).toEqual(
      want.files.map((f) => Buffer.from(f.bytes).toString()),
    );
    expect(got.findings).toEqual(want.findings);
  });

  it("a path that names nothing is a MissingPathError, as on disk", () => {
    for (const p of ["nope", "integrations/nope.yaml", "integrations/tea"]) {
      expect(() => disk.read([p])).toThrow(MissingPathError);
      expect(() => memory.read([p])).toThrow(MissingPathError);
      expect(() => memory.read([p])).toThrow(`${p}: no such file or directory`);
    }
    // Nothing stands outside a repository held in memory (a folder on disk has a parent).
    for (const p of ["../integrations", "/etc", "integrations/../../x"]) {
      expect(() => memory.read([p])).toThrow(MissingPathError);
      expect(memory.has(p)).toBe(false);
    }
  });

  it("has() answers for files and folders as on disk", () => {
    for (const p of [
      ".okta-gitops.yml",
      "integrations",
      "integrations/",
      "integrations/team/payroll.yaml",
      "integrations/huge.yaml",
      "nope.yml",
      "integrations/tea",
      "integrations/../integrations/hr-sync.yaml",
    ])
      expect([p, memory.has(p)]).toEqual([p, disk.has(p)]);
  });

  it("a finding is returned by the reads it falls under, and one without a place by every read", () => {
    const unsafe = (file: string): Finding => ({
      rule: "archive.unsafe-entry",
      severity: "error",
      message: "refused",
      file,
      line: 1,
      column: 1,
    });
    const source = memorySource({
      files: [{ path: "integrations/a.yaml", bytes: new Uint8Array() }],
      findings: [
        unsafe("integrations/link.yaml"),
        unsafe("integrations/link.md"),
        unsafe(".okta-gitops.yml"),
        unsafe("../escape.yaml"),
        unsafe("/etc/passwd"),
      ],
    });
    const files = (paths: string[]) => source.read(paths).findings.map((f) => f.file);
    expect(files(["integrations/"])).toEqual([
      "integrations/link.yaml",
      "../escape.yaml",
      "/etc/passwd",
    ]);
    expect(files([".okta-gitops.yml"])).toEqual([
      ".okta-gitops.yml",
      "../escape.yaml",
      "/etc/passwd",
    ]);
    // A refused settings file still counts as present, so that the workspace reads it and fails.
    expect(source.has(".okta-gitops.yml")).toBe(true);
    expect(() =>
      loadWorkspace({ files: source, today }, { paths: [], approved: new Set() }),
    ).toThrow(/^\.okta-gitops\.yml:1:1: refused \(archive\.unsafe-entry\); nothing was planned$/);
  });
});
