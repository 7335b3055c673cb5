// Commits' trees, read with one archive download each and kept in a small LRU by repository and
// sha: a commit never changes, so a tree read for a review's commit, a merge base or a head is
// read once, and the approval job (which reads one tree per reviewed commit) stays cheap on every
// review event. Bounded in entries; an archive is bounded in size by readArchive.
import type { Finding } from "../model/index.js";
import type { SourceFile } from "../load/types.js";
import { readArchive } from "./archive.js";
import type { GitHubPort } from "./port.js";

export interface Tree {
  files: SourceFile[];
  findings: Finding[];
}

/** The most compressed bytes of one archive the App downloads. */
export const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

export class ArchiveCache {
  readonly #entries = new Map<string, Promise<Tree>>();
  constructor(readonly capacity = 16) {}

  /** The tree of `sha` in the port's repository. */
  tree(port: GitHubPort, sha: string): Promise<Tree> {
    const key = `${port.repo.owner}/${port.repo.repo}@${sha}`.toLowerCase();
    const hit = this.#entries.get(key);
    if (hit) {
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const read = (async () => readArchive(await port.tarball(sha, MAX_ARCHIVE_BYTES)))();
    // A failed read is not kept: the next job tries again.
    read.catch(() => this.#entries.delete(key));
    this.#entries.set(key, read);
    while (this.#entries.size > this.capacity)
      this.#entries.delete(this.#entries.keys().next().value!);
    return read;
  }
}
