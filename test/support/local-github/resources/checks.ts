// Check runs, with GitHub's rules beyond the description's shapes: summary and text at most
// 65,535 bytes (GitHub counts UTF-8 bytes, the description says characters), at most 50
// annotations per request and each update's annotations appended to the ones before, a
// conclusion whenever the run is completed, and annotation titles of at most 255 characters.
import {
  GitHubError,
  bodyObject,
  intParam,
  invalid,
  notFound,
  paginate,
  repoOf,
  type Ctx,
  type Reply,
} from "../context.js";
import { checkRun } from "../objects.js";
import type { Route } from "../router.js";
import type { AnnotationRecord, CheckRunRecord, RepoState } from "../store.js";

const MAX_OUTPUT_BYTES = 65_535;
const MAX_ANNOTATIONS = 50;
const MAX_TITLE = 255;
const MAX_MESSAGE_BYTES = 64 * 1024;

interface CheckBody {
  name?: string;
  head_sha?: string;
  details_url?: string;
  external_id?: string;
  status?: string;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: AnnotationRecord[] };
}

function checkOutput(body: CheckBody): void {
  const out = body.output;
  if (!out) return;
  for (const field of ["summary", "text"] as const) {
    const v = out[field];
    if (v !== undefined && Buffer.byteLength(v, "utf8") > MAX_OUTPUT_BYTES)
      throw invalid(
        "CheckRun",
        `output.${field}`,
        `${field} is too long (maximum is ${MAX_OUTPUT_BYTES} characters)`,
      );
  }
  const anns = out.annotations ?? [];
  if (anns.length > MAX_ANNOTATIONS)
    throw invalid(
      "CheckRun",
      "output.annotations",
      `at most ${MAX_ANNOTATIONS} annotations per request`,
    );
  anns.forEach((a, i) => {
    if ((a.title ?? "").length > MAX_TITLE)
      throw invalid(
        "CheckRun",
        `output.annotations[${i}].title`,
        "title is too long (maximum is 255 characters)",
      );
    if (Buffer.byteLength(a.message ?? "", "utf8") > MAX_MESSAGE_BYTES)
      throw invalid(
        "CheckRun",
        `output.annotations[${i}].message`,
        "message is too long (maximum is 64 KB)",
      );
    if (a.end_line < a.start_line)
      throw invalid(
        "CheckRun",
        `output.annotations[${i}].end_line`,
        "end_line must be at least start_line",
      );
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line)
      throw invalid(
        "CheckRun",
        `output.annotations[${i}].start_column`,
        "columns are only valid when start_line equals end_line",
      );
  });
}

function apply(ctx: Ctx, run: CheckRunRecord, body: CheckBody): void {
  if (body.name !== undefined) run.name = body.name;
  if (body.details_url !== undefined) run.detailsUrl = body.details_url;
  if (body.external_id !== undefined) run.externalId = body.external_id;
  if (body.started_at !== undefined) run.startedAt = body.started_at;
  if (body.conclusion !== undefined) {
    run.conclusion = body.conclusion;
    run.status = "completed";
  } else if (body.status !== undefined) run.status = body.status;
  if (run.status === "completed") {
    if (run.conclusion === null)
      throw invalid("CheckRun", "conclusion", "conclusion is required when status is completed");
    run.completedAt = body.completed_at ?? run.completedAt ?? ctx.store.now();
  }
  if (body.output) {
    if (body.output.title !== undefined) run.output.title = body.output.title;
    if (body.output.summary !== undefined) run.output.summary = body.output.summary;
    if (body.output.text !== undefined) run.output.text = body.output.text;
    run.annotations.push(...(body.output.annotations ?? []).map((a) => ({ ...a })));
  }
  run.writes += 1;
}

function create(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const body = bodyObject(ctx) as CheckBody;
  if (typeof body.name !== "string" || body.name === "")
    throw invalid("CheckRun", "name", "name can't be blank");
  const sha = body.head_sha ?? "";
  if (!/^[0-9a-f]{40}$/.test(sha) || !ctx.store.resolve(r, sha))
    throw new GitHubError(422, `No commit found for SHA: ${sha}`);
  if (body.status === "completed" && body.conclusion === undefined)
    throw invalid("CheckRun", "conclusion", "conclusion is required when status is completed");
  checkOutput(body);
  const run: CheckRunRecord = {
    id: ctx.store.nextId(),
    name: body.name,
    headSha: sha,
    status: "queued",
    conclusion: null,
    externalId: null,
    detailsUrl: null,
    startedAt: ctx.store.now(),
    completedAt: null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    writes: 0,
    app: ctx.caller.login,
  };
  apply(ctx, run, body);
  r.checkRuns.push(run);
  return { status: 201, body: checkRun(ctx.site, ctx.store, ctx.app, r, run) };
}

function runOf(ctx: Ctx): { r: RepoState; run: CheckRunRecord } {
  const r = repoOf(ctx);
  const id = intParam(ctx, "check_run_id");
  const run = r.checkRuns.find((c) => c.id === id);
  if (!run) throw notFound();
  return { r, run };
}

function update(ctx: Ctx): Reply {
  const { r, run } = runOf(ctx);
  // Only the App that created a check run may change it.
  if (run.app !== ctx.caller.login)
    throw new GitHubError(403, "Resource not accessible by integration");
  const body = bodyObject(ctx) as CheckBody;
  checkOutput(body);
  if (body.status === "completed" && body.conclusion === undefined && run.conclusion === null)
    throw invalid("CheckRun", "conclusion", "conclusion is required when status is completed");
  apply(ctx, run, body);
  return { status: 200, body: checkRun(ctx.site, ctx.store, ctx.app, r, run) };
}

function listForRef(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const c = ctx.store.resolve(r, ctx.params.ref ?? "");
  if (!c) throw notFound();
  const name = ctx.query.get("check_name");
  const status = ctx.query.get("status");
  let runs = r.checkRuns
    .filter((x) => x.headSha === c.sha)
    .filter((x) => name === null || x.name === name)
    .filter((x) => status === null || x.status === status)
    .sort((a, b) => b.id - a.id);
  if ((ctx.query.get("filter") ?? "latest") === "latest") {
    const seen = new Set<string>();
    runs = runs.filter((x) => !seen.has(x.name) && (seen.add(x.name), true));
  }
  const page = paginate(ctx, runs);
  return {
    status: 200,
    headers: page.headers,
    body: {
      total_count: runs.length,
      check_runs: page.items.map((x) => checkRun(ctx.site, ctx.store, ctx.app, r, x)),
    },
  };
}

export const checkRoutes: Route[] = [
  { method: "POST", template: "/repos/{owner}/{repo}/check-runs", handler: create },
  { method: "PATCH", template: "/repos/{owner}/{repo}/check-runs/{check_run_id}", handler: update },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/commits/{ref}/check-runs",
    handler: listForRef,
  },
];
