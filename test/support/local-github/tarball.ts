// The archive of a commit as GitHub's codeload serves it: a gzipped tar whose entries sit under
// one top folder `owner-repo-sha7/`, directories listed before their contents, symlinks as
// symlink entries. (GitHub's archives also open with a pax global header holding the commit id;
// tar-stream's pack cannot write one, and readers skip it anyway.)
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import type { CommitObject, RepoState } from "./store.js";

export function topFolder(repo: RepoState, sha: string): string {
  return `${repo.owner}-${repo.name}-${sha.slice(0, 7)}/`;
}

export async function tarballOf(repo: RepoState, c: CommitObject): Promise<Buffer> {
  const top = topFolder(repo, c.sha);
  const mtime = new Date(c.date);
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (b: unknown) => chunks.push(b as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    p.on("end", resolve);
    p.on("error", reject);
  });
  const dirs = new Set<string>();
  for (const path of c.tree.keys()) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join("/")}/`);
  }
  const entries = [
    ...[...dirs].map((d) => ({ name: d, dir: true as const })),
    ...[...c.tree].map(([name, e]) => ({ name, dir: false as const, e })),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  p.entry({ name: top, type: "directory", mode: 0o775, mtime });
  for (const entry of entries) {
    if (entry.dir) p.entry({ name: `${top}${entry.name}`, type: "directory", mode: 0o775, mtime });
    else if (entry.e.kind === "symlink")
      p.entry({
        name: `${top}${entry.name}`,
        type: "symlink",
        linkname: entry.e.target,
        mode: 0o777,
        mtime,
      });
    else p.entry({ name: `${top}${entry.name}`, type: "file", mode: 0o664, mtime }, entry.e.bytes);
  }
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}
