// Deployments and their statuses, with GitHub's defaults: `auto_merge` true (GitHub would merge
// the default branch into a ref behind it; here such a request is refused with 409, which is what
// GitHub answers when that merge conflicts) and `required_contexts` every context (a deployment is
// refused with 409 while a check run on the commit has not succeeded). Lists are newest first.
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
import { deployment, deploymentStatus } from "../objects.js";
import type { Route } from "../router.js";
import type { DeploymentRecord, RepoState } from "../store.js";

const PASSING = new Set(["success", "neutral", "skipped"]);

function createDeployment(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const b = bodyObject(ctx);
  const ref = typeof b.ref === "string" ? b.ref : "";
  const c = ctx.store.resolve(r, ref);
  if (!c) throw new GitHubError(422, `No ref found for: ${ref}`);
  const autoMerge = b.auto_merge !== false;
  if (autoMerge && r.branches.has(ref) && ref !== r.defaultBranch) {
    const def = r.branches.get(r.defaultBranch);
    if (def && ctx.store.range(c.sha, def).length > 0)
      throw new GitHubError(409, `Conflict merging ${r.defaultBranch} into ${ref}.`);
  }
  const required = Array.isArray(b.required_contexts) ? (b.required_contexts as string[]) : null;
  const runs = r.checkRuns.filter(
    (x) => x.headSha === c.sha && (required === null || required.includes(x.name)),
  );
  const failing = runs.filter((x) => x.status !== "completed" || !PASSING.has(x.conclusion ?? ""));
  if (failing.length > 0)
    throw new GitHubError(
      409,
      `Conflict: Commit status checks failed for ${ref}.`,
      failing.map((x) => ({
        resource: "Deployment",
        field: "required_contexts",
        code: "invalid",
        message: `${x.name} is ${x.conclusion ?? x.status}`,
      })),
    );
  if (required !== null)
    for (const ctxName of required)
      if (!runs.some((x) => x.name === ctxName))
        throw new GitHubError(409, `Conflict: Commit status checks failed for ${ref}.`, [
          {
            resource: "Deployment",
            field: "required_contexts",
            code: "missing",
            message: `${ctxName} is missing`,
          },
        ]);
  let payload: unknown = b.payload ?? {};
  if (typeof payload === "string") {
    try {
      payload = payload === "" ? {} : JSON.parse(payload);
    } catch {
      throw invalid("Deployment", "payload", "payload is not valid JSON");
    }
  }
  const environment = typeof b.environment === "string" ? b.environment : "production";
  const now = ctx.store.now();
  const d: DeploymentRecord = {
    id: ctx.store.nextId(),
    sha: c.sha,
    ref,
    task: typeof b.task === "string" ? b.task : "deploy",
    environment,
    description: typeof b.description === "string" ? b.description : "",
    payload,
    autoMerge,
    requiredContexts: required,
    transient: b.transient_environment === true,
    production:
      typeof b.production_environment === "boolean"
        ? b.production_environment
        : environment === "production",
    creator: ctx.caller.login,
    createdAt: now,
    updatedAt: now,
    statuses: [],
  };
  r.deployments.push(d);
  return { status: 201, body: deployment(ctx.site, ctx.store, r, d) };
}

function listDeployments(ctx: Ctx): Reply {
  const r = repoOf(ctx);
  const q = (k: string) => ctx.query.get(k);
  const all = [...r.deployments]
    .reverse()
    .filter((d) => q("sha") === null || d.sha === q("sha"))
    .filter((d) => q("ref") === null || d.ref === q("ref"))
    .filter((d) => q("task") === null || d.task === q("task"))
    .filter((d) => q("environment") === null || d.environment === q("environment"));
  const page = paginate(ctx, all);
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((d) => deployment(ctx.site, ctx.store, r, d)),
  };
}

function deploymentOf(ctx: Ctx): { r: RepoState; d: DeploymentRecord } {
  const r = repoOf(ctx);
  const id = intParam(ctx, "deployment_id");
  const d = r.deployments.find((x) => x.id === id);
  if (!d) throw notFound();
  return { r, d };
}

function createStatus(ctx: Ctx): Reply {
  const { r, d } = deploymentOf(ctx);
  const b = bodyObject(ctx);
  if (typeof b.state !== "string") throw invalid("DeploymentStatus", "state", "state is required");
  const description = typeof b.description === "string" ? b.description : "";
  if (description.length > 140)
    throw invalid(
      "DeploymentStatus",
      "description",
      "description is too long (maximum is 140 characters)",
    );
  const s = {
    id: ctx.store.nextId(),
    state: b.state,
    description,
    logUrl:
      typeof b.log_url === "string"
        ? b.log_url
        : typeof b.target_url === "string"
          ? b.target_url
          : null,
    environmentUrl: typeof b.environment_url === "string" ? b.environment_url : null,
    creator: ctx.caller.login,
    createdAt: ctx.store.now(),
  };
  d.statuses.push(s);
  d.updatedAt = s.createdAt;
  return { status: 201, body: deploymentStatus(ctx.site, ctx.store, r, d, s) };
}

function listStatuses(ctx: Ctx): Reply {
  const { r, d } = deploymentOf(ctx);
  const page = paginate(ctx, [...d.statuses].reverse());
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((s) => deploymentStatus(ctx.site, ctx.store, r, d, s)),
  };
}

export const deploymentRoutes: Route[] = [
  { method: "GET", template: "/repos/{owner}/{repo}/deployments", handler: listDeployments },
  { method: "POST", template: "/repos/{owner}/{repo}/deployments", handler: createDeployment },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    handler: listStatuses,
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
    handler: createStatus,
  },
];
