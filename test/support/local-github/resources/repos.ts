// Repositories and their git data: the repository, a branch, a file's contents, a comparison of
// two commits, commit history (optionally of one path), the pull requests of a commit, and the
// tarball of a commit (a redirect to the download, as GitHub answers).
import { GitHubError, notFound, paginate, repoOf, type Ctx, type Reply } from "../context.js";
import { commit, pullRequest, repository } from "../objects.js";
import type { Route } from "../router.js";
import {
  blobSha,
  diffTrees,
  sameEntry,
  type CommitObject,
  type Entry,
  type RepoState,
  type Store,
} from "../store.js";

/** The largest file the contents API returns inline. */
const MAX_INLINE_CONTENT = 1024 * 1024;
/** GitHub's cap on a comparison's list of files. */
export const MAX_COMPARE_FILES = 300;

function resolveOr404(ctx: Ctx, r: RepoState, ref: string): CommitObject {
  const c = ctx.store.resolve(r, ref);
  if (!c) throw notFound();
  return c;
}

function contentItem(
  ctx: Ctx,
  r: RepoState,
  c: CommitObject,
  path: string,
  type: string,
  e?: Entry,
) {
  const self = `${ctx.site.api}/repos/${r.fullName}/contents/${path}?ref=${c.sha}`;
  const sha = e ? blobSha(e) : c.sha;
  const git = `${ctx.site.api}/repos/${r.fullName}/git/${type === "dir" ? "trees" : "blobs"}/${sha}`;
  const html = `${ctx.site.web}/${r.fullName}/${type === "dir" ? "tree" : "blob"}/${c.sha}/${path}`;
  return {
    type,
    size: e ? (e.kind === "file" ? e.bytes.length : Buffer.byteLength(e.target)) : 0,
    name: path.split("/").pop() ?? path,
    path,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === "dir" ? null : `${ctx.site.web}/${r.fullName}/raw/${c.sha}/${path}`,
    _links: { self, git, html },
  };
}

function contents(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const c = resolveOr404(ctx, r, ctx.query.get("ref") ?? r.defaultBranch);
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const e = c.tree.get(path);
  if (e?.kind === "file")
    return {
      status: 200,
      body: {
        ...contentItem(ctx, r, c, path, "file", e),
        // Over 1 MB GitHub leaves the content out (encoding "none"); below, it wraps the base64
        // at 60 characters, as git does.
        ...(e.bytes.length > MAX_INLINE_CONTENT
          ? { encoding: "none", content: "" }
          : {
              encoding: "base64",
              content: (e.bytes.toString("base64").match(/.{1,60}/g) ?? []).join("\n") + "\n",
            }),
      },
    };
  if (e?.kind === "symlink")
    return {
      status: 200,
      body: { ...contentItem(ctx, r, c, path, "symlink", e), target: e.target },
    };
  const prefix = `${path}/`;
  const children = new Map<string, { type: string; entry?: Entry }>();
  for (const [p, entry] of c.tree) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const [first, ...more] = rest.split("/");
    children.set(
      `${prefix}${first}`,
      more.length > 0
        ? { type: "dir" }
        : { type: entry.kind === "file" ? "file" : "symlink", entry },
    );
  }
  if (children.size === 0) throw notFound();
  return {
    status: 200,
    body: [...children]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([p, v]) => contentItem(ctx, r, c, p, v.type, v.entry)),
  };
}

function compare(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const m = /^(.+?)\.\.\.(.+)$/.exec(ctx.params.basehead ?? "");
  if (!m) throw notFound();
  // owner:branch names a branch of the head's fork; only this repository's own is kept here.
  const strip = (s: string) => s.replace(/^[^:]+:/, "");
  const base = resolveOr404(ctx, r, strip(m[1]!));
  const head = resolveOr404(ctx, r, strip(m[2]!));
  const mb = ctx.store.mergeBase(base.sha, head.sha);
  if (!mb) throw notFound();
  const ahead = ctx.store.range(base.sha, head.sha);
  const behind = ctx.store.range(head.sha, base.sha);
  const status =
    ahead.length === 0 && behind.length === 0
      ? "identical"
      : behind.length === 0
        ? "ahead"
        : ahead.length === 0
          ? "behind"
          : "diverged";
  // GitHub lists at most 300 changed files, and only on the first page of a paged comparison.
  const page1 = (ctx.query.get("page") ?? "1") === "1";
  const files = diffTrees(mb.tree, head.tree)
    .slice(0, page1 ? MAX_COMPARE_FILES : 0)
    .map((d) => ({
      sha: blobSha((d.after ?? d.before)!),
      filename: d.path,
      status: d.status,
      additions: 0,
      deletions: 0,
      changes: 0,
      blob_url: `${ctx.site.web}/${r.fullName}/blob/${head.sha}/${d.path}`,
      raw_url: `${ctx.site.web}/${r.fullName}/raw/${head.sha}/${d.path}`,
      contents_url: `${ctx.site.api}/repos/${r.fullName}/contents/${d.path}?ref=${head.sha}`,
    }));
  const page = paginate(ctx, ahead);
  const u = `${ctx.site.web}/${r.fullName}/compare/${m[1]}...${m[2]}`;
  return {
    status: 200,
    headers: page.headers,
    body: {
      url: `${ctx.site.api}/repos/${r.fullName}/compare/${m[1]}...${m[2]}`,
      html_url: u,
      permalink_url: `${ctx.site.web}/${r.fullName}/compare/${base.sha.slice(0, 7)}...${head.sha.slice(0, 7)}`,
      diff_url: `${u}.diff`,
      patch_url: `${u}.patch`,
      base_commit: commit(ctx.site, ctx.store, r, base),
      merge_base_commit: commit(ctx.site, ctx.store, r, mb),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: page.items.map((c) => commit(ctx.site, ctx.store, r, c)),
      files,
    },
  };
}

/** Git's history simplification for a path: a commit counts when it differs there from every
 * parent (a merge that takes one side unchanged does not). */
export function touches(store: Store, c: CommitObject, path: string): boolean {
  const inside = (t: CommitObject["tree"]) =>
    [...t].filter(([p]) => p === path || p.startsWith(`${path}/`));
  const mine = inside(c.tree);
  const parents = c.parents.map((p) => store.commit(p)).filter((p) => p !== undefined);
  if (parents.length === 0) return mine.length > 0;
  return parents.every((p) => {
    const theirs = inside(p.tree);
    if (theirs.length !== mine.length) return true;
    const map = new Map(theirs);
    return mine.some(([k, e]) => !sameEntry(e, map.get(k)));
  });
}

function listCommits(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const start = resolveOr404(ctx, r, ctx.query.get("sha") ?? r.defaultBranch);
  const path = ctx.query.get("path")?.replace(/^\/+|\/+$/g, "");
  const author = ctx.query.get("author");
  const all = ctx.store
    .range(undefined, start.sha)
    .reverse()
    .filter((c) => !path || touches(ctx.store, c, path))
    .filter((c) => !author || c.author === author);
  const page = paginate(ctx, all);
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((c) => commit(ctx.site, ctx.store, r, c)),
  };
}

function pullsOfCommit(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const c = resolveOr404(ctx, r, ctx.params.commit_sha ?? "");
  const prs = [...r.pulls.values()].filter(
    (pr) =>
      pr.mergeCommitSha === c.sha || ctx.store.pullCommits(r, pr).some((x) => x.sha === c.sha),
  );
  const page = paginate(ctx, prs);
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((pr) => pullRequest(ctx.site, ctx.store, r, pr, false)),
  };
}

function branch(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const name = ctx.params.branch ?? "";
  const sha = r.branches.get(name);
  if (!sha) throw new GitHubError(404, "Branch not found");
  const u = `${ctx.site.api}/repos/${r.fullName}/branches/${name}`;
  return {
    status: 200,
    body: {
      name,
      commit: commit(ctx.site, ctx.store, r, ctx.store.commit(sha)!),
      _links: { self: u, html: `${ctx.site.web}/${r.fullName}/tree/${name}` },
      protected: false,
      protection: { enabled: false },
      protection_url: `${u}/protection`,
    },
  };
}

function tarball(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const c = resolveOr404(ctx, r, ctx.params.ref ?? r.defaultBranch);
  const path = `/_codeload/${r.fullName}/legacy.tar.gz/${c.sha}`;
  const location = `${ctx.site.web}${path}${r.private ? `?token=${ctx.signDownload(path)}` : ""}`;
  return { status: 302, headers: { location } };
}

export const repoRoutes: Route[] = [
  {
    method: "GET",
    template: "/repos/{owner}/{repo}",
    handler: (ctx) => ({ status: 200, body: repository(ctx.site, ctx.store, repoOf(ctx)) }),
  },
  { method: "GET", template: "/repos/{owner}/{repo}/tarball/{ref}", handler: tarball },
  { method: "GET", template: "/repos/{owner}/{repo}/contents/{path}", handler: contents },
  { method: "GET", template: "/repos/{owner}/{repo}/branches/{branch}", handler: branch },
  { method: "GET", template: "/repos/{owner}/{repo}/compare/{basehead}", handler: compare },
  { method: "GET", template: "/repos/{owner}/{repo}/commits", handler: listCommits },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
    handler: pullsOfCommit,
  },
];
