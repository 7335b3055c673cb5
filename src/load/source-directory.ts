// Adapter: the bytes of integration files from the local file system. Paths may be files or
// directories (searched recursively for *.yaml / *.yml, skipping dot-entries such as .git and
// symbolic links). Each file's size is checked with stat before it is read, so an oversize file is
// reported, never loaded whole. Parsing is elsewhere: a git archive is another source of the same
// SourceFile[].
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { Finding } from "../model/finding.js";
import type { SourceFile } from "./types.js";
import { DEFAULT_MAX_BYTES } from "./parse.js";

export interface DirectorySourceOptions {
  /** Paths in files are made relative to this directory (default: the working directory). */
  root?: string;
  /** Files larger than this are reported as file.too-large and not read. */
  maxBytes?: number;
}

export interface DirectorySourceResult {
  files: SourceFile[];
  /** Files that could not be read, or were too large to read. */
  findings: Finding[];
}

/** A path given by the user that does not exist: a usage error, not a finding. */
export class MissingPathError extends Error {
  constructor(readonly path: string) {
    super(`${path}: no such file or directory`);
    this.name = "MissingPathError";
  }
}

const YAML_FILE = /\.ya?ml$/i;

export function readDirectorySources(
  paths: readonly string[],
  options: DirectorySourceOptions = {},
): DirectorySourceResult {
  const root = resolve(options.root ?? process.cwd());
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const found = new Map<string, string>(); // display path -> absolute path
  for (const p of paths) {
    const abs = resolve(root, p);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      throw new MissingPathError(p);
    }
    if (stat.isDirectory()) walk(abs, root, found);
    else found.set(display(root, abs), abs);
  }

  const files: SourceFile[] = [];
  const findings: Finding[] = [];
  for (const [path, abs] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    try {
      // Size and bytes from the same open file: what is measured is what is read.
      const fd = openSync(abs, "r");
      try {
        const size = fstatSync(fd).size;
        if (size > maxBytes) findings.push(tooLarge(path, size, maxBytes));
        else files.push({ path, bytes: readFileSync(fd) });
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
      findings.push({
        rule: "file.unreadable",
        severity: "error",
        message: `cannot read the file (${code})`,
        file: path,
        line: 1,
        column: 1,
      });
    }
  }
  return { files, findings };
}

export function tooLarge(path: string, size: number, maxBytes: number): Finding {
  return {
    rule: "file.too-large",
    severity: "error",
    message: `the file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} bound; it was not read`,
    file: path,
    line: 1,
    column: 1,
  };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

function walk(dir: string, root: string, found: Map<string, string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) walk(abs, root, found);
    else if (entry.isFile() && YAML_FILE.test(entry.name)) found.set(display(root, abs), abs);
  }
}

function display(root: string, abs: string): string {
  const rel = relative(root, abs) || abs;
  return sep === "/" ? rel : rel.split(sep).join("/");
}
