// What the App's jobs need of GitHub, for one repository, as plain data: the adapter over Octokit
// (octokit-port.ts) fills it from GitHub's REST API; nothing else in src/github talks to GitHub.
// Every answer is checked with zod at that edge, so the jobs trust these shapes.

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestInfo {
  number: number;
  /** Login of the pull request's author. */
  author: string;
  headSha: string;
  /** owner/name of the head's repository: another one for a pull request from a fork. */
  headRepo: string;
  baseRef: string;
  baseSha: string;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: string | null;
  htmlUrl: string;
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface Review {
  id: number;
  /** null when the reviewer's account is gone. */
  user: { login: string; type: string } | null;
  state: ReviewState;
  /** The commit the review was made on (GitHub may give none). */
  commitId: string | null;
  submittedAt: string | null;
}

export interface CommitInfo {
  sha: string;
  /** GitHub logins of the commit's author and committer; null when GitHub links no account. */
  author: string | null;
  committer: string | null;
}

export type MembershipState = "active" | "pending" | "none";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export interface CheckOutput {
  title: string;
  /** At most 65,535 bytes. */
  summary: string;
  /** At most 65,535 bytes. */
  text?: string;
  /** At most 50 per request: the adapter sends more with further updates. */
  annotations?: Annotation[];
}

export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "action_required";

export interface CheckRunUpdate {
  status?: "queued" | "in_progress" | "completed";
  conclusion?: CheckConclusion;
  output?: CheckOutput;
  /** A short machine-readable note (GitHub's external_id). */
  externalId?: string;
}

export interface IssueComment {
  id: number;
  body: string;
  /** Login of the comment's author, e.g. `okta-gitops[bot]`. */
  author: string | null;
}

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  author: string | null;
  labels: string[];
}

export interface DeploymentInfo {
  id: number;
  sha: string;
  environment: string;
  /** Login of the deployment's creator (the App's is `<slug>[bot]`). */
  creator: string | null;
  payload: unknown;
  createdAt: string;
}

export type DeploymentState =
  "queued" | "in_progress" | "success" | "failure" | "error" | "inactive";

/** One repository's GitHub, as the App's installation sees it. */
export interface GitHubPort {
  readonly repo: RepoRef;

  /** The .tar.gz archive of a commit (GET .../tarball/{ref}, following its redirect), refused
   * when larger than maxBytes. */
  tarball(ref: string, maxBytes: number): Promise<Uint8Array>;
  /** One file's bytes at a ref (GET .../contents/{path}), or undefined when there is none. */
  fileAt(path: string, ref: string): Promise<Uint8Array | undefined>;
  /** The commit a branch points at. */
  branchHead(branch: string): Promise<string>;
  /** The merge base of two commits (GET .../compare/{base}...{head}). */
  mergeBase(base: string, head: string): Promise<string>;

  pullRequest(number: number): Promise<PullRequestInfo>;
  /** Oldest first, every page. */
  reviews(pullNumber: number): Promise<Review[]>;
  /** The pull request's commits, oldest first (GitHub lists at most 250). */
  pullCommits(pullNumber: number): Promise<CommitInfo[]>;
  /** Commits reachable from ref that changed path, newest first, at most `limit`. */
  commitsTouching(path: string, ref: string, limit: number): Promise<CommitInfo[]>;
  /** Pull requests that hold the commit (GET .../commits/{sha}/pulls). */
  pullsOfCommit(sha: string): Promise<PullRequestInfo[]>;
  /** GET /orgs/{org}/teams/{team}/memberships/{user}: none when GitHub answers 404. */
  teamMembership(org: string, teamSlug: string, user: string): Promise<MembershipState>;

  /** Creates a check run on a commit; the adapter sends annotations beyond 50 with updates. */
  createCheckRun(
    name: string,
    headSha: string,
    update: CheckRunUpdate,
  ): Promise<{ id: number; htmlUrl: string }>;
  updateCheckRun(id: number, update: CheckRunUpdate): Promise<void>;

  /** Every comment on an issue or pull request, oldest first. */
  comments(issueNumber: number): Promise<IssueComment[]>;
  createComment(issueNumber: number, body: string): Promise<IssueComment>;
  updateComment(commentId: number, body: string): Promise<void>;

  /** Issues (not pull requests) with the label, in the given state. */
  issuesLabelled(label: string, state: "open" | "closed" | "all"): Promise<IssueInfo[]>;
  createIssue(title: string, body: string, labels: string[]): Promise<IssueInfo>;
  updateIssue(
    number: number,
    change: { title?: string; body?: string; state?: "open" | "closed" },
  ): Promise<void>;

  /** Deployments to an environment, newest first, at most `limit`. */
  deployments(environment: string, limit: number): Promise<DeploymentInfo[]>;
  /** POST .../deployments with auto_merge false and required_contexts []. */
  createDeployment(
    sha: string,
    environment: string,
    description: string,
    payload: unknown,
  ): Promise<DeploymentInfo>;
  setDeploymentStatus(
    id: number,
    state: DeploymentState,
    description: string,
    logUrl?: string,
  ): Promise<void>;
}
