// Issues and comments (on issues and pull requests alike: they share one numbering). The issues
// list holds pull requests too, each with a `pull_request` member, as GitHub's does. A comment
// body is at most 65,536 characters.
import {
  bodyObject,
  intParam,
  invalid,
  notFound,
  paginate,
  repoOf,
  type Ctx,
  type Reply,
} from "../context.js";
import { issue, issueComment, pullAsIssue } from "../objects.js";
import type { Route } from "../router.js";
import type { CommentRecord, IssueRecord, RepoState } from "../store.js";

const MAX_COMMENT_CHARS = 65_536;
const MAX_ISSUE_BODY_CHARS = 65_536;

/** Characters as GitHub counts them: code points. */
const chars = (s: string): number => [...s].length;

function targetExists(r: RepoState, n: number): boolean {
  return r.issues.has(n) || r.pulls.has(n);
}

function listComments(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const n = intParam(ctx, "issue_number");
  if (!targetExists(r, n)) throw notFound();
  const since = ctx.query.get("since");
  const all = r.comments
    .filter((c) => c.issueNumber === n)
    .filter((c) => since === null || c.updatedAt >= since);
  const page = paginate(ctx, all);
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((c) => issueComment(ctx.site, ctx.store, r, c)),
  };
}

function commentBody(ctx: Ctx): string {
  const body = bodyObject(ctx).body;
  if (typeof body !== "string" || body.trim() === "")
    throw invalid("IssueComment", "body", "body can't be blank");
  if (chars(body) > MAX_COMMENT_CHARS)
    throw invalid(
      "IssueComment",
      "body",
      `Body is too long (maximum is ${MAX_COMMENT_CHARS} characters)`,
    );
  return body;
}

function createComment(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const n = intParam(ctx, "issue_number");
  if (!targetExists(r, n)) throw notFound();
  const now = ctx.store.now();
  const c: CommentRecord = {
    id: ctx.store.nextId(),
    issueNumber: n,
    body: commentBody(ctx),
    author: ctx.caller.login,
    createdAt: now,
    updatedAt: now,
    edits: 0,
  };
  r.comments.push(c);
  return { status: 201, body: issueComment(ctx.site, ctx.store, r, c) };
}

function updateComment(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const id = intParam(ctx, "comment_id");
  const c = r.comments.find((x) => x.id === id);
  if (!c) throw notFound();
  // Anyone with write access may edit anyone's comment on GitHub, the App included: a test that
  // the App leaves others' comments alone reads `edits` and `body`, not a refusal.
  c.body = commentBody(ctx);
  c.updatedAt = ctx.store.now();
  c.edits += 1;
  return { status: 200, body: issueComment(ctx.site, ctx.store, r, c) };
}

function labelNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .map((l) => (typeof l === "string" ? l : typeof l?.name === "string" ? (l.name as string) : ""))
    .filter((l) => l !== "");
}

function listIssues(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const state = ctx.query.get("state") ?? "open";
  const labels = (ctx.query.get("labels") ?? "")
    .split(",")
    .map((l) => l.trim())
    .filter(Boolean);
  const creator = ctx.query.get("creator");
  const direction = ctx.query.get("direction") ?? "desc";
  type Item = {
    number: number;
    state: string;
    labels: string[];
    author: string;
    createdAt: string;
    json: () => unknown;
  };
  const items: Item[] = [
    ...[...r.issues.values()].map((i) => ({ ...i, json: () => issue(ctx.site, ctx.store, r, i) })),
    ...[...r.pulls.values()].map((p) => ({
      number: p.number,
      state: p.state,
      labels: [] as string[],
      author: p.author,
      createdAt: p.createdAt,
      json: () => pullAsIssue(ctx.site, ctx.store, r, p),
    })),
  ]
    .filter((i) => state === "all" || i.state === state)
    .filter((i) => labels.every((l) => i.labels.some((x) => x.toLowerCase() === l.toLowerCase())))
    .filter((i) => creator === null || i.author === creator)
    .sort((a, b) => (direction === "asc" ? a.number - b.number : b.number - a.number));
  const page = paginate(ctx, items);
  return { status: 200, headers: page.headers, body: page.items.map((i) => i.json()) };
}

/** GitHub refuses an issue body over 65,536 characters. */
function checkIssueBody(b: Record<string, unknown>): void {
  if (
    b.body !== undefined &&
    b.body !== null &&
    (typeof b.body !== "string" || chars(b.body) > MAX_ISSUE_BODY_CHARS)
  )
    throw invalid(
      "Issue",
      "body",
      `body is too long (maximum is ${MAX_ISSUE_BODY_CHARS} characters)`,
    );
}

function createIssue(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const b = bodyObject(ctx);
  if (b.title === undefined || String(b.title).trim() === "")
    throw invalid("Issue", "title", "title can't be blank");
  checkIssueBody(b);
  const now = ctx.store.now();
  const i: IssueRecord = {
    number: r.nextNumber++,
    title: String(b.title),
    body: typeof b.body === "string" ? b.body : null,
    state: "open",
    stateReason: null,
    labels: [...new Set(labelNames(b.labels))],
    author: ctx.caller.login,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
  };
  r.issues.set(i.number, i);
  return { status: 201, body: issue(ctx.site, ctx.store, r, i) };
}

function updateIssue(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const i = r.issues.get(intParam(ctx, "issue_number"));
  if (!i) throw notFound();
  const b = bodyObject(ctx);
  checkIssueBody(b);
  if (b.title !== undefined) i.title = String(b.title);
  if (typeof b.body === "string" || b.body === null) i.body = b.body as string | null;
  if (b.labels !== undefined) i.labels = [...new Set(labelNames(b.labels))];
  if (b.state === "closed" && i.state === "open") {
    i.state = "closed";
    i.closedAt = ctx.store.now();
    i.stateReason = typeof b.state_reason === "string" ? b.state_reason : "completed";
  } else if (b.state === "open" && i.state === "closed") {
    i.state = "open";
    i.closedAt = null;
    i.stateReason = "reopened";
  }
  i.updatedAt = ctx.store.now();
  return { status: 200, body: issue(ctx.site, ctx.store, r, i) };
}

export const issueRoutes: Route[] = [
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    handler: listComments,
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    handler: createComment,
  },
  {
    method: "PATCH",
    template: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    handler: updateComment,
  },
  { method: "GET", template: "/repos/{owner}/{repo}/issues", handler: listIssues },
  { method: "POST", template: "/repos/{owner}/{repo}/issues", handler: createIssue },
  {
    method: "PATCH",
    template: "/repos/{owner}/{repo}/issues/{issue_number}",
    handler: updateIssue,
  },
];
