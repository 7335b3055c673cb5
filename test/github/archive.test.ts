// A commit's archive read in memory: GitHub's top folder stripped, only integrations/ and the
// settings file kept, unsafe entries refused with a finding, and every whole-archive bound an
// error with nothing returned. The tarballs are real ones, packed by tar-stream.
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ArchiveError, readArchive } from "../../src/github/archive.js";
import { DEFAULT_MAX_BYTES } from "../../src/load/parse.js";
import { tooLarge } from "../../src/load/source-directory.js";
import { memorySource } from "../../src/load/source-memory.js";
import { loadWorkspace } from "../../src/workflows/workspace.js";
import { serviceApp } from "../reconcile/fixtures.js";

const TOP = "acme-okta-policy-1a2b3c4";

type Entry = Parameters<tar.Pack["entry"]>[0] & { body?: string | Uint8Array };

/** A .tar.gz of the entries, in order, as tar-stream packs it. */
async function tarball(entries: Entry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const { body, ...header } of entries) pack.entry(header, body ?? "");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** GitHub's layout: the top folder first, then every entry under it. */
const github = (entries: Entry[]): Entry[] => [
  { name: `${TOP}/`, type: "directory" },
  ...entries.map((e) => ({ ...e, name: `${TOP}/${e.name}` })),
];

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();
const unsafe = (findings: { rule: string; file: string }[]) =>
  findings.filter((f) => f.rule === "archive.unsafe-entry").map((f) => f.file);

describe("readArchive", () => {
  it("keeps integrations/ and the settings file, strips the top folder, and ignores the rest", async () => {
    const long = `integrations/${"team-".repeat(30)}deep/a.yaml`; // over tar's 100-byte name field
    const gz = await tarball(
      github([
        { name: "integrations/", type: "directory" },
        { name: "integrations/hr-sync.yaml", body: "a: 1\n" },
        { name: "integrations/team/", type: "directory" },
        { name: "integrations/team/payroll.yml", body: "b: 2\n" },
        { name: "integrations/notes.md", body: "# notes\n" },
        { name: long, body: "c: 3\n" },
        { name: ".okta-gitops.yml", body: "kind: Config\n" },
        { name: "README.md", body: "# readme\n" },
        { name: "src/", type: "directory" },
        { name: "src/index.ts", body: "export {};\n" },
        { name: ".github/workflows/ci.yml", body: "on: push\n" },
        // Links and oversize files outside the kept area are no concern of the bot's.
        { name: "docs/link", type: "symlink", linkname: "../README.md" },
        { name: "assets/big.bin", body: new Uint8Array(DEFAULT_MAX_BYTES + 1) },
      ]),
    );
    const { files, findings } = await readArchive(gz);
    expect(findings).toEqual([]);
    expect(files.map((f) => [f.path, text(f.bytes)])).toEqual([
      ["integrations/hr-sync.yaml", "a: 1\n"],
      ["integrations/team/payroll.yml", "b: 2\n"],
      ["integrations/notes.md", "# notes\n"],
      [long, "c: 3\n"],
      [".okta-gitops.yml", "kind: Config\n"],
    ]);
  });

  it("reads an archive without a folder entry for its top folder", async () => {
    const gz = await tarball([{ name: `${TOP}/integrations/a.yaml`, body: "a: 1\n" }]);
    const { files, findings } = await readArchive(gz);
    expect(findings).toEqual([]);
    expect(files.map((f) => f.path)).toEqual(["integrations/a.yaml"]);
  });

  it("refuses a symbolic link with a finding, and does not follow it", async () => {
    const gz = await tarball(
      github([
        { name: "integrations/ok.yaml", body: "a: 1\n" },
        { name: "integrations/evil.yaml", type: "symlink", linkname: "/etc/passwd" },
        { name: ".okta-gitops.yml", type: "symlink", linkname: "integrations/ok.yaml" },
      ]),
    );
    const { files, findings } = await readArchive(gz);
    expect(files.map((f) => f.path)).toEqual(["integrations/ok.yaml"]);
    expect(findings).toMatchObject([
      {
        rule: "archive.unsafe-entry",
        severity: "error",
        file: "integrations/evil.yaml",
        line: 1,
        column: 1,
        message: expect.stringMatching(
          /is a symbolic link \(to "\/etc\/passwd"\), not a regular file; it was not read$/,
        ),
      },
      { rule: "archive.unsafe-entry", file: ".okta-gitops.yml" },
    ]);
  });

  it("refuses a symbolic link in place of the integrations folder", async () => {
    const gz = await tarball(
      github([{ name: "integrations", type: "symlink", linkname: "/home/shared" }]),
    );
    const { files, findings } = await readArchive(gz);
    expect(files).toEqual([]);
    expect(unsafe(findings)).toEqual(["integrations"]);
  });

  it("refuses a hard link and a device entry", async () => {
    const gz = await tarball(
      github([
        { name: "integrations/a.yaml", body: "a: 1\n" },
        { name: "integrations/b.yaml", type: "link", linkname: `${TOP}/integrations/a.yaml` },
        { name: "integrations/tty.yaml", type: "character-device", devmajor: 5, devminor: 0 },
        { name: "integrations/disk.yaml", type: "block-device", devmajor: 8, devminor: 0 },
        { name: "integrations/pipe.yaml", type: "fifo" },
      ]),
    );
    const { files, findings } = await readArchive(gz);
    expect(files.map((f) => f.path)).toEqual(["integrations/a.yaml"]);
    expect(findings.map((f) => [f.file, f.message.split(";")[0]])).toEqual([
      [
        "integrations/b.yaml",
        `the archive entry is a hard link (to "${TOP}/integrations/a.yaml"), not a regular file`,
      ],
      [
        "integrations/tty.yaml",
        "the archive entry is a device entry (character-device), not a regular file",
      ],
      [
        "integrations/disk.yaml",
        "the archive entry is a device entry (block-device), not a regular file",
      ],
      ["integrations/pipe.yaml", "the archive entry is a device entry (fifo), not a regular file"],
    ]);
  });

  it("refuses `..` and absolute paths, wherever they point", async () => {
    const gz = await tarball([
      { name: `${TOP}/`, type: "directory" },
      { name: `${TOP}/integrations/ok.yaml`, body: "a: 1\n" },
      { name: `${TOP}/integrations/../../x.yaml`, body: "x: 1\n" },
      { name: `${TOP}/../outside.yaml`, body: "x: 1\n" },
      { name: "../x", body: "x: 1\n" },
      { name: "/abs/integrations/a.yaml", body: "x: 1\n" },
      { name: "/etc/cron.d/job", body: "x: 1\n" },
      { name: `${TOP}/integrations/./ok.yaml`, body: "x: 1\n" },
      { name: `${TOP}/integrations//ok.yaml`, body: "x: 1\n" },
      // A name too long for the tar header travels in a pax record: checked all the same.
      { name: `${TOP}/integrations/${"x".repeat(200)}/../../../etc.yaml`, body: "x: 1\n" },
    ]);
    const { files, findings } = await readArchive(gz);
    expect(files.map((f) => [f.path, text(f.bytes)])).toEqual([["integrations/ok.yaml", "a: 1\n"]]);
    expect(findings.map((f) => [f.rule, f.file, f.message.split(";")[0]])).toEqual([
      [
        "archive.unsafe-entry",
        "integrations/../../x.yaml",
        "the archive entry has a `..` segment in its path",
      ],
      [
        "archive.unsafe-entry",
        "../outside.yaml",
        "the archive entry has a `..` segment in its path",
      ],
      ["archive.unsafe-entry", "../x", "the archive entry has a `..` segment in its path"],
      [
        "archive.unsafe-entry",
        "/abs/integrations/a.yaml",
        "the archive entry has an absolute path",
      ],
      ["archive.unsafe-entry", "/etc/cron.d/job", "the archive entry has an absolute path"],
      [
        "archive.unsafe-entry",
        "integrations/./ok.yaml",
        "the archive entry has an empty or `.` segment in its path",
      ],
      [
        "archive.unsafe-entry",
        "integrations//ok.yaml",
        "the archive entry has an empty or `.` segment in its path",
      ],
      [
        "archive.unsafe-entry",
        `integrations/${"x".repeat(200)}/../../../etc.yaml`,
        "the archive entry has a `..` segment in its path",
      ],
    ]);
  });

  it("refuses an entry outside the top folder, and both copies of a path given twice", async () => {
    const gz = await tarball(
      github([
        { name: "integrations/a.yaml", body: "a: 1\n" },
        { name: "integrations/b.yaml", body: "b: 1\n" },
        { name: "integrations/a.yaml", body: "a: 2\n" },
      ]).concat([{ name: "other-top/integrations/c.yaml", body: "c: 1\n" }]),
    );
    const { files, findings } = await readArchive(gz);
    expect(files.map((f) => f.path)).toEqual(["integrations/b.yaml"]);
    expect(findings.map((f) => [f.file, f.message.split(";")[0]])).toEqual([
      [
        "integrations/a.yaml",
        "the archive entry appears twice in the archive (neither copy is used)",
      ],
      ["other-top/integrations/c.yaml", "the archive entry is outside the archive's top folder"],
    ]);
  });

  it("reports a kept file over the size bound as file.too-large, as the directory reader does", async () => {
    const size = DEFAULT_MAX_BYTES + 1;
    const gz = await tarball(
      github([
        { name: "integrations/big.yaml", body: new Uint8Array(size).fill(0x61) },
        { name: "integrations/small.yaml", body: "a: 1\n" },
      ]),
    );
    const { files, findings } = await readArchive(gz);
    expect(files.map((f) => f.path)).toEqual(["integrations/small.yaml"]);
    expect(findings).toEqual([tooLarge("integrations/big.yaml", size, DEFAULT_MAX_BYTES)]);
    const bounded = await readArchive(gz, { maxFileBytes: 4 });
    expect(bounded.findings.map((f) => [f.file, f.rule])).toEqual([
      ["integrations/big.yaml", "file.too-large"],
      ["integrations/small.yaml", "file.too-large"],
    ]);
  });

  it("refuses a gzip bomb: the contents' bound stops the expansion, and nothing is returned", async () => {
    // 16 MiB of zeros in a few KiB: far past a 1 MiB bound for the contents.
    const gz = await tarball(
      github([{ name: "assets/zeros.bin", body: new Uint8Array(16 << 20) }]),
    );
    expect(gz.byteLength).toBeLessThan(1 << 20);
    await expect(readArchive(gz, { maxUncompressedBytes: 1 << 20 })).rejects.toThrow(
      new ArchiveError(
        "the archive expands beyond the 1.0 MiB bound for its contents; nothing was read",
      ),
    );
    // The same archive within a bound that holds it is read (and the ignored file dropped).
    expect(await readArchive(gz, { maxUncompressedBytes: 17 << 20 })).toEqual({
      files: [],
      findings: [],
    });
  });

  it("refuses an archive of too many entries", async () => {
    const entries = github(
      Array.from({ length: 20 }, (_, i) => ({ name: `integrations/a${i}.yaml`, body: "a: 1\n" })),
    );
    const gz = await tarball(entries);
    await expect(readArchive(gz, { maxEntries: 20 })).rejects.toThrow(
      "the archive has more than 20 entries, over the bound; nothing was read",
    );
    expect((await readArchive(gz, { maxEntries: 21 })).files).toHaveLength(20);
  });

  it("refuses a download over the compressed bound before reading it", async () => {
    const gz = await tarball(github([{ name: "integrations/a.yaml", body: "a: 1\n" }]));
    await expect(readArchive(gz, { maxCompressedBytes: gz.byteLength - 1 })).rejects.toThrow(
      /^the archive is \d+ bytes, over the \d+ bytes bound for a download; nothing was read$/,
    );
  });

  it("refuses what is not a gzip'd tar file with a clear error", async () => {
    await expect(readArchive(new TextEncoder().encode("<html>"))).rejects.toThrow(
      new ArchiveError("the archive is not gzip data (incorrect header check)"),
    );
    const gz = await tarball(github([{ name: "integrations/a.yaml", body: "a: 1\n".repeat(400) }]));
    const tarBytes = (await import("node:zlib")).gunzipSync(gz);
    await expect(readArchive(gzipSync(tarBytes.subarray(0, 1024)))).rejects.toThrow(
      /^the archive is not a readable tar file \(/,
    );
    await expect(readArchive(gzipSync(Buffer.alloc(1024, 0x41)))).rejects.toThrow(ArchiveError);
  });

  it("through the memory source, a refused entry refuses its integration in the workspace", async () => {
    const gz = await tarball(
      github([
        { name: "integrations/hr-sync.yaml", body: stringify(serviceApp("hr-sync")) },
        { name: "integrations/evil.yaml", type: "symlink", linkname: "hr-sync.yaml" },
      ]),
    );
    const ws = loadWorkspace(
      { files: memorySource(await readArchive(gz)), today: "2026-11-29" },
      { paths: [], approved: new Set() },
    );
    expect([...ws.desired.keys()]).toEqual(["hr-sync"]);
    expect(ws.refused.get("evil")).toBe(
      "fails the policy (archive.unsafe-entry at integrations/evil.yaml:1)",
    );
  });
});
