// Adapter: the files of a repository held in memory (a commit's archive, unpacked by the GitHub
// App), read with the directory reader's semantics so that the workflows cannot tell the two
// apart: a path names a file or a folder; a folder gives its *.yaml / *.yml files, recursively, in
// path order, skipping dot-entries; a file named explicitly is read whatever its extension; a path
// that names nothing is a MissingPathError. Findings made while filling the source (an unsafe
// archive entry, a file too large to keep) come back from read() for the paths they fall under,
// as the directory reader's file.too-large does.
import { posix } from "node:path";
import type { Finding } from "../model/finding.js";
import type { SourceFile } from "./types.js";
import { MissingPathError, type DirectorySourceResult } from "./source-directory.js";

export interface MemorySourceInput {
  /** Repository-relative paths with forward slashes, e.g. integrations/hr-sync.yaml. */
  files: readonly SourceFile[];
  /** Findings about entries that were not kept as files (their `file` is the entry's path). */
  findings?: readonly Finding[];
}

/** The structural shape of the workflows' FileSource (src/workflows/workspace.ts), which this
 * layer may not import. */
export interface MemorySource {
  read(paths: string[]): DirectorySourceResult;
  has(path: string): boolean;
}

const YAML_FILE = /\.ya?ml$/i;

export function memorySource(input: MemorySourceInput): MemorySource {
  const files = new Map<string, SourceFile>();
  for (const f of input.files) files.set(f.path, f);
  const findings = input.findings ?? [];

  return {
    read(paths) {
      const picked = new Map<string, SourceFile>();
      const found = new Set<Finding>();
      for (const p of paths) {
        const target = normalise(p);
        if (target === undefined || !exists(target)) throw new MissingPathError(p);
        for (const [path, file] of files) if (readsFrom(target, path)) picked.set(path, file);
        for (const f of findings) if (!placeable(f.file) || readsFrom(target, f.file)) found.add(f);
      }
      return {
        files: [...picked.values()].sort((a, b) => compare(a.path, b.path)),
        findings: [...found],
      };
    },
    has(path) {
      const target = normalise(path);
      return target !== undefined && exists(target);
    },
  };

  /** A file or a folder of the repository: some file or finding stands at or under it. */
  function exists(target: string): boolean {
    const all = [...files.keys(), ...findings.map((f) => f.file)];
    return all.some((path) => path === target || isUnder(target, path));
  }
}

/** Whether reading `target` (a file or a folder) reads the file at `path`, as the directory
 * reader does: the file itself when named, or a YAML file below the folder with no dot-entry on
 * the way. */
function readsFrom(target: string, path: string): boolean {
  if (path === target) return true;
  if (!isUnder(target, path)) return false;
  const below = target === "" ? path : path.slice(target.length + 1);
  return YAML_FILE.test(path) && !below.split("/").some((part) => part.startsWith("."));
}

function isUnder(folder: string, path: string): boolean {
  return folder === "" || path.startsWith(`${folder}/`);
}

/** A path as given ("integrations/", "./integrations", ".") to the stored form ("integrations",
 * "" for the repository's root); undefined for one outside the repository. */
function normalise(p: string): string | undefined {
  const n = posix.normalize(p).replace(/\/+$/, "");
  if (n === "." || n === "") return "";
  if (n.startsWith("/") || n === ".." || n.startsWith("../")) return undefined;
  return n;
}

/** A finding about an entry whose place in the repository cannot be told (an absolute or `..`
 * path in an archive) belongs to no folder, so it is returned by every read: fail closed. */
function placeable(file: string): boolean {
  return !file.startsWith("/") && !file.split("/").some((s) => s === ".." || s === "." || s === "");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
