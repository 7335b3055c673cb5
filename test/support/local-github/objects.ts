// GitHub's JSON objects built from the store, with every field GitHub's description requires of
// them (the server validates each answer, so a missing field is a recorded violation, not a guess).
import type {
  CheckRunRecord,
  CommentRecord,
  CommitObject,
  DeploymentRecord,
  DeploymentStatusRecord,
  IssueRecord,
  PullState,
  RepoState,
  ReviewState,
  Store,
} from "./store.js";

export interface Site {
  /** http://127.0.0.1:PORT: the web side (html_url) */
  web: string;
  /** http://127.0.0.1:PORT/api/v3 */
  api: string;
}

export interface AppIdentity {
  id: number;
  slug: string;
  name: string;
  owner: string;
  installationId: number;
  createdAt: string;
}

const nodeId = (kind: string, id: number | string): string =>
  Buffer.from(`${kind}:${id}`).toString("base64").replace(/=+$/, "");

export function userType(login: string): "Bot" | "User" | "Organization" {
  return login.endsWith("[bot]") ? "Bot" : "User";
}

export function user(site: Site, store: Store, login: string, type?: string) {
  const u = `${site.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id: store.userId(login),
    node_id: nodeId("User", store.userId(login)),
    avatar_url: `${site.web}/avatars/${encodeURIComponent(login)}`,
    gravatar_id: "",
    url: u,
    html_url: `${site.web}/${encodeURIComponent(login)}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: type ?? userType(login),
    user_view_type: "public",
    site_admin: false,
  };
}

export function repository(site: Site, store: Store, r: RepoState) {
  const u = `${site.api}/repos/${r.fullName}`;
  const open = [...r.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: r.id,
    node_id: nodeId("Repository", r.id),
    name: r.name,
    full_name: r.fullName,
    private: r.private,
    owner: user(site, store, r.owner),
    html_url: `${site.web}/${r.fullName}`,
    description: null,
    fork: r.fork,
    url: u,
    archive_url: `${u}/{archive_format}{/ref}`,
    assignees_url: `${u}/assignees{/user}`,
    blobs_url: `${u}/git/blobs{/sha}`,
    branches_url: `${u}/branches{/branch}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    comments_url: `${u}/comments{/number}`,
    commits_url: `${u}/commits{/sha}`,
    compare_url: `${u}/compare/{base}...{head}`,
    contents_url: `${u}/contents/{+path}`,
    contributors_url: `${u}/contributors`,
    deployments_url: `${u}/deployments`,
    downloads_url: `${u}/downloads`,
    events_url: `${u}/events`,
    forks_url: `${u}/forks`,
    git_commits_url: `${u}/git/commits{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_url: `git://127.0.0.1/${r.fullName}.git`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    issue_events_url: `${u}/issues/events{/number}`,
    issues_url: `${u}/issues{/number}`,
    keys_url: `${u}/keys{/key_id}`,
    labels_url: `${u}/labels{/name}`,
    languages_url: `${u}/languages`,
    merges_url: `${u}/merges`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    pulls_url: `${u}/pulls{/number}`,
    releases_url: `${u}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${r.fullName}.git`,
    stargazers_url: `${u}/stargazers`,
    statuses_url: `${u}/statuses/{sha}`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    tags_url: `${u}/tags`,
    teams_url: `${u}/teams`,
    trees_url: `${u}/git/trees{/sha}`,
    clone_url: `${site.web}/${r.fullName}.git`,
    mirror_url: null,
    hooks_url: `${u}/hooks`,
    svn_url: `${site.web}/${r.fullName}`,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: r.defaultBranch,
    open_issues_count: open,
    open_issues: open,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? "private" : "public",
    pushed_at: r.createdAt,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    network_count: 0,
    subscribers_count: 0,
  };
}

function gitUser(login: string | null, date: string) {
  const name = login ?? "Someone Unlinked";
  return {
    name,
    email: `${(login ?? "unlinked").replace(/\[bot\]$/, "")}@users.noreply.local`,
    date,
  };
}

/** GitHub's commit object; `files` only where GitHub lists them (a single commit, compare). */
export function commit(site: Site, store: Store, r: RepoState, c: CommitObject) {
  const u = `${site.api}/repos/${r.fullName}`;
  return {
    url: `${u}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    html_url: `${site.web}/${r.fullName}/commit/${c.sha}`,
    comments_url: `${u}/commits/${c.sha}/comments`,
    commit: {
      url: `${u}/git/commits/${c.sha}`,
      author: gitUser(c.author, c.date),
      committer: gitUser(c.committer, c.date),
      message: c.message,
      comment_count: 0,
      tree: { sha: c.sha, url: `${u}/git/trees/${c.sha}` },
      verification: {
        verified: false,
        reason: "unsigned",
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: c.author === null ? null : user(site, store, c.author),
    committer: c.committer === null ? null : user(site, store, c.committer),
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${u}/commits/${p}`,
      html_url: `${site.web}/${r.fullName}/commit/${p}`,
    })),
  };
}

function branchRef(site: Site, store: Store, repo: RepoState, ref: string, sha: string) {
  return {
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: user(site, store, repo.owner),
    repo: repository(site, store, repo),
  };
}

/** The pull-request-simple fields (lists); `full` adds those of a single pull request. */
export function pullRequest(site: Site, store: Store, r: RepoState, pr: PullState, full: boolean) {
  const u = `${site.api}/repos/${r.fullName}`;
  const headRepo = store.repo(pr.headRepo) ?? r;
  const headSha = store.pullHead(r, pr);
  const simple = {
    url: `${u}/pulls/${pr.number}`,
    id: 500_000 + r.id * 1000 + pr.number,
    node_id: nodeId("PullRequest", `${r.id}/${pr.number}`),
    html_url: `${site.web}/${r.fullName}/pull/${pr.number}`,
    diff_url: `${site.web}/${r.fullName}/pull/${pr.number}.diff`,
    patch_url: `${site.web}/${r.fullName}/pull/${pr.number}.patch`,
    issue_url: `${u}/issues/${pr.number}`,
    commits_url: `${u}/pulls/${pr.number}/commits`,
    review_comments_url: `${u}/pulls/${pr.number}/comments`,
    review_comment_url: `${u}/pulls/comments{/number}`,
    comments_url: `${u}/issues/${pr.number}/comments`,
    statuses_url: `${u}/statuses/${headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: user(site, store, pr.author),
    body: pr.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchRef(site, store, headRepo, pr.headRef, headSha),
    base: branchRef(site, store, r, pr.baseRef, store.pullBase(r, pr)),
    _links: {
      self: { href: `${u}/pulls/${pr.number}` },
      html: { href: `${site.web}/${r.fullName}/pull/${pr.number}` },
      issue: { href: `${u}/issues/${pr.number}` },
      comments: { href: `${u}/issues/${pr.number}/comments` },
      review_comments: { href: `${u}/pulls/${pr.number}/comments` },
      review_comment: { href: `${u}/pulls/comments{/number}` },
      commits: { href: `${u}/pulls/${pr.number}/commits` },
      statuses: { href: `${u}/statuses/${headSha}` },
    },
    author_association: "CONTRIBUTOR",
    auto_merge: null,
    draft: false,
  };
  if (!full) return simple;
  const commits = store.pullCommits(r, pr);
  return {
    ...simple,
    merged: pr.mergedAt !== null,
    mergeable: pr.state === "open" ? true : null,
    rebaseable: pr.state === "open" ? true : null,
    mergeable_state: pr.state === "open" ? "clean" : "unknown",
    merged_by: pr.mergedBy === null ? null : user(site, store, pr.mergedBy),
    comments: r.comments.filter((c) => c.issueNumber === pr.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: commits.length,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function review(site: Site, store: Store, r: RepoState, prNumber: number, rv: ReviewState) {
  const html = `${site.web}/${r.fullName}/pull/${prNumber}#pullrequestreview-${rv.id}`;
  return {
    id: rv.id,
    node_id: nodeId("PullRequestReview", rv.id),
    user: user(site, store, rv.user),
    body: rv.body,
    state: rv.state,
    html_url: html,
    pull_request_url: `${site.api}/repos/${r.fullName}/pulls/${prNumber}`,
    _links: {
      html: { href: html },
      pull_request: { href: `${site.api}/repos/${r.fullName}/pulls/${prNumber}` },
    },
    submitted_at: rv.submittedAt,
    commit_id: rv.commitId,
    author_association: "MEMBER",
  };
}

export function integration(site: Site, store: Store, app: AppIdentity) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("Integration", app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, "0")}`,
    owner: user(site, store, app.owner),
    name: app.name,
    description: "okta-gitops, as the tests install it",
    external_url: `${site.web}/apps/${app.slug}`,
    html_url: `${site.web}/apps/${app.slug}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    installations_count: 1,
  };
}

export const APP_PERMISSIONS = {
  checks: "write",
  contents: "read",
  deployments: "write",
  issues: "write",
  metadata: "read",
  members: "read",
  pull_requests: "read",
};
export const APP_EVENTS = [
  "check_run",
  "check_suite",
  "pull_request",
  "pull_request_review",
  "push",
];

export function installation(site: Site, store: Store, app: AppIdentity, account: string) {
  return {
    id: app.installationId,
    account: user(site, store, account, "Organization"),
    repository_selection: "all",
    access_tokens_url: `${site.api}/app/installations/${app.installationId}/access_tokens`,
    repositories_url: `${site.api}/installation/repositories`,
    html_url: `${site.web}/organizations/${account}/settings/installations/${app.installationId}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: store.userId(account),
    target_type: "Organization",
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function checkRun(
  site: Site,
  store: Store,
  app: AppIdentity,
  r: RepoState,
  run: CheckRunRecord,
) {
  // As on GitHub, only pull requests whose head is in this same repository: a fork's are left
  // out (a re-run of a fork's check must find its pull request another way).
  const openPulls = [...r.pulls.values()].filter(
    (pr) =>
      pr.state === "open" &&
      pr.headRepo.toLowerCase() === r.fullName.toLowerCase() &&
      store.pullHead(r, pr) === run.headSha,
  );
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CheckRun", run.id),
    external_id: run.externalId,
    url: `${site.api}/repos/${r.fullName}/check-runs/${run.id}`,
    html_url: `${site.web}/${r.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${site.web}/apps/${app.slug}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${site.api}/repos/${r.fullName}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: 900_000 + run.id },
    app: integration(site, store, app),
    pull_requests: openPulls.map((pr) => {
      const headRepo = store.repo(pr.headRepo) ?? r;
      const ref = (repo: RepoState, name: string, sha: string) => ({
        ref: name,
        sha,
        repo: { id: repo.id, url: `${site.api}/repos/${repo.fullName}`, name: repo.name },
      });
      return {
        id: 500_000 + r.id * 1000 + pr.number,
        number: pr.number,
        url: `${site.api}/repos/${r.fullName}/pulls/${pr.number}`,
        head: ref(headRepo, pr.headRef, store.pullHead(r, pr)),
        base: ref(r, pr.baseRef, store.pullBase(r, pr)),
      };
    }),
  };
}

export function issueComment(site: Site, store: Store, r: RepoState, c: CommentRecord) {
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${site.api}/repos/${r.fullName}/issues/comments/${c.id}`,
    html_url: `${site.web}/${r.fullName}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: user(site, store, c.author),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${site.api}/repos/${r.fullName}/issues/${c.issueNumber}`,
    author_association: c.author.endsWith("[bot]") ? "NONE" : "MEMBER",
  };
}

function label(site: Site, r: RepoState, name: string) {
  const id = [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 1_000_000_007, 7);
  return {
    id,
    node_id: nodeId("Label", id),
    url: `${site.api}/repos/${r.fullName}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: "ededed",
    default: false,
  };
}

export function issue(site: Site, store: Store, r: RepoState, i: IssueRecord) {
  const u = `${site.api}/repos/${r.fullName}/issues/${i.number}`;
  return {
    id: 700_000 + r.id * 1000 + i.number,
    node_id: nodeId("Issue", `${r.id}/${i.number}`),
    url: u,
    repository_url: `${site.api}/repos/${r.fullName}`,
    labels_url: `${u}/labels{/name}`,
    comments_url: `${u}/comments`,
    events_url: `${u}/events`,
    html_url: `${site.web}/${r.fullName}/issues/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: user(site, store, i.author),
    labels: i.labels.map((l) => label(site, r, l)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: r.comments.filter((c) => c.issueNumber === i.number).length,
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    author_association: i.author.endsWith("[bot]") ? "NONE" : "MEMBER",
  };
}

/** A pull request as the issues list shows it: an issue with a `pull_request` member. */
export function pullAsIssue(site: Site, store: Store, r: RepoState, pr: PullState) {
  const base = issue(site, store, r, {
    number: pr.number,
    title: pr.title,
    body: pr.body,
    state: pr.state,
    stateReason: null,
    labels: [],
    author: pr.author,
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    closedAt: pr.closedAt,
  });
  return {
    ...base,
    pull_request: {
      url: `${site.api}/repos/${r.fullName}/pulls/${pr.number}`,
      html_url: `${site.web}/${r.fullName}/pull/${pr.number}`,
      diff_url: `${site.web}/${r.fullName}/pull/${pr.number}.diff`,
      patch_url: `${site.web}/${r.fullName}/pull/${pr.number}.patch`,
      merged_at: pr.mergedAt,
    },
  };
}

export function deployment(site: Site, store: Store, r: RepoState, d: DeploymentRecord) {
  const u = `${site.api}/repos/${r.fullName}/deployments/${d.id}`;
  return {
    url: u,
    id: d.id,
    node_id: nodeId("Deployment", d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload as never,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: user(site, store, d.creator),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${u}/statuses`,
    repository_url: `${site.api}/repos/${r.fullName}`,
    transient_environment: d.transient,
    production_environment: d.production,
  };
}

export function deploymentStatus(
  site: Site,
  store: Store,
  r: RepoState,
  d: DeploymentRecord,
  s: DeploymentStatusRecord,
) {
  const u = `${site.api}/repos/${r.fullName}/deployments/${d.id}`;
  return {
    url: `${u}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId("DeploymentStatus", s.id),
    state: s.state,
    creator: user(site, store, s.creator),
    description: s.description,
    environment: d.environment,
    // GitHub answers "" for a URL never given, which its own description (format: uri) refuses;
    // the required target_url falls back to the repository's deployments page, the optional
    // ones are left out.
    target_url: s.logUrl ?? `${site.web}/${r.fullName}/deployments`,
    ...(s.logUrl === null ? {} : { log_url: s.logUrl }),
    ...(s.environmentUrl === null ? {} : { environment_url: s.environmentUrl }),
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: u,
    repository_url: `${site.api}/repos/${r.fullName}`,
  };
}
