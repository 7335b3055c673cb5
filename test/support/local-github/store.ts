// The local GitHub's state: repositories as commit graphs (every commit holds its whole tree as
// path -> bytes, its parents and its author's login), pull requests, reviews, team memberships,
// check runs, comments, issues and deployments. Plain data and the git operations over it; the
// HTTP side (resources/*.ts) reads and changes it, the test side (index.ts) seeds it.
import { createHash } from "node:crypto";

export type Entry = { kind: "file"; bytes: Buffer } | { kind: "symlink"; target: string };
export type Tree = ReadonlyMap<string, Entry>;

export interface CommitObject {
  sha: string;
  parents: string[];
  tree: Tree;
  /** GitHub logins; null when no account is linked. */
  author: string | null;
  committer: string | null;
  message: string;
  date: string;
  /** Creation order: the graph's topological order (a parent is always older). */
  seq: number;
}

export interface PullState {
  number: number;
  title: string;
  body: string | null;
  author: string;
  headRepo: string;
  headRef: string;
  baseRef: string;
  /** Frozen when the pull request is merged or closed; otherwise the branches are read. */
  frozenHead?: string;
  frozenBase?: string;
  state: "open" | "closed";
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface ReviewState {
  id: number;
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  commitId: string;
  body: string;
  submittedAt: string;
}

export interface AnnotationRecord {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: string;
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  startedAt: string | null;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation received, across the create and every update, in order. */
  annotations: AnnotationRecord[];
  /** How many requests wrote this check run (the create included). */
  writes: number;
  /** Login of the App that created it. */
  app: string;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
  /** How many times it was edited after being created. */
  edits: number;
}

export interface IssueRecord {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface DeploymentStatusRecord {
  id: number;
  state: string;
  description: string;
  logUrl: string | null;
  environmentUrl: string | null;
  creator: string;
  createdAt: string;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  autoMerge: boolean;
  /** null when the request left it out (GitHub then requires every context). */
  requiredContexts: string[] | null;
  transient: boolean;
  production: boolean;
  creator: string;
  createdAt: string;
  updatedAt: string;
  /** Oldest first. */
  statuses: DeploymentStatusRecord[];
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  fork: boolean;
  createdAt: string;
  branches: Map<string, string>;
  pulls: Map<number, PullState>;
  reviews: Map<number, ReviewState[]>;
  issues: Map<number, IssueRecord>;
  /** Issues and pull requests share one numbering, as on GitHub. */
  nextNumber: number;
  comments: CommentRecord[];
  checkRuns: CheckRunRecord[];
  deployments: DeploymentRecord[];
}

export interface Clock {
  now(): Date;
}

export class Store {
  readonly repos = new Map<string, RepoState>();
  /** One object store for every repository: a fork shares its parent's commits. */
  readonly commits = new Map<string, CommitObject>();
  /** "org/slug" -> login -> state. */
  readonly teams = new Map<string, Map<string, "active" | "pending">>();
  private readonly userIds = new Map<string, number>();
  private ids = 1000;
  private seq = 0;

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  nextId(): number {
    return ++this.ids;
  }

  now(): string {
    return this.clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  userId(login: string): number {
    let id = this.userIds.get(login);
    if (id === undefined) {
      id = 10_000 + this.userIds.size + 1;
      this.userIds.set(login, id);
    }
    return id;
  }

  repo(fullName: string): RepoState | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  mustRepo(fullName: string): RepoState {
    const r = this.repo(fullName);
    if (!r) throw new Error(`local GitHub: no repository ${fullName}`);
    return r;
  }

  createRepo(
    fullName: string,
    opts: { defaultBranch?: string; private?: boolean; fork?: boolean } = {},
  ): RepoState {
    const [owner, name, ...rest] = fullName.split("/");
    if (!owner || !name || rest.length > 0) throw new Error(`not owner/name: ${fullName}`);
    if (this.repo(fullName)) throw new Error(`local GitHub: ${fullName} exists`);
    const repo: RepoState = {
      id: this.nextId(),
      owner,
      name,
      fullName,
      defaultBranch: opts.defaultBranch ?? "main",
      private: opts.private ?? false,
      fork: opts.fork ?? false,
      createdAt: this.now(),
      branches: new Map(),
      pulls: new Map(),
      reviews: new Map(),
      issues: new Map(),
      nextNumber: 1,
      comments: [],
      checkRuns: [],
      deployments: [],
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  /** Writes a commit object; its sha is a SHA-1 over its whole content, parents included. */
  writeCommit(c: Omit<CommitObject, "sha" | "seq">): CommitObject {
    const h = createHash("sha1");
    h.update(JSON.stringify([c.parents, c.author, c.committer, c.message, c.date, this.seq]));
    for (const [p, e] of [...c.tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      h.update(`\0${p}\0${e.kind}\0`);
      h.update(e.kind === "file" ? e.bytes : e.target);
    }
    const commit: CommitObject = { ...c, sha: h.digest("hex"), seq: ++this.seq };
    this.commits.set(commit.sha, commit);
    return commit;
  }

  commit(sha: string): CommitObject | undefined {
    return this.commits.get(sha);
  }

  /** A branch name, refs/heads/name, a full sha or an unambiguous prefix of 7+ hex digits. */
  resolve(repo: RepoState, ref: string): CommitObject | undefined {
    const branch = repo.branches.get(ref.replace(/^refs\/heads\//, ""));
    if (branch) return this.commits.get(branch);
    if (!/^[0-9a-f]{7,40}$/.test(ref)) return undefined;
    const exact = this.commits.get(ref);
    if (exact) return this.reachableInRepo(repo, exact.sha) ? exact : undefined;
    const hits = [...this.commits.keys()].filter((s) => s.startsWith(ref));
    const hit = hits.length === 1 ? this.commits.get(hits[0]!) : undefined;
    return hit && this.reachableInRepo(repo, hit.sha) ? hit : undefined;
  }

  /** A commit belongs to a repository when some branch or pull request reaches it. */
  private reachableInRepo(repo: RepoState, sha: string): boolean {
    const tips = [...repo.branches.values()];
    for (const pr of repo.pulls.values()) {
      tips.push(this.pullHead(repo, pr));
      if (pr.mergeCommitSha) tips.push(pr.mergeCommitSha);
    }
    return tips.some((t) => this.ancestors(t).has(sha));
  }

  /** The commit and every ancestor. */
  ancestors(sha: string): Set<string> {
    const out = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (out.has(s)) continue;
      out.add(s);
      stack.push(...(this.commits.get(s)?.parents ?? []));
    }
    return out;
  }

  /** The best common ancestor (the newest one both reach), or undefined for unrelated histories. */
  mergeBase(a: string, b: string): CommitObject | undefined {
    const ofA = this.ancestors(a);
    let best: CommitObject | undefined;
    for (const s of this.ancestors(b)) {
      const c = this.commits.get(s);
      if (c && ofA.has(s) && (!best || c.seq > best.seq)) best = c;
    }
    return best;
  }

  /** Commits reachable from head and not from base, oldest first. */
  range(base: string | undefined, head: string): CommitObject[] {
    const exclude = base ? this.ancestors(base) : new Set<string>();
    return [...this.ancestors(head)]
      .filter((s) => !exclude.has(s))
      .map((s) => this.commits.get(s)!)
      .sort((x, y) => x.seq - y.seq);
  }

  pullHead(repo: RepoState, pr: PullState): string {
    if (pr.frozenHead) return pr.frozenHead;
    const head = this.repo(pr.headRepo) ?? repo;
    const sha = head.branches.get(pr.headRef);
    if (!sha) throw new Error(`local GitHub: no branch ${pr.headRef} in ${pr.headRepo}`);
    return sha;
  }

  pullBase(repo: RepoState, pr: PullState): string {
    return pr.frozenBase ?? repo.branches.get(pr.baseRef) ?? "";
  }

  /** A pull request's commits, oldest first: reachable from its head, not from its base. */
  pullCommits(repo: RepoState, pr: PullState): CommitObject[] {
    return this.range(this.pullBase(repo, pr), this.pullHead(repo, pr));
  }
}

/** Path -> change between two trees, as GitHub's compare lists files. */
export function diffTrees(
  from: Tree,
  to: Tree,
): { path: string; status: "added" | "removed" | "modified"; before?: Entry; after?: Entry }[] {
  const out: {
    path: string;
    status: "added" | "removed" | "modified";
    before?: Entry;
    after?: Entry;
  }[] = [];
  const paths = [...new Set([...from.keys(), ...to.keys()])].sort();
  for (const p of paths) {
    const a = from.get(p);
    const b = to.get(p);
    if (!a && b) out.push({ path: p, status: "added", after: b });
    else if (a && !b) out.push({ path: p, status: "removed", before: a });
    else if (a && b && !sameEntry(a, b))
      out.push({ path: p, status: "modified", before: a, after: b });
  }
  return out;
}

export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind !== b.kind) return false;
  return a.kind === "file"
    ? a.bytes.equals((b as { bytes: Buffer }).bytes)
    : a.target === (b as { target: string }).target;
}

/** The git blob sha of an entry's bytes, as GitHub reports a file's sha. */
export function blobSha(e: Entry): string {
  const bytes = e.kind === "file" ? e.bytes : Buffer.from(e.target);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
