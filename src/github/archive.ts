// A commit's tree from GitHub's archive (GET .../tarball/{ref}): gunzipped and unpacked in memory,
// never on disk, into the SourceFile[] a memory source serves. The archive is hostile input: every
// whole-archive bound (compressed bytes, uncompressed bytes, entries) is checked before or while
// reading, and breaking one is an ArchiveError with nothing returned. Only `integrations/**` and
// the settings file are kept; within them only regular files are read, and links, devices,
// duplicate paths and paths that leave the tree are refused with an archive.unsafe-entry finding
// (a file too large is file.too-large, as the directory reader reports it).
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import tar from "tar-stream";
import type { Finding } from "../model/finding.js";
import { CONFIG_FILE } from "../load/config.js";
import { DEFAULT_MAX_BYTES } from "../load/parse.js";
import { tooLarge } from "../load/source-directory.js";
import type { SourceFile } from "../load/types.js";

export interface ArchiveLimits {
  /** The .tar.gz as downloaded. */
  maxCompressedBytes: number;
  /** The tar once gunzipped: the bound that stops a gzip bomb. */
  maxUncompressedBytes: number;
  /** Entries of every kind, folders included. */
  maxEntries: number;
  /** One kept file (file.too-large beyond it, as on disk). */
  maxFileBytes: number;
}

/** Room for a repository of many thousand integrations beside its other files. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxCompressedBytes: 25 * 1024 * 1024,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxEntries: 50_000,
  maxFileBytes: DEFAULT_MAX_BYTES,
};

export interface ArchiveContents {
  /** Kept files, repository-relative (GitHub's top folder stripped), in archive order. */
  files: SourceFile[];
  findings: Finding[];
}

/** The archive as a whole cannot be read within its bounds: nothing of it is used. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

const INTEGRATIONS = "integrations";

export async function readArchive(
  gz: Uint8Array,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveContents> {
  const bounds = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  if (gz.byteLength > bounds.maxCompressedBytes)
    throw new ArchiveError(
      `the archive is ${formatBytes(gz.byteLength)}, over the ${formatBytes(bounds.maxCompressedBytes)} bound for a download; nothing was read`,
    );
  const tarball = await gunzipBounded(gz, bounds.maxUncompressedBytes);

  const files = new Map<string, SourceFile>();
  const findings: Finding[] = [];
  /** Paths already met among kept entries: a second entry for one is refused, and so is the first. */
  const seen = new Set<string>();
  let top: string | undefined;
  let entries = 0;

  const refuse = (file: string, why: string) => {
    findings.push({
      rule: "archive.unsafe-entry",
      severity: "error",
      message: `the archive entry ${why}; it was not read`,
      file,
      line: 1,
      column: 1,
    });
  };

  const extract = tar.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      entries += 1;
      if (entries > bounds.maxEntries)
        throw new ArchiveError(
          `the archive has more than ${bounds.maxEntries} entries, over the bound; nothing was read`,
        );
      const header = entry.header;
      top ??= topOf(header);
      const place = placeOf(header.name, top);
      if (place.kind === "top") {
        await drain(entry);
        continue;
      }
      if (place.kind === "unsafe") {
        refuse(place.file, place.why);
        await drain(entry);
        continue;
      }
      const path = place.path;
      if (!kept(path)) {
        await drain(entry);
        continue;
      }
      if (header.type === "directory") {
        await drain(entry);
        continue;
      }
      if (seen.has(path)) {
        files.delete(path);
        refuse(path, "appears twice in the archive (neither copy is used)");
        await drain(entry);
        continue;
      }
      seen.add(path);
      const kind = unsafeKind(header);
      if (kind) {
        refuse(path, `${kind}, not a regular file`);
        await drain(entry);
        continue;
      }
      const size = header.size ?? 0;
      if (size > bounds.maxFileBytes) {
        findings.push(tooLarge(path, size, bounds.maxFileBytes));
        await drain(entry);
        continue;
      }
      const bytes = await collect(entry, bounds.maxFileBytes);
      if (bytes === undefined) findings.push(tooLarge(path, size, bounds.maxFileBytes));
      else files.set(path, { path, bytes });
    }
  })();
  extract.end(tarball);
  try {
    await reading;
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`the archive is not a readable tar file (${messageOf(error)})`);
  }
  return { files: [...files.values()], findings };
}

/** Gunzips with an output bound, so that a small archive cannot expand without limit. */
async function gunzipBounded(gz: Uint8Array, maxBytes: number): Promise<Buffer> {
  try {
    return await promisify(gunzip)(gz, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw new ArchiveError(
        `the archive expands beyond the ${formatBytes(maxBytes)} bound for its contents; nothing was read`,
      );
    throw new ArchiveError(`the archive is not gzip data (${messageOf(error)})`);
  }
}

type Place =
  { kind: "top" } | { kind: "path"; path: string } | { kind: "unsafe"; file: string; why: string };

/** GitHub puts every entry under one folder, `owner-repo-sha7/`: the first entry's first segment,
 * when the entry is that folder or lies in it. */
function topOf(header: tar.Header): string | undefined {
  const segments = header.name.replace(/\/$/, "").split("/");
  const first = segments[0];
  if (!first || first === "." || first === ".." || header.name.startsWith("/")) return undefined;
  return segments.length > 1 || header.type === "directory" ? first : undefined;
}

/** Where an entry stands in the repository. An entry outside the top folder, or whose path is
 * absolute, climbs with `..`, or is not in plain form (`.` or empty segments, which could alias
 * another path) has no place in it. */
function placeOf(name: string, top: string | undefined): Place {
  if (name.startsWith("/")) return { kind: "unsafe", file: name, why: "has an absolute path" };
  const segments = name.replace(/\/$/, "").split("/");
  const [first, ...rest] = segments;
  const shown = top !== undefined && first === top && rest.length ? rest.join("/") : name;
  if (segments.includes(".."))
    return { kind: "unsafe", file: shown, why: "has a `..` segment in its path" };
  if (segments.some((s) => s === "" || s === "."))
    return { kind: "unsafe", file: shown, why: "has an empty or `.` segment in its path" };
  if (top === undefined || first !== top)
    return { kind: "unsafe", file: name, why: "is outside the archive's top folder" };
  if (rest.length === 0) return { kind: "top" };
  return { kind: "path", path: rest.join("/") };
}

/** The settings file and the integrations folder (or whatever stands at its name). */
function kept(path: string): boolean {
  return path === CONFIG_FILE || path === INTEGRATIONS || path.startsWith(`${INTEGRATIONS}/`);
}

/** Why an entry is not a regular file, or undefined when it is one. */
function unsafeKind(header: tar.Header): string | undefined {
  switch (header.type) {
    case "file":
    case "contiguous-file":
      return undefined;
    case "symlink":
      return `is a symbolic link (to ${quoted(header.linkname ?? "")})`;
    case "link":
      return `is a hard link (to ${quoted(header.linkname ?? "")})`;
    case "character-device":
    case "block-device":
    case "fifo":
      return `is a device entry (${header.type})`;
    default:
      return `is of an unknown type (${quoted(String(header.type))})`;
  }
}

/** Reads an entry's bytes, or gives undefined (keeping none) past maxBytes: the size the header
 * states is not trusted. */
async function collect(
  entry: AsyncIterable<unknown>,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of entry) {
    const bytes = chunk as Buffer;
    length += bytes.length;
    if (length <= maxBytes) chunks.push(bytes);
  }
  return length > maxBytes ? undefined : new Uint8Array(Buffer.concat(chunks, length));
}

/** An entry must be read to its end before the next one comes. */
async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of entry) void _chunk;
}

/** Hostile text cut and quoted for a message (renderers escape it further). */
function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}
