// Commits' trees, read with one archive download each and kept in a small LRU by repository and
// sha: a commit never changes, so a tree read for a review's commit, a merge base or a head is
// read once, and the approval job (which reads one tree per reviewed commit) stays cheap on every
// review event. Bounded in entries; an archive is bounded in size by readArchive.
import type { Finding } from "../model/index.js";
import type { SourceFile } from "../load/types.js";
import { MissingPathError } from "../load/source-directory.js";
import { memorySource } from "../load/source-memory.js";
import type { FileSource } from "../workflows/workspace.js";
import { readArchive } from "./archive.js";
import type { GitHubPort } from "./port.js";

export interface Tree {
  files: SourceFile[];
  findings: Finding[];
}

/** The most compressed bytes of one archive the App downloads. */
export const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/** The most bytes of files the cache keeps across its trees (an archive may hold up to
 * readArchive's bound: a few hostile pull requests must not fill the process's memory). */
export const MAX_CACHED_BYTES = 256 * 1024 * 1024;

export class ArchiveCache {
  readonly #entries = new Map<string, { tree: Promise<Tree>; bytes: number }>();
  constructor(
    readonly capacity = 16,
    readonly maxBytes = MAX_CACHED_BYTES,
  ) {}

  /** The tree of `sha` in the port's repository. */
  tree(port: GitHubPort, sha: string): Promise<Tree> {
    const key = `${port.repo.owner}/${port.repo.repo}@${sha}`.toLowerCase();
    const hit = this.#entries.get(key);
    if (hit) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.tree;
    }
    const entry = {
      tree: (async () => readArchive(await port.tarball(sha, MAX_ARCHIVE_BYTES)))(),
      bytes: 0,
    };
    entry.tree.then(
      (tree) => {
        entry.bytes = tree.files.reduce((n, f) => n + f.bytes.byteLength, 0);
        this.#evict();
      },
      // A failed read is not kept: the next job tries again.
      () => this.#entries.get(key) === entry && this.#entries.delete(key),
    );
    this.#entries.set(key, entry);
    this.#evict();
    return entry.tree;
  }

  #evict(): void {
    let bytes = 0;
    for (const e of this.#entries.values()) bytes += e.bytes;
    // Oldest first; the newest entry stays even when it alone is over the bound (it is in use).
    while (
      this.#entries.size > 1 &&
      (this.#entries.size > this.capacity || bytes > this.maxBytes)
    ) {
      const [oldest, e] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      bytes -= e.bytes;
    }
  }
}

/** A commit's tree as the workflows' file source. A tree without integrations/ (none yet, or the
 * last one removed) is an empty repository to the bot, not a missing path: its removals are
 * planned and applied under the deletion guard. */
export function treeSource(tree: Tree): FileSource {
  const source = memorySource(tree);
  const empty = !tree.files.some((f) => f.path.startsWith("integrations/"));
  return {
    has: (path) => source.has(path),
    read: (paths) => {
      try {
        return source.read(paths);
      } catch (error) {
        if (empty && error instanceof MissingPathError)
          return { files: [], findings: [...tree.findings] };
        throw error;
      }
    },
  };
}
