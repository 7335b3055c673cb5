// A local GitHub for the App's tests and the benchmark: GitHub's REST API under /api/v3 on
// 127.0.0.1 (Probot reaches it with GHE_HOST=127.0.0.1:PORT and GHE_PROTOCOL=http), over
// repositories that are real commit graphs, with the App's JWT and installation-token
// authentication, and every request and answer checked against GitHub's OpenAPI description.
// The test seeds it (repositories, commits, pull requests, reviews, team members) and reads
// back what the App did (check runs, comments, issues, deployments, requests, violations).
import type { Server } from "node:http";
import { AppAuth } from "./auth.js";
import * as objects from "./objects.js";
import type { AppIdentity, Site } from "./objects.js";
import { appRoutes } from "./resources/app.js";
import { checkRoutes } from "./resources/checks.js";
import { deploymentRoutes } from "./resources/deployments.js";
import { issueRoutes } from "./resources/issues.js";
import { pullRoutes } from "./resources/pulls.js";
import { repoRoutes } from "./resources/repos.js";
import { Router } from "./router.js";
import { API_PREFIX, startServer, type Faults, type RequestRecord } from "./server.js";
import { loadGitHubSpec } from "./spec.js";
import {
  diffTrees,
  Store,
  type CheckRunRecord,
  type CommentRecord,
  type DeploymentRecord,
  type Entry,
  type IssueRecord,
  type RepoState,
} from "./store.js";

export type { CheckRunRecord, CommentRecord, DeploymentRecord, IssueRecord, RequestRecord };
export type { AnnotationRecord, DeploymentStatusRecord } from "./store.js";

/** The login GitHub's web interface commits merges as. */
export const WEB_FLOW = "web-flow";

export interface LocalGitHub {
  /** http://127.0.0.1:PORT (the API under /api/v3, as GitHub Enterprise Server serves it) */
  url: string;
  /** "127.0.0.1:PORT", for GHE_HOST (with GHE_PROTOCOL=http) */
  host: string;
  appId: number;
  appSlug: string;
  /** The App's private key (RSA, PEM): JWTs signed with it are verified. */
  privateKey: string;
  installationId: number;
  createRepo(fullName: string, opts?: { defaultBranch?: string; private?: boolean }): void;
  /** A commit on the branch (created from the default branch when new); null deletes a file.
   * Returns its sha. */
  commit(
    fullName: string,
    branch: string,
    files: Record<string, string | null>,
    opts?: {
      /** A GitHub login; null: a commit whose author has no GitHub account linked. */
      author?: string | null;
      /** Defaults to the author. */
      committer?: string | null;
      message?: string;
      symlinks?: Record<string, string>;
    },
  ): string;
  /** Replays the branch's own commits (those not on `onto`, the default branch) onto the head
   * of `onto`, as `git rebase` and a force-push do: new shas, same authors and changes. */
  rebaseBranch(fullName: string, branch: string, onto?: string): string;
  branchHead(fullName: string, branch: string): string;
  /** A pull request of `head` into `base` (the default branch). With `fromFork`, the head branch
   * lives in that fork (created, with the base repository's branches, when it does not exist; a
   * head branch found only in the base repository moves to the fork). */
  openPullRequest(
    fullName: string,
    opts: { head: string; base?: string; author: string; fromFork?: string; title?: string },
  ): number;
  /** Merges as GitHub's button does ("merge": a merge commit with both parents; "squash": one
   * commit on the base with the pull request's changes); returns the new commit's sha. */
  mergePullRequest(
    fullName: string,
    number: number,
    opts?: { method?: "merge" | "squash"; by?: string },
  ): string;
  review(
    fullName: string,
    number: number,
    opts: {
      user: string;
      state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
      commitId?: string;
      body?: string;
    },
  ): number;
  dismissReview(fullName: string, number: number, reviewId: number): void;
  addTeamMember(org: string, teamSlug: string, user: string, state?: "active" | "pending"): void;

  checkRuns(fullName: string, sha?: string): CheckRunRecord[];
  comments(fullName: string, issueNumber: number): CommentRecord[];
  issues(fullName: string): IssueRecord[];
  deployments(fullName: string): DeploymentRecord[];
  requests(): RequestRecord[];
  /** Every request or answer that breaks GitHub's OpenAPI description. */
  violations(): string[];
  close(): Promise<void>;

  // Beyond the shared contract: for webhook payloads and further scenarios.
  closePullRequest(fullName: string, number: number): void;
  reopenPullRequest(fullName: string, number: number): void;
  /** A comment by someone else (a person, another App), e.g. one that imitates the App's marker. */
  addComment(fullName: string, issueNumber: number, opts: { author: string; body: string }): number;
  /** An issue by someone else; returns its number. */
  addIssue(
    fullName: string,
    opts: { author: string; title: string; body?: string; labels?: string[] },
  ): number;
  /** A deployment by someone else (its creator is `creator`); returns its id. */
  addDeployment(
    fullName: string,
    opts: { creator: string; sha: string; environment: string; payload?: unknown; state?: string },
  ): number;
  /** Removes a team member (their approvals stop counting). */
  removeTeamMember(org: string, teamSlug: string, user: string): void;
  /** The next `times` requests of an operation (e.g. "repos/download-tarball-archive") are
   * answered with `status` (GitHub's error shape) instead; they are marked `injected` in
   * requests() and their answers are not counted as violations. */
  failNext(operationId: string, status: number, times?: number): void;
  /** Forgets every installation token issued (the App must ask for a new one). */
  revokeTokens(): void;
  /** GitHub's JSON objects for the current state (webhook payloads are built from them). */
  json: {
    repository(fullName: string): ReturnType<typeof objects.repository>;
    pullRequest(fullName: string, number: number): ReturnType<typeof objects.pullRequest>;
    review(fullName: string, number: number, reviewId: number): ReturnType<typeof objects.review>;
    commit(fullName: string, sha: string): ReturnType<typeof objects.commit>;
    user(login: string): ReturnType<typeof objects.user>;
    installation(account: string): ReturnType<typeof objects.installation>;
    checkRun(fullName: string, id: number): ReturnType<typeof objects.checkRun>;
  };
  /** The commit graph (read-only use: webhook payloads). */
  readonly store: Store;
}

export interface LocalGitHubOptions {
  appId?: number;
  appSlug?: string;
  installationId?: number;
  /** Requests an installation token may make before GitHub's 403 (default 5,000 an hour). */
  rateLimit?: number;
}

export async function startLocalGitHub(options: LocalGitHubOptions = {}): Promise<LocalGitHub> {
  const store = new Store();
  const spec = loadGitHubSpec();
  const app: AppIdentity = {
    id: options.appId ?? 4242,
    slug: options.appSlug ?? "okta-gitops",
    name: "okta-gitops",
    owner: "acme",
    installationId: options.installationId ?? 777,
    createdAt: store.now(),
  };
  const auth = new AppAuth(app.id);
  const router = new Router(spec, [
    ...appRoutes(auth),
    ...repoRoutes,
    ...pullRoutes,
    ...checkRoutes,
    ...issueRoutes,
    ...deploymentRoutes,
  ]);
  const requests: RequestRecord[] = [];
  const violations: string[] = [];
  const faults: Faults = new Map();
  let site: Site = { web: "", api: "" };
  const server: Server = await startServer({
    store,
    spec,
    router,
    auth,
    app,
    site: () => site,
    requests,
    violations,
    faults,
    rateLimit: options.rateLimit,
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("local GitHub: no address");
  const host = `127.0.0.1:${address.port}`;
  const url = `http://${host}`;
  site = { web: url, api: `${url}${API_PREFIX}` };

  const headOf = (r: RepoState, branch: string): string => {
    const sha = r.branches.get(branch);
    if (!sha) throw new Error(`local GitHub: no branch ${branch} in ${r.fullName}`);
    return sha;
  };
  const pullOf = (fullName: string, n: number) => {
    const r = store.mustRepo(fullName);
    const pr = r.pulls.get(n);
    if (!pr) throw new Error(`local GitHub: no pull request #${n} in ${fullName}`);
    return { r, pr };
  };
  const clone = <T>(v: T): T => structuredClone(v);

  const gh: LocalGitHub = {
    url,
    host,
    appId: app.id,
    appSlug: app.slug,
    privateKey: auth.privateKey,
    installationId: app.installationId,
    store,

    createRepo(fullName, opts) {
      store.createRepo(fullName, opts);
    },

    commit(fullName, branch, files, opts = {}) {
      const r = store.mustRepo(fullName);
      const parentSha = r.branches.get(branch) ?? r.branches.get(r.defaultBranch);
      const parent = parentSha ? store.commit(parentSha) : undefined;
      const tree = new Map<string, Entry>(parent?.tree ?? []);
      for (const [path, content] of Object.entries(files)) {
        if (content === null) tree.delete(path);
        else tree.set(path, { kind: "file", bytes: Buffer.from(content, "utf8") });
      }
      for (const [path, target] of Object.entries(opts.symlinks ?? {}))
        tree.set(path, { kind: "symlink", target });
      const author = opts.author === undefined ? r.owner : opts.author;
      const c = store.writeCommit({
        parents: parent ? [parent.sha] : [],
        tree,
        author,
        committer: opts.committer === undefined ? author : opts.committer,
        message: opts.message ?? `Update ${Object.keys(files).join(", ")}`,
        date: store.now(),
      });
      r.branches.set(branch, c.sha);
      for (const pr of r.pulls.values())
        if (pr.state === "open" && pr.headRef === branch) pr.updatedAt = store.now();
      return c.sha;
    },

    rebaseBranch(fullName, branch, onto) {
      const r = store.mustRepo(fullName);
      const target = headOf(r, onto ?? r.defaultBranch);
      let head = target;
      for (const c of store.range(target, headOf(r, branch))) {
        const parent = store.commit(c.parents[0] ?? "");
        const tree = new Map(store.commit(head)!.tree);
        for (const d of diffTrees(parent?.tree ?? new Map(), c.tree)) {
          if (d.after) tree.set(d.path, d.after);
          else tree.delete(d.path);
        }
        head = store.writeCommit({ ...c, parents: [head], tree, date: store.now() }).sha;
      }
      r.branches.set(branch, head);
      return head;
    },

    branchHead(fullName, branch) {
      return headOf(store.mustRepo(fullName), branch);
    },

    openPullRequest(fullName, opts) {
      const r = store.mustRepo(fullName);
      const base = opts.base ?? r.defaultBranch;
      headOf(r, base);
      let headRepo = r;
      if (opts.fromFork) {
        let fork = store.repo(opts.fromFork);
        if (!fork) {
          fork = store.createRepo(opts.fromFork, { defaultBranch: r.defaultBranch, fork: true });
          for (const [b, sha] of r.branches) fork.branches.set(b, sha);
          if (opts.head !== r.defaultBranch) r.branches.delete(opts.head);
        }
        headRepo = fork;
      }
      headOf(headRepo, opts.head);
      const now = store.now();
      const number = r.nextNumber++;
      r.pulls.set(number, {
        number,
        title: opts.title ?? `Change ${opts.head}`,
        body: null,
        author: opts.author,
        headRepo: headRepo.fullName,
        headRef: opts.head,
        baseRef: base,
        state: "open",
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      });
      r.reviews.set(number, []);
      return number;
    },

    mergePullRequest(fullName, number, opts = {}) {
      const { r, pr } = pullOf(fullName, number);
      if (pr.state !== "open") throw new Error(`local GitHub: #${number} is not open`);
      const head = store.pullHead(r, pr);
      const baseSha = headOf(r, pr.baseRef);
      const mb = store.mergeBase(baseSha, head);
      const baseCommit = store.commit(baseSha)!;
      const headCommit = store.commit(head)!;
      // The pull request's changes since the merge base, applied onto the base as it is now.
      const tree = new Map(baseCommit.tree);
      for (const d of diffTrees(mb?.tree ?? new Map(), headCommit.tree)) {
        if (d.after) tree.set(d.path, d.after);
        else tree.delete(d.path);
      }
      const by = opts.by ?? pr.author;
      const squash = opts.method === "squash";
      const c = store.writeCommit({
        parents: squash ? [baseSha] : [baseSha, head],
        tree,
        author: squash ? pr.author : by,
        committer: WEB_FLOW,
        message: squash
          ? `${pr.title} (#${number})`
          : `Merge pull request #${number} from ${pr.headRepo.split("/")[0]}/${pr.headRef}`,
        date: store.now(),
      });
      r.branches.set(pr.baseRef, c.sha);
      const now = store.now();
      Object.assign(pr, {
        state: "closed",
        frozenHead: head,
        frozenBase: baseSha,
        mergedAt: now,
        mergedBy: by,
        mergeCommitSha: c.sha,
        closedAt: now,
        updatedAt: now,
      });
      return c.sha;
    },

    review(fullName, number, opts) {
      const { r, pr } = pullOf(fullName, number);
      const id = store.nextId();
      r.reviews.get(number)!.push({
        id,
        user: opts.user,
        state: opts.state,
        commitId: opts.commitId ?? store.pullHead(r, pr),
        body: opts.body ?? "",
        submittedAt: store.now(),
      });
      return id;
    },

    dismissReview(fullName, number, reviewId) {
      const { r } = pullOf(fullName, number);
      const rv = r.reviews.get(number)!.find((x) => x.id === reviewId);
      if (!rv) throw new Error(`local GitHub: no review ${reviewId} on #${number}`);
      rv.state = "DISMISSED";
    },

    addTeamMember(org, teamSlug, user, state = "active") {
      const key = `${org}/${teamSlug}`.toLowerCase();
      const team = store.teams.get(key) ?? new Map();
      team.set(user.toLowerCase(), state);
      store.teams.set(key, team);
    },

    addComment(fullName, issueNumber, opts) {
      const r = store.mustRepo(fullName);
      if (!r.issues.has(issueNumber) && !r.pulls.has(issueNumber))
        throw new Error(`local GitHub: no issue or pull request #${issueNumber} in ${fullName}`);
      const now = store.now();
      const id = store.nextId();
      r.comments.push({
        id,
        issueNumber,
        body: opts.body,
        author: opts.author,
        createdAt: now,
        updatedAt: now,
        edits: 0,
      });
      return id;
    },

    addIssue(fullName, opts) {
      const r = store.mustRepo(fullName);
      const now = store.now();
      const number = r.nextNumber++;
      r.issues.set(number, {
        number,
        title: opts.title,
        body: opts.body ?? null,
        state: "open",
        stateReason: null,
        labels: opts.labels ?? [],
        author: opts.author,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      });
      return number;
    },

    addDeployment(fullName, opts) {
      const r = store.mustRepo(fullName);
      if (!store.resolve(r, opts.sha))
        throw new Error(`local GitHub: no commit ${opts.sha} in ${fullName}`);
      const now = store.now();
      const id = store.nextId();
      r.deployments.push({
        id,
        sha: opts.sha,
        ref: opts.sha,
        task: "deploy",
        environment: opts.environment,
        description: "",
        payload: opts.payload ?? {},
        autoMerge: false,
        requiredContexts: [],
        transient: false,
        production: false,
        creator: opts.creator,
        createdAt: now,
        updatedAt: now,
        statuses: opts.state
          ? [
              {
                id: store.nextId(),
                state: opts.state,
                description: "",
                logUrl: null,
                environmentUrl: null,
                creator: opts.creator,
                createdAt: now,
              },
            ]
          : [],
      });
      return id;
    },

    removeTeamMember(org, teamSlug, user) {
      store.teams.get(`${org}/${teamSlug}`.toLowerCase())?.delete(user.toLowerCase());
    },

    closePullRequest(fullName, number) {
      const { r, pr } = pullOf(fullName, number);
      Object.assign(pr, {
        state: "closed",
        frozenHead: store.pullHead(r, pr),
        frozenBase: store.pullBase(r, pr),
        closedAt: store.now(),
        updatedAt: store.now(),
      });
    },

    reopenPullRequest(fullName, number) {
      const { pr } = pullOf(fullName, number);
      if (pr.mergedAt) throw new Error(`local GitHub: #${number} is merged`);
      Object.assign(pr, {
        state: "open",
        frozenHead: undefined,
        frozenBase: undefined,
        closedAt: null,
        updatedAt: store.now(),
      });
    },

    failNext(operationId, status, times = 1) {
      faults.set(operationId, { status, times });
    },

    revokeTokens() {
      auth.revokeTokens();
    },

    checkRuns(fullName, sha) {
      return clone(
        store.mustRepo(fullName).checkRuns.filter((c) => sha === undefined || c.headSha === sha),
      );
    },
    comments(fullName, issueNumber) {
      return clone(store.mustRepo(fullName).comments.filter((c) => c.issueNumber === issueNumber));
    },
    issues(fullName) {
      return clone([...store.mustRepo(fullName).issues.values()]);
    },
    deployments(fullName) {
      return clone(store.mustRepo(fullName).deployments);
    },
    requests() {
      return clone(requests);
    },
    violations() {
      return [...violations];
    },

    json: {
      repository: (fullName) => objects.repository(site, store, store.mustRepo(fullName)),
      pullRequest: (fullName, n) => {
        const { r, pr } = pullOf(fullName, n);
        return objects.pullRequest(site, store, r, pr, true);
      },
      review: (fullName, n, id) => {
        const { r } = pullOf(fullName, n);
        const rv = r.reviews.get(n)!.find((x) => x.id === id);
        if (!rv) throw new Error(`local GitHub: no review ${id} on #${n}`);
        return objects.review(site, store, r, n, rv);
      },
      commit: (fullName, sha) => {
        const c = store.commit(sha);
        if (!c) throw new Error(`local GitHub: no commit ${sha}`);
        return objects.commit(site, store, store.mustRepo(fullName), c);
      },
      user: (login) => objects.user(site, store, login),
      installation: (account) => objects.installation(site, store, app, account),
      checkRun: (fullName, id) => {
        const r = store.mustRepo(fullName);
        const run = r.checkRuns.find((c) => c.id === id);
        if (!run) throw new Error(`local GitHub: no check run ${id}`);
        return objects.checkRun(site, store, app, r, run);
      },
    },

    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return gh;
}
