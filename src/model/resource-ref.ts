// What a resource of a resource set means, read once for everyone: the policy judges the canonical
// form this returns, the desired state is built from it, and the bot sends exactly it (as a REST
// URL) to Okta. Were the policy to read the text one way and the reconciler another, a form the
// policy passes (users: with a trailing colon, apps/../users) could be sent as something else.
// So every form is read strictly: any text with a dot segment, an empty segment, a trailing
// separator or a shape not listed below is refused, never guessed at.

/**
 * A resource read, with its canonical short form:
 * - `users`, `groups`, `apps`: the whole org's users, groups or apps (org-wide);
 * - `groups/<groupId>`, `groups/<groupId>/users`: one group, or the users in it;
 * - `apps/<appId>`: one app (Okta app ids start with 0oa);
 * - `apps/<appName>`: every app of one kind, e.g. apps/oidc_client is every OIDC app of the org,
 *   the bot's own included (org-wide);
 * - an ORN of another Okta service (orn:okta:workflow:<org>:flows...), kept as written;
 *   one naming a whole collection (five parts) is org-wide.
 */
export type ResourceReading =
  { ok: true; canonical: string; orgWide: boolean } | { ok: false; problem: string };

/** Okta object ids: letters and digits (00g… groups, 0oa… apps, 00o… orgs). */
const OKTA_ID = /^[A-Za-z0-9]+$/;
const APP_ID = /^0oa[A-Za-z0-9]{5,}$/;
/** App names (kinds) as Okta spells them: oidc_client, template_basic_auth, custom-crm. */
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** ORN parts: partition (okta, oktapreview, okta-emea), service, org id and the path. */
const ORN_PART = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const COLLECTIONS = new Set(["users", "groups", "apps"]);

const ok = (canonical: string, orgWide = false): ResourceReading => ({
  ok: true,
  canonical,
  orgWide,
});
const no = (problem: string): ResourceReading => ({ ok: false, problem });

/** Reads a resource as written in an integration file (the short form or an ORN). */
export function readResource(ref: string): ResourceReading {
  if (ref.startsWith("orn:")) return readOrn(ref);
  return readShortForm(ref);
}

/**
 * Reads a resource as Okta reports it: an ORN, or the REST URL of the org
 * (https://org/api/v1/groups/<id>/users). Same strictness: a URL with a query, a fragment, dot or
 * empty segments is not read (the caller keeps the text as it is, which then matches nothing the
 * repository asks for and shows as a difference).
 */
export function readOktaResource(ref: string): ResourceReading {
  if (ref.startsWith("orn:")) return readOrn(ref);
  const url = /^https:\/\/[A-Za-z0-9.-]+(?::\d+)?\/api\/v1\/([^?#]*)$/.exec(ref);
  const local = /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/([^?#]*)$/.exec(ref);
  const path = url?.[1] ?? local?.[1];
  if (path === undefined) return no("not a REST URL of the org's Management API or an ORN");
  return readShortForm(path);
}

function readShortForm(ref: string): ResourceReading {
  const parts = ref.split("/");
  const problem = segmentProblem(parts, "/");
  if (problem) return no(problem);
  const [collection, id, sub, ...rest] = parts as [string, string?, string?, ...string[]];
  if (!COLLECTIONS.has(collection))
    return no(`starts with ${JSON.stringify(collection)}; a resource is users, groups or apps`);
  if (id === undefined) return ok(collection, true);
  if (rest.length) return no("has too many segments");
  if (collection === "groups") {
    if (!OKTA_ID.test(id)) return no("the group id must be letters and digits (an Okta id)");
    if (sub === undefined) return ok(`groups/${id}`);
    if (sub === "users") return ok(`groups/${id}/users`);
    return no(`groups/<groupId>/ may only be followed by users`);
  }
  if (collection === "apps" && sub === undefined) {
    if (APP_ID.test(id)) return ok(`apps/${id}`);
    if (APP_NAME.test(id)) return ok(`apps/${id}`, true);
    return no("apps/ is followed by an app id (0oa...) or an app name such as oidc_client");
  }
  return no(
    `${collection}/ cannot name one object; use groups/<groupId>, groups/<groupId>/users or apps/<appId>`,
  );
}

/** Dot segments, empty segments (doubled or trailing separators) and stray characters. */
function segmentProblem(parts: readonly string[], separator: string): string | undefined {
  if (parts.some((p) => p === "." || p === ".."))
    return `has a dot segment (${separator === "/" ? "./ or ../" : ". or .."}), which would name another object once resolved`;
  if (parts.some((p) => p === ""))
    return `has an empty segment (a doubled, leading or trailing ${JSON.stringify(separator)})`;
  if (parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p)))
    return "has a character other than letters, digits, _ and - in a segment";
  return undefined;
}

/** orn:<partition>:<service>:<orgId>:<path...>. The directory and idp services are read into the
 * short form (the form the bot sends); the known shapes only. */
function readOrn(ref: string): ResourceReading {
  const parts = ref.split(":");
  const problem = segmentProblem(parts, ":");
  if (problem) return no(problem);
  if (parts.length < 5) return no("an ORN is orn:<partition>:<service>:<orgId>:<resource>");
  const [, partition, service, org, ...path] = parts as [
    string,
    string,
    string,
    string,
    ...string[],
  ];
  if (![partition, service, org, ...path].every((p) => ORN_PART.test(p)))
    return no("has a character other than letters, digits, _ and - in a part");
  const [type, id, extra, ...more] = path as [string, string?, string?, ...string[]];
  if (service === "directory") {
    if (type === "users" || type === "groups") {
      if (id === undefined) return ok(type, true);
      if (type === "groups" && more.length === 0) {
        if (extra === undefined) return readShortForm(`groups/${id}`);
        if (extra === "contained_resources") return readShortForm(`groups/${id}/users`);
      }
    }
    return no(
      "is not a directory ORN okta-gitops reads (:users, :groups, :groups:<id>, :groups:<id>:contained_resources)",
    );
  }
  if (service === "idp" && type === "apps") {
    if (id === undefined) return ok("apps", true);
    if (extra === undefined) return readShortForm(`apps/${id}`);
    // apps:<appName>:<appId> is one app; its kind is then only a label.
    if (more.length === 0 && APP_ID.test(extra)) return ok(`apps/${extra}`);
    return no("is not an apps ORN okta-gitops reads (:apps, :apps:<name>, :apps:<name>:<appId>)");
  }
  if (service === "directory" || service === "idp")
    return no(`names ${type}, which okta-gitops does not read as a resource of a resource set`);
  // Another service's resource: sent as written; a bare collection covers the whole org.
  return ok(ref, path.length === 1);
}
