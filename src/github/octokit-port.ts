// The GitHub port over Octokit (Probot's, authenticated as the App's installation): one REST call
// per method, every answer checked with zod for the fields used (GitHub is an outside edge: an
// answer of an unexpected shape is refused, never guessed at), lists paginated to the end within a
// bound, check-run annotations sent 50 per request, and the archive of a commit fetched from the
// address GitHub redirects to, streamed and cut off above a size bound.
import { z } from "zod";
import type {
  Annotation,
  CheckOutput,
  CheckRunUpdate,
  CommitInfo,
  DeploymentInfo,
  DeploymentState,
  GitHubPort,
  IssueComment,
  IssueInfo,
  MembershipState,
  PullRequestInfo,
  RepoRef,
  Review,
} from "./port.js";

/** What the port needs of Octokit: `octokit.request` (Probot's `context.octokit` has it). */
export interface OctokitLike {
  request(
    route: string,
    parameters?: Record<string, unknown>,
  ): Promise<{ status: number; url: string; headers: Record<string, unknown>; data: unknown }>;
}

/** GitHub accepts at most 50 annotations per check-run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Lists are read 100 a page, to the end, but never more than this many pages (10,000 items). */
export const MAX_PAGES = 100;
const PER_PAGE = 100;

export class GitHubAnswerError extends Error {}

const login = z.object({ login: z.string(), type: z.string().optional() }).nullable().optional();

const PullSchema = z.object({
  number: z.number().int(),
  user: login,
  head: z.object({
    sha: z.string(),
    repo: z.object({ full_name: z.string() }).nullable(),
  }),
  base: z.object({ ref: z.string(), sha: z.string() }),
  state: z.enum(["open", "closed"]),
  merged: z.boolean().nullable().optional(),
  merged_at: z.string().nullable().optional(),
  html_url: z.string(),
});

const ReviewSchema = z.object({
  id: z.number().int(),
  user: z.object({ login: z.string(), type: z.string() }).nullable().optional(),
  state: z.string(),
  commit_id: z.string().nullable().optional(),
  submitted_at: z.string().nullable().optional(),
});

const CommitSchema = z.object({
  sha: z.string(),
  author: z.object({ login: z.string() }).nullable().optional(),
  committer: z.object({ login: z.string() }).nullable().optional(),
});

const CommentSchema = z.object({
  id: z.number().int(),
  body: z.string().nullable().optional(),
  user: login,
});

const IssueSchema = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.enum(["open", "closed"]),
  user: login,
  labels: z.array(z.union([z.string(), z.object({ name: z.string().optional() })])),
  pull_request: z.unknown().optional(),
});

const DeploymentSchema = z.object({
  id: z.number().int(),
  sha: z.string(),
  environment: z.string(),
  creator: login,
  payload: z.unknown(),
  created_at: z.string(),
});

const CheckRunSchema = z.object({ id: z.number().int(), html_url: z.string().nullable() });

const REVIEW_STATES = new Set([
  "APPROVED",
  "CHANGES_REQUESTED",
  "COMMENTED",
  "DISMISSED",
  "PENDING",
]);

function parse<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const r = schema.safeParse(data);
  if (!r.success)
    throw new GitHubAnswerError(
      `GitHub's answer to ${what} is not of the expected shape (${r.error.issues[0]?.path.join(".") || "answer"}: ${r.error.issues[0]?.message})`,
    );
  return r.data;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const s = (error as { status: unknown }).status;
    return typeof s === "number" ? s : undefined;
  }
  return undefined;
}

function pullInfo(p: z.infer<typeof PullSchema>): PullRequestInfo {
  return {
    number: p.number,
    author: p.user?.login ?? "",
    headSha: p.head.sha,
    // A fork deleted since has no head repository: it is not this one.
    headRepo: p.head.repo?.full_name ?? "(deleted fork)",
    baseRef: p.base.ref,
    baseSha: p.base.sha,
    state: p.state,
    merged: Boolean(p.merged) || Boolean(p.merged_at),
    mergedAt: p.merged_at ?? null,
    htmlUrl: p.html_url,
  };
}

function commitInfo(c: z.infer<typeof CommitSchema>): CommitInfo {
  return { sha: c.sha, author: c.author?.login ?? null, committer: c.committer?.login ?? null };
}

/** The `rel="next"` address of a Link header. */
function nextLink(headers: Record<string, unknown>): string | undefined {
  const link = headers.link;
  if (typeof link !== "string") return undefined;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

/** Sends a check run's output with at most 50 annotations a request: the first batch with `send`,
 * the rest through `more`; a completed run gets its conclusion with the last batch, so that no one
 * sees it complete before every annotation is there. */
async function sendBatched(
  update: CheckRunUpdate,
  first: (body: Record<string, unknown>) => Promise<number>,
  more: (id: number, body: Record<string, unknown>) => Promise<void>,
): Promise<number> {
  const annotations = update.output?.annotations ?? [];
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  if (!batches.length) batches.push([]);
  const output = (batch: Annotation[]) =>
    update.output ? { output: outputBody(update.output, batch) } : {};
  const final = {
    ...(update.status ? { status: update.status } : {}),
    ...(update.conclusion ? { conclusion: update.conclusion } : {}),
    ...(update.externalId ? { external_id: update.externalId } : {}),
  };
  const interim =
    batches.length > 1 && (update.status === "completed" || update.conclusion)
      ? { status: "in_progress", ...(update.externalId ? { external_id: update.externalId } : {}) }
      : final;
  const id = await first({ ...(batches.length > 1 ? interim : final), ...output(batches[0]!) });
  for (let i = 1; i < batches.length; i++)
    await more(id, { ...(i === batches.length - 1 ? final : {}), ...output(batches[i]!) });
  return id;
}

function outputBody(o: CheckOutput, annotations: Annotation[]): Record<string, unknown> {
  return {
    title: o.title,
    summary: o.summary,
    ...(o.text !== undefined ? { text: o.text } : {}),
    ...(annotations.length ? { annotations } : {}),
  };
}

/** The longest an archive download may take (GitHub's links of private repositories last 5 min). */
const ARCHIVE_TIMEOUT_MS = 120_000;

export function octokitPort(octokit: OctokitLike, repo: RepoRef): GitHubPort {
  const base = { owner: repo.owner, repo: repo.repo };

  async function get<T>(route: string, params: Record<string, unknown>, schema: z.ZodType<T>) {
    const r = await octokit.request(route, { ...base, ...params });
    return parse(schema, r.data, route);
  }

  /** Every page of a list, oldest first as GitHub gives it, within MAX_PAGES. */
  async function list<T>(
    route: string,
    params: Record<string, unknown>,
    schema: z.ZodType<T>,
    limit = Infinity,
  ): Promise<T[]> {
    const items: T[] = [];
    const perPage = Math.min(PER_PAGE, Math.max(1, Number.isFinite(limit) ? limit : PER_PAGE));
    let r = await octokit.request(route, { ...base, ...params, per_page: perPage });
    for (let page = 1; ; page++) {
      items.push(...parse(z.array(schema), r.data, route));
      const next = nextLink(r.headers);
      if (!next || items.length >= limit) break;
      if (page >= MAX_PAGES)
        throw new GitHubAnswerError(`${route}: more than ${MAX_PAGES} pages; refusing to go on`);
      r = await octokit.request(`GET ${next}`);
    }
    return items.slice(0, limit);
  }

  return {
    repo,

    async tarball(ref, maxBytes) {
      // GitHub answers 302 with the archive's address; following it by hand lets the download be
      // bounded as it streams (and keeps the installation token off the other host).
      const r = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        ...base,
        ref,
        request: { redirect: "manual", parseSuccessResponseBody: false },
      });
      if (r.status >= 300 && r.status < 400) {
        const location = r.headers.location;
        if (typeof location !== "string")
          throw new GitHubAnswerError(`the archive of ${ref}: a redirect without a Location`);
        // Bounded in time as in size: a download that stalls must not hold the job forever.
        const res = await fetch(new URL(location, r.url), {
          redirect: "error",
          signal: AbortSignal.timeout(ARCHIVE_TIMEOUT_MS),
        });
        if (!res.ok)
          throw new GitHubAnswerError(`the archive of ${ref}: HTTP ${res.status} from its address`);
        return readBounded(
          res.body,
          Number(res.headers.get("content-length") ?? NaN),
          maxBytes,
          ref,
        );
      }
      const body = r.data as ReadableStream<Uint8Array> | null;
      return readBounded(body, Number(r.headers["content-length"] ?? NaN), maxBytes, ref);
    },

    async fileAt(path, ref) {
      let data: unknown;
      try {
        data = (
          await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...base, path, ref })
        ).data;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
      const file = parse(
        z.object({
          type: z.string(),
          encoding: z.string().optional(),
          content: z.string().optional(),
        }),
        data,
        `GET contents/${path}`,
      );
      if (file.type !== "file")
        throw new GitHubAnswerError(`${path} at ${ref} is a ${file.type}, not a file`);
      if (file.encoding !== "base64" || file.content === undefined)
        throw new GitHubAnswerError(
          `${path} at ${ref} is too large to read through the contents API`,
        );
      return new Uint8Array(Buffer.from(file.content, "base64"));
    },

    async branchHead(branch) {
      const b = await get(
        "GET /repos/{owner}/{repo}/branches/{branch}",
        { branch },
        z.object({ commit: z.object({ sha: z.string() }) }),
      );
      return b.commit.sha;
    },

    async mergeBase(baseSha, head) {
      const c = await get(
        "GET /repos/{owner}/{repo}/compare/{basehead}",
        { basehead: `${baseSha}...${head}`, per_page: 1 },
        z.object({ merge_base_commit: z.object({ sha: z.string() }) }),
      );
      return c.merge_base_commit.sha;
    },

    async pullRequest(number) {
      return pullInfo(
        await get(
          "GET /repos/{owner}/{repo}/pulls/{pull_number}",
          { pull_number: number },
          PullSchema,
        ),
      );
    },

    async reviews(pullNumber) {
      const reviews = await list(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
        { pull_number: pullNumber },
        ReviewSchema,
      );
      return reviews.map((r): Review => ({
        id: r.id,
        user: r.user ?? null,
        // An unknown state is treated as one that approves nothing.
        state: (REVIEW_STATES.has(r.state) ? r.state : "COMMENTED") as Review["state"],
        commitId: r.commit_id ?? null,
        submittedAt: r.submitted_at ?? null,
      }));
    },

    async pullCommits(pullNumber) {
      return (
        await list(
          "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
          { pull_number: pullNumber },
          CommitSchema,
          250,
        )
      ).map(commitInfo);
    },

    async commitsTouching(path, ref, limit) {
      return (
        await list("GET /repos/{owner}/{repo}/commits", { path, sha: ref }, CommitSchema, limit)
      ).map(commitInfo);
    },

    async pullsOfCommit(sha) {
      return (
        await list(
          "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
          { commit_sha: sha },
          PullSchema,
        )
      ).map(pullInfo);
    },

    async teamMembership(org, teamSlug, user): Promise<MembershipState> {
      try {
        const m = await octokit.request(
          "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
          {
            org,
            team_slug: teamSlug,
            username: user,
          },
        );
        const state = parse(z.object({ state: z.string() }), m.data, "team membership").state;
        return state === "active" ? "active" : state === "pending" ? "pending" : "none";
      } catch (error) {
        if (statusOf(error) === 404) return "none";
        throw error;
      }
    },

    async createCheckRun(name, headSha, update) {
      let htmlUrl = "";
      const id = await sendBatched(
        update,
        async (body) => {
          const r = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
            ...base,
            name,
            head_sha: headSha,
            ...body,
          });
          const run = parse(CheckRunSchema, r.data, "POST check-runs");
          htmlUrl = run.html_url ?? "";
          return run.id;
        },
        (id, body) => patchCheckRun(id, body),
      );
      return { id, htmlUrl };
    },

    async updateCheckRun(id, update) {
      await sendBatched(
        update,
        async (body) => {
          await patchCheckRun(id, body);
          return id;
        },
        (runId, body) => patchCheckRun(runId, body),
      );
    },

    async comments(issueNumber) {
      return (
        await list(
          "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
          { issue_number: issueNumber },
          CommentSchema,
        )
      ).map(commentInfo);
    },

    async createComment(issueNumber, body) {
      return commentInfo(
        await post(
          "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
          { issue_number: issueNumber, body },
          CommentSchema,
        ),
      );
    },

    async updateComment(commentId, body) {
      await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        ...base,
        comment_id: commentId,
        body,
      });
    },

    async issuesLabelled(label, state) {
      return (await list("GET /repos/{owner}/{repo}/issues", { labels: label, state }, IssueSchema))
        .filter((i) => i.pull_request === undefined)
        .map(issueInfo);
    },

    async createIssue(title, body, labels) {
      return issueInfo(
        await post("POST /repos/{owner}/{repo}/issues", { title, body, labels }, IssueSchema),
      );
    },

    async updateIssue(number, change) {
      await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
        ...base,
        issue_number: number,
        ...change,
      });
    },

    async deployments(environment, limit) {
      return (
        await list(
          "GET /repos/{owner}/{repo}/deployments",
          { environment },
          DeploymentSchema,
          limit,
        )
      ).map(deploymentInfo);
    },

    async createDeployment(sha, environment, description, payload) {
      return deploymentInfo(
        await post(
          "POST /repos/{owner}/{repo}/deployments",
          {
            ref: sha,
            environment,
            description,
            payload,
            // GitHub's defaults would merge the default branch in and wait for every status.
            auto_merge: false,
            required_contexts: [],
          },
          DeploymentSchema,
        ),
      );
    },

    async setDeploymentStatus(id, state: DeploymentState, description, logUrl) {
      await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
        ...base,
        deployment_id: id,
        state,
        description,
        ...(logUrl ? { log_url: logUrl } : {}),
      });
    },
  };

  async function post<T>(route: string, params: Record<string, unknown>, schema: z.ZodType<T>) {
    const r = await octokit.request(route, { ...base, ...params });
    return parse(schema, r.data, route);
  }

  async function patchCheckRun(id: number, body: Record<string, unknown>): Promise<void> {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...base,
      check_run_id: id,
      ...body,
    });
  }
}

function commentInfo(c: z.infer<typeof CommentSchema>): IssueComment {
  return { id: c.id, body: c.body ?? "", author: c.user?.login ?? null };
}

function issueInfo(i: z.infer<typeof IssueSchema>): IssueInfo {
  return {
    number: i.number,
    title: i.title,
    body: i.body ?? "",
    state: i.state,
    author: i.user?.login ?? null,
    labels: i.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean),
  };
}

function deploymentInfo(d: z.infer<typeof DeploymentSchema>): DeploymentInfo {
  return {
    id: d.id,
    sha: d.sha,
    environment: d.environment,
    creator: d.creator?.login ?? null,
    payload: d.payload,
    createdAt: d.created_at,
  };
}

/** Reads a body to its end, refusing (and stopping the download) past maxBytes. */
async function readBounded(
  body: ReadableStream<Uint8Array> | null | undefined,
  declared: number,
  maxBytes: number,
  ref: string,
): Promise<Uint8Array> {
  const tooLarge = () =>
    new GitHubAnswerError(`the archive of ${ref} is larger than ${maxBytes} bytes: not read`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
