// Webhook deliveries as GitHub sends them to the App: payloads built from
// @octokit/webhooks-examples (the example of the right event and action), with every field that
// identifies something overwritten from the local GitHub's state (repository, installation,
// sender, the pull request with its head and base, the review with its commit, a push's range
// and commits); and `deliver`, which POSTs one signed as GitHub signs it.
import { createHmac, randomUUID } from "node:crypto";
import examples from "@octokit/webhooks-examples";
import type { LocalGitHub } from "./index.js";
import { loadGitHubSpec } from "./spec.js";
import { diffTrees } from "./store.js";

type Json = Record<string, unknown>;

/** Probot's default webhook path, used when `deliver` is given a bare origin. */
export const PROBOT_WEBHOOK_PATH = "/api/github/webhooks";
const ZERO_SHA = "0".repeat(40);

/** A deep copy of the first example of `event` with `action` (or `pick`'s choice). */
function example(event: string, action: string | undefined, pick?: (e: Json) => boolean): Json {
  const def = (examples as unknown as { name: string; examples: Json[] }[]).find(
    (d) => d.name === event,
  );
  const found = def?.examples.find(
    (e) => (action === undefined || e.action === action) && (!pick || pick(e)),
  );
  if (!found)
    throw new Error(`@octokit/webhooks-examples has no ${event}${action ? `.${action}` : ""}`);
  return structuredClone(found);
}

/** Fields of `ours` replace the example's; fields only the example has (webhook-only) stay. */
function overlay(base: unknown, ours: object): Json {
  const b = base && typeof base === "object" && !Array.isArray(base) ? (base as Json) : {};
  return { ...b, ...(ours as Json) };
}

function repository(gh: LocalGitHub, fullName: string, base: unknown): Json {
  const repo = gh.json.repository(fullName);
  const owner = overlay((base as Json | undefined)?.owner, repo.owner);
  return overlay(base, { ...repo, owner });
}

function common(gh: LocalGitHub, fullName: string, ex: Json, sender: string): Json {
  return {
    ...ex,
    repository: repository(gh, fullName, ex.repository),
    installation: {
      id: gh.installationId,
      node_id: Buffer.from(`Installation:${gh.installationId}`).toString("base64"),
    },
    sender: overlay(ex.sender, gh.json.user(sender)),
    // The example's organization is someone else's; the local GitHub's owners are accounts.
    organization: undefined,
  };
}

function pullRequestJson(gh: LocalGitHub, fullName: string, number: number, base: unknown): Json {
  const pr = gh.json.pullRequest(fullName, number);
  const exPr = (base ?? {}) as Json;
  const side = (ours: typeof pr.head, theirs: unknown): Json => {
    const t = (theirs ?? {}) as Json;
    return {
      ...overlay(t, ours),
      user: overlay(t.user, ours.user),
      repo: overlay(t.repo, {
        ...ours.repo,
        owner: overlay((t.repo as Json | undefined)?.owner, ours.repo.owner),
      }),
    };
  };
  return {
    ...overlay(exPr, pr),
    user: overlay(exPr.user, pr.user),
    merged_by:
      "merged_by" in pr && pr.merged_by !== null ? overlay(exPr.merged_by, pr.merged_by) : null,
    head: side(pr.head, exPr.head),
    base: side(pr.base, exPr.base),
  };
}

/** The payload as JSON carries it, checked against GitHub's schema of the event: a payload
 * GitHub would never send makes the test that builds it fail here, not pass for a wrong reason. */
function checked(schema: string, payload: Json): Json {
  const out = JSON.parse(JSON.stringify(payload)) as Json;
  const violations = loadGitHubSpec().validateWebhook(schema, out);
  if (violations.length > 0)
    throw new Error(`a ${schema} payload GitHub would not send:\n${violations.join("\n")}`);
  return out;
}

export type PullRequestAction = "opened" | "synchronize" | "reopened" | "closed";

/** pull_request.{opened,synchronize,reopened,closed}; synchronize carries before/after. */
export function pullRequestEvent(
  gh: LocalGitHub,
  fullName: string,
  number: number,
  action: PullRequestAction,
  opts: { sender?: string; before?: string } = {},
): Json {
  const ex = example("pull_request", action);
  const pr = pullRequestJson(gh, fullName, number, ex.pull_request);
  const sender =
    opts.sender ??
    (action === "closed" && pr.merged_by ? (pr.merged_by as Json).login : (pr.user as Json).login);
  const out: Json = {
    ...common(gh, fullName, ex, String(sender)),
    action,
    number,
    pull_request: pr,
  };
  if (action === "synchronize") {
    out.before = opts.before ?? ZERO_SHA;
    out.after = (pr.head as Json).sha;
  }
  return checked(webhookSchemaName("pull_request", action), out);
}

export type ReviewAction = "submitted" | "edited" | "dismissed";

/** pull_request_review.{submitted,edited,dismissed}. The review's state is lower case in webhook
 * payloads ("approved"), upper case in the REST API ("APPROVED"), as on GitHub. */
export function pullRequestReviewEvent(
  gh: LocalGitHub,
  fullName: string,
  number: number,
  reviewId: number,
  action: ReviewAction,
  opts: { sender?: string } = {},
): Json {
  // The examples hold no `edited` review: the submitted one, with `changes`, as GitHub sends it.
  const ex = example(
    "pull_request_review",
    action === "edited" ? "submitted" : action,
    (e) => "installation" in e,
  );
  const rv = gh.json.review(fullName, number, reviewId);
  const review = {
    ...overlay(ex.review, rv),
    user: overlay((ex.review as Json).user, rv.user),
    state: rv.state.toLowerCase(),
  };
  const out: Json = {
    ...common(
      gh,
      fullName,
      ex,
      opts.sender ??
        (action === "dismissed" ? String((rv.user as Json | null)?.login) : rv.user.login),
    ),
    action,
    review,
    pull_request: pullRequestJson(gh, fullName, number, ex.pull_request),
  };
  if (action === "edited") out.changes = { body: { from: "" } };
  return checked(webhookSchemaName("pull_request_review", action), out);
}

/** push of `before..after` to `ref` (refs/heads/<branch>), with the commits in between. */
export function pushEvent(
  gh: LocalGitHub,
  fullName: string,
  opts: { ref: string; before: string; after: string; sender?: string },
): Json {
  const ex = example(
    "push",
    undefined,
    (e) =>
      String(e.ref).startsWith("refs/heads/") &&
      Array.isArray(e.commits) &&
      (e.commits as unknown[]).length > 0,
  );
  const store = gh.store;
  const repoJson = gh.json.repository(fullName);
  const created = opts.before === ZERO_SHA;
  // GitHub lists at most 2,048 pushed commits.
  const range = store.range(created ? undefined : opts.before, opts.after).slice(-2048);
  const commitJson = (sha: string) => {
    const c = store.commit(sha)!;
    const parent = c.parents[0] ? store.commit(c.parents[0]) : undefined;
    const diff = diffTrees(parent?.tree ?? new Map(), c.tree);
    const person = (login: string | null) => ({
      name: login ?? "Someone Unlinked",
      email: `${login ?? "unlinked"}@users.noreply.local`,
      ...(login === null ? {} : { username: login }),
    });
    return {
      id: c.sha,
      tree_id: c.sha,
      distinct: true,
      message: c.message,
      timestamp: c.date,
      url: `${repoJson.html_url}/commit/${c.sha}`,
      author: person(c.author),
      committer: person(c.committer),
      added: diff.filter((d) => d.status === "added").map((d) => d.path),
      removed: diff.filter((d) => d.status === "removed").map((d) => d.path),
      modified: diff.filter((d) => d.status === "modified").map((d) => d.path),
    };
  };
  const sender = opts.sender ?? store.commit(opts.after)?.author ?? repoJson.owner.login;
  const base = common(gh, fullName, ex, sender);
  // Push payloads give the repository's created_at and pushed_at as Unix seconds.
  const repo = base.repository as Json;
  repo.created_at = Math.floor(Date.parse(String(repoJson.created_at)) / 1000);
  repo.pushed_at = Math.floor(Date.now() / 1000);
  repo.owner = overlay((ex.repository as Json).owner, {
    ...repoJson.owner,
    name: repoJson.owner.login,
    email: null,
  });
  return checked("push", {
    ...base,
    ref: opts.ref,
    before: opts.before,
    after: opts.after,
    created,
    deleted: opts.after === ZERO_SHA,
    forced: false,
    base_ref: null,
    compare: `${repoJson.html_url}/compare/${opts.before.slice(0, 12)}...${opts.after.slice(0, 12)}`,
    commits: range.map((c) => commitJson(c.sha)),
    head_commit: opts.after === ZERO_SHA ? null : commitJson(opts.after),
    pusher: { name: sender, email: `${sender}@users.noreply.local` },
  });
}

/** check_run.rerequested of one of the App's check runs. */
export function checkRunRerequestedEvent(
  gh: LocalGitHub,
  fullName: string,
  checkRunId: number,
  opts: { sender?: string } = {},
): Json {
  const ex = example("check_run", "rerequested", (e) => "installation" in e);
  const run = gh.json.checkRun(fullName, checkRunId);
  const exRun = ex.check_run as Json;
  const suite = {
    ...(exRun.check_suite as Json),
    id: run.check_suite?.id,
    head_sha: run.head_sha,
    head_branch: null,
    pull_requests: run.pull_requests,
    app: overlay((exRun.check_suite as Json).app, run.app ?? {}),
  };
  return checked("check-run-rerequested", {
    ...common(gh, fullName, ex, opts.sender ?? "octocat"),
    action: "rerequested",
    check_run: {
      ...overlay(exRun, run),
      // Webhooks give "" where the REST API gives null.
      external_id: run.external_id ?? "",
      app: overlay(exRun.app, run.app ?? {}),
      check_suite: suite,
    },
  });
}

/** check_suite.rerequested of the App's suite on a commit. */
export function checkSuiteRerequestedEvent(
  gh: LocalGitHub,
  fullName: string,
  headSha: string,
  opts: { sender?: string; headBranch?: string } = {},
): Json {
  const ex = example("check_suite", "rerequested", (e) => "installation" in e);
  const exSuite = ex.check_suite as Json;
  const runs = gh.checkRuns(fullName, headSha);
  const first = runs[0] ? gh.json.checkRun(fullName, runs[0].id) : undefined;
  const store = gh.store;
  const c = store.commit(headSha);
  const headCommit = overlay(exSuite.head_commit, {
    id: headSha,
    tree_id: headSha,
    message: c?.message ?? "",
    timestamp: c?.date ?? new Date().toISOString(),
    author: {
      name: c?.author ?? "unlinked",
      email: `${c?.author ?? "unlinked"}@users.noreply.local`,
    },
    committer: {
      name: c?.committer ?? "unlinked",
      email: `${c?.committer ?? "unlinked"}@users.noreply.local`,
    },
  });
  return checked("check-suite-rerequested", {
    ...common(gh, fullName, ex, opts.sender ?? "octocat"),
    action: "rerequested",
    check_suite: {
      ...exSuite,
      id: first?.check_suite?.id ?? 900_000,
      head_sha: headSha,
      head_branch: opts.headBranch ?? null,
      before: c?.parents[0] ?? ZERO_SHA,
      after: headSha,
      pull_requests: first?.pull_requests ?? [],
      app: overlay(exSuite.app, first?.app ?? {}),
      latest_check_runs_count: runs.length,
      head_commit: headCommit,
    },
  });
}

/** GitHub's X-Hub-Signature-256 of a raw body. */
export function signature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface Delivery {
  status: number;
  body: string;
  deliveryId: string;
}

/** POSTs a payload as GitHub delivers it (to Probot's default path when appUrl has none). */
export async function deliver(
  appUrl: string,
  event: string,
  payload: unknown,
  secret: string,
  opts: { badSignature?: boolean; deliveryId?: string } = {},
): Promise<Delivery> {
  const url = new URL(appUrl);
  if (url.pathname === "/" || url.pathname === "") url.pathname = PROBOT_WEBHOOK_PATH;
  const body = JSON.stringify(payload);
  const deliveryId = opts.deliveryId ?? randomUUID();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/local",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-github-hook-installation-target-type": "integration",
      "x-hub-signature-256": opts.badSignature
        ? signature(`${secret}-forged`, body)
        : signature(secret, body),
    },
    body,
  });
  return { status: res.status, body: await res.text(), deliveryId };
}

/** The x-webhooks key of an event and action, e.g. pull_request + opened -> pull-request-opened. */
export function webhookSchemaName(event: string, action?: string): string {
  return [event, action].filter(Boolean).join("-").replace(/_/g, "-");
}
