// The part of GitHub's REST OpenAPI description the App and the tests rely on: the operations the
// App calls and the webhook payloads it receives, with every component they reference
// (transitively), so that the committed subset validates on its own. Everything kept is copied
// unchanged from the source; only unreferenced operations, webhooks and components are left out.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The operations the App calls (method, spec path template). */
export const GITHUB_OPERATIONS: readonly (readonly [string, string])[] = [
  ["get", "/app"],
  ["post", "/app/installations/{installation_id}/access_tokens"],
  ["get", "/repos/{owner}/{repo}/installation"],
  ["get", "/repos/{owner}/{repo}"],
  ["get", "/repos/{owner}/{repo}/tarball/{ref}"],
  ["get", "/repos/{owner}/{repo}/contents/{path}"],
  ["get", "/repos/{owner}/{repo}/branches/{branch}"],
  ["get", "/repos/{owner}/{repo}/compare/{basehead}"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/commits"],
  ["get", "/repos/{owner}/{repo}/commits"],
  ["get", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls"],
  ["get", "/orgs/{org}/teams/{team_slug}/memberships/{username}"],
  ["post", "/repos/{owner}/{repo}/check-runs"],
  ["patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"],
  ["get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"],
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["get", "/repos/{owner}/{repo}/issues"],
  ["post", "/repos/{owner}/{repo}/issues"],
  ["patch", "/repos/{owner}/{repo}/issues/{issue_number}"],
  ["get", "/repos/{owner}/{repo}/deployments"],
  ["post", "/repos/{owner}/{repo}/deployments"],
  ["get", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"],
  ["post", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"],
];

/** The webhook payloads the App receives (keys of the spec's `x-webhooks`). */
export const GITHUB_WEBHOOKS: readonly string[] = [
  "pull-request-opened",
  "pull-request-synchronize",
  "pull-request-reopened",
  "pull-request-closed",
  "pull-request-review-submitted",
  "pull-request-review-edited",
  "pull-request-review-dismissed",
  "push",
  "check-run-rerequested",
  "check-suite-rerequested",
];

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function collectRefs(node: Json, into: string[]): void {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, into));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") into.push(v);
      else collectRefs(v, into);
    }
  }
}

/** The subset of `full` (GitHub's api.github.com.json) described in the file comment. */
export function githubSpecSubset(full: JsonObject): JsonObject {
  const paths = full.paths as JsonObject;
  const webhooks = full["x-webhooks"] as JsonObject;
  const components = full.components as JsonObject;
  const outPaths: JsonObject = {};
  for (const [method, template] of GITHUB_OPERATIONS) {
    const item = paths[template];
    if (!isObject(item) || !isObject(item[method]))
      throw new Error(`${method.toUpperCase()} ${template} is not in GitHub's description`);
    const kept = (outPaths[template] ?? {}) as JsonObject;
    if (item.parameters !== undefined) kept.parameters = item.parameters;
    kept[method] = item[method];
    outPaths[template] = kept;
  }
  const outHooks: JsonObject = {};
  for (const name of GITHUB_WEBHOOKS) {
    const hook = webhooks[name];
    if (!isObject(hook)) throw new Error(`webhook ${name} is not in GitHub's description`);
    outHooks[name] = hook;
  }
  // Components referenced from what is kept, then from those components, until none is new.
  const outComponents: Record<string, JsonObject> = {};
  const pending: string[] = [];
  collectRefs(outPaths, pending);
  collectRefs(outHooks, pending);
  const seen = new Set<string>();
  while (pending.length > 0) {
    const ref = pending.pop()!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const m = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
    if (!m) throw new Error(`unexpected reference ${ref}`);
    const [, kind, name] = m as unknown as [string, string, string];
    const value = (components[kind] as JsonObject | undefined)?.[name];
    if (value === undefined) throw new Error(`${ref} is not in GitHub's description`);
    (outComponents[kind] ??= {})[name] = value;
    collectRefs(value, pending);
  }
  // Sorted keys: the generated file diffs well and does not depend on traversal order.
  const sorted: JsonObject = {};
  for (const kind of Object.keys(outComponents).sort()) {
    const group: JsonObject = {};
    for (const name of Object.keys(outComponents[kind]!).sort())
      group[name] = outComponents[kind]![name]!;
    sorted[kind] = group;
  }
  return {
    openapi: full.openapi ?? null,
    info: full.info ?? null,
    servers: full.servers ?? null,
    externalDocs: full.externalDocs ?? null,
    paths: outPaths,
    "x-webhooks": outHooks,
    components: sorted,
  };
}
