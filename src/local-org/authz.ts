// Admin roles, enforced as Okta enforces them on top of scopes: a principal with no admin role is
// refused (403 E0000006) whatever its scopes; a standard role reaches what Okta's table of standard
// roles gives it (read-only roles never write; only a super admin adds, removes or views admin
// roles); a custom role reaches only what its permissions cover, and only inside its resource set.
// An OAuth client holds the roles assigned to it; an API token (SSWS) acts with the roles of the
// user who owns it, held directly or through a group.
//
// Sources (Okta's documentation): "Standard administrator roles and permissions",
// help.okta.com/.../security/administrators-admin-comparison.htm ("Add, remove, and view
// administrators": super admin only); developer.okta.com/docs/reference/api/roles ("admin roles
// aren't automatically assigned to apps"; "a principal with a custom admin role can't add or
// remove the super admin (SUPER_ADMIN) standard role"); API tokens inherit the permissions of the
// admin who created them (support.okta.com, "How to manage access level for API tokens").
import { scopesBackedByPermissions } from "../okta-facts/permissions.js";
import { STANDARD_ROLE_SCOPES } from "../okta-facts/standard-roles.js";
import type { Principal, Reply } from "./context.js";
import { errors } from "./errors.js";
import { findUser } from "./resources/directory.js";
import type { Route } from "./router.js";
import type {
  AppRecord,
  IamRoleRecord,
  OrgState,
  ResourceSetRecord,
  RoleAssignmentFields,
} from "./store.js";

/** One admin role a principal holds, and how it came to hold it. */
export interface HeldRole {
  type: string;
  /** For CUSTOM: the role and resource set of the assignment (missing if since deleted). */
  role?: IamRoleRecord;
  resourceSet?: ResourceSetRecord;
  assignmentType: "CLIENT" | "USER" | "GROUP";
}

function held(
  state: OrgState,
  r: RoleAssignmentFields,
  assignmentType: HeldRole["assignmentType"],
): HeldRole {
  return {
    type: r.type,
    assignmentType,
    ...(r.role ? { role: state.iamRoles[r.role] } : {}),
    ...(r.resourceSet ? { resourceSet: state.resourceSets[r.resourceSet] } : {}),
  };
}

/** The admin roles of a user: assigned to the user, or to a group the user belongs to. */
export function rolesOfUser(state: OrgState, userId: string): HeldRole[] {
  const own = Object.values(state.userRoles)
    .filter((r) => r.userId === userId)
    .map((r) => held(state, r, "USER"));
  const viaGroups = Object.values(state.groupRoles)
    .filter((r) => state.groups[r.groupId]?.members.includes(userId))
    .map((r) => held(state, r, "GROUP"));
  return [...own, ...viaGroups];
}

/**
 * The admin roles a principal acts with: an OAuth client's own assignments, or, for an API token,
 * those of the user who owns it (Okta: a token has its admin's permissions at the time of use).
 */
export function rolesOf(state: OrgState, principal: Principal): HeldRole[] {
  if (principal.type === "OAUTH_CLIENT") {
    return Object.values(state.clientRoles)
      .filter((r) => r.clientId === principal.id)
      .map((r) => held(state, r, "CLIENT"));
  }
  const token = state.apiTokens[principal.id];
  return token ? rolesOfUser(state, token.userId) : [];
}

/** Admin roles themselves: only a super admin adds, removes or views administrators. */
const adminRoles = (scope: string) => scope.startsWith("okta.roles.");

/**
 * Whether a standard role reaches an operation needing `scope`: the mapping of Okta's table of
 * standard admin permissions in src/okta-facts (which the policy reads too, so that both agree),
 * less admin roles for all but SUPER_ADMIN.
 */
function standardReaches(type: string, scope: string): boolean {
  if (type === "SUPER_ADMIN") return true;
  if (adminRoles(scope)) return false;
  return (
    (STANDARD_ROLE_SCOPES as Record<string, readonly string[]>)[type]?.includes(scope) ?? false
  );
}

// --- resource sets ---------------------------------------------------------------------------------

type Target =
  | { kind: "user"; user?: { id: string } }
  | { kind: "group"; id: string }
  | { kind: "members"; groupId: string }
  | { kind: "app"; app?: AppRecord };

/** What one resource of a set covers: all of a kind, one object, or the users of a group. */
type Covered =
  | { kind: "users" | "groups" | "apps"; all: true }
  | { kind: "user" | "group"; id: string }
  | { kind: "members"; groupId: string }
  | { kind: "app"; name: string; id?: string };

/** Reads a resource (an ORN of this org, or its REST URL); undefined when it covers nothing here. */
function coveredBy(value: string, orgId: string): Covered | undefined {
  let parts: string[];
  if (value.startsWith("orn:")) {
    const [, okta, service, org, ...rest] = value.split(":");
    if (okta !== "okta" || org !== orgId) return undefined;
    if (service === "idp" && rest[0] === "apps") {
      if (rest.length === 1) return { kind: "apps", all: true };
      return rest[1] ? { kind: "app", name: rest[1], id: rest[2] } : undefined;
    }
    if (service !== "directory") return undefined;
    parts = rest.map((p) => (p === "contained_resources" ? "users" : p));
  } else {
    let path: string[];
    try {
      path = new URL(value).pathname.split("/");
    } catch {
      return undefined;
    }
    // "", "api", "v1", then the kind: anything else covers nothing.
    if (path[0] !== "" || path[1] !== "api" || path[2] !== "v1") return undefined;
    parts = path.slice(3);
    if (parts.some((p) => p === "")) return undefined;
  }
  const [kind, id, sub, extra] = parts;
  if (extra !== undefined) return undefined;
  if (kind === "users" && !sub) return id ? { kind: "user", id } : { kind: "users", all: true };
  if (kind === "groups") {
    if (!id) return { kind: "groups", all: true };
    if (!sub) return { kind: "group", id };
    return sub === "users" ? { kind: "members", groupId: id } : undefined;
  }
  if (kind === "apps" && !sub) return id ? { kind: "app", name: id } : { kind: "apps", all: true };
  return undefined;
}

function covers(state: OrgState, set: ResourceSetRecord | undefined, target: Target): boolean {
  for (const r of set?.resources ?? []) {
    const c = coveredBy(r.value, state.orgId);
    if (!c) continue;
    switch (target.kind) {
      case "user": {
        const user = target.user;
        if (!user) break;
        if (c.kind === "users") return true;
        if (c.kind === "user" && c.id === user.id) return true;
        if (c.kind === "members" && state.groups[c.groupId]?.members.includes(user.id)) return true;
        break;
      }
      case "group":
        if (c.kind === "groups" || (c.kind === "group" && c.id === target.id)) return true;
        break;
      case "members":
        if (c.kind === "groups") return true;
        if (
          (c.kind === "group" || c.kind === "members") &&
          ("id" in c ? c.id : c.groupId) === target.groupId
        )
          return true;
        break;
      case "app": {
        const app = target.app;
        if (!app) break;
        if (c.kind === "apps") return true;
        if (c.kind === "app" && (c.id ? c.id === app.id : c.name === app.name || c.name === app.id))
          return true;
      }
    }
  }
  return false;
}

/** The object an operation acts on, from its path; undefined for an operation on a collection. */
function targetOf(
  state: OrgState,
  route: Route,
  params: Record<string, string>,
): Target | undefined {
  const t = route.template;
  if (t.startsWith("/api/v1/users/{userId}"))
    return { kind: "user", user: findUser(state, params.userId) };
  if (t.startsWith("/api/v1/groups/{groupId}/users"))
    return { kind: "members", groupId: params.groupId ?? "" };
  if (t.startsWith("/api/v1/groups/{groupId}")) return { kind: "group", id: params.groupId ?? "" };
  if (t.startsWith("/api/v1/apps/{appId}"))
    return { kind: "app", app: params.appId ? state.apps[params.appId] : undefined };
  if (t.startsWith("/api/v1/api-tokens/{apiTokenId}")) {
    const owner = state.apiTokens[params.apiTokenId ?? ""]?.userId;
    return { kind: "user", user: owner ? state.users[owner] : undefined };
  }
  return undefined;
}

/** The kind of object a collection holds, for collections a resource set can confine. */
const COLLECTIONS: Record<string, "user" | "group" | "app" | "token"> = {
  "/api/v1/users": "user",
  "/api/v1/groups": "group",
  "/api/v1/apps": "app",
  "/api/v1/api-tokens": "token",
  "/api/v1/groups/{groupId}/users": "user",
};

/** What a request may see: everything, or (under custom roles) only the items some set covers. */
export type Reach = { all: true } | { all: false; sets: (ResourceSetRecord | undefined)[] };

/**
 * Decides whether `principal` may call `route` with its admin roles; throws Okta's 403 when not.
 * Answers how far it reaches, so that a list is confined to what its resource sets cover.
 */
export function authorize(
  state: OrgState,
  principal: Principal,
  route: Route,
  params: Record<string, string>,
): Reach {
  const roles = rolesOf(state, principal);
  if (roles.length === 0)
    throw errors.forbidden("The caller holds no admin role: Okta assigns none to apps by itself.");
  // SUPER_ADMIN reaches everything. It is also the only role that may assign or unassign roles,
  // SUPER_ADMIN included (role management needs okta.roles.*, which no other role here reaches, and
  // which no custom-role permission backs): a custom role can never assign SUPER_ADMIN.
  if (roles.some((r) => r.type === "SUPER_ADMIN")) return { all: true };
  const needed = route.scopes;
  const standard = roles.some(
    (r) => r.type !== "CUSTOM" && needed.some((s) => standardReaches(r.type, s)),
  );
  if (standard) return { all: true };
  const custom = roles.filter((r) => {
    if (r.type !== "CUSTOM" || !r.role) return false;
    const backed = scopesBackedByPermissions(r.role.permissions.map((p) => p.type));
    return needed.some((s) => backed.has(s));
  });
  if (custom.length === 0)
    throw errors.forbidden("None of the caller's admin roles permits this operation.");
  const target = targetOf(state, route, params);
  if (target) {
    if (!custom.some((r) => covers(state, r.resourceSet, target)))
      throw errors.forbidden("The object is outside the resource set of the caller's role.");
    return { all: true };
  }
  const kind = COLLECTIONS[route.template];
  if (!kind) return { all: true }; // zones, policies...: not confined by a resource set
  if (route.method === "GET") return { all: false, sets: custom.map((r) => r.resourceSet) };
  // Creating a user, group or app needs all of that kind in the resource set.
  const whole = WHOLE[kind];
  const wholeKind = custom.some((r) =>
    (r.resourceSet?.resources ?? []).some((x) => coveredBy(x.value, state.orgId)?.kind === whole),
  );
  if (!wholeKind)
    throw errors.forbidden(`Creating this object needs all ${whole} in the caller's resource set.`);
  return { all: true };
}

const WHOLE = { user: "users", group: "groups", app: "apps", token: "users" } as const;

/** Leaves out of a list answer the items outside what the request reaches. */
export function confine(reply: Reply, reach: Reach, state?: OrgState, route?: Route): Reply {
  if (reach.all || !state || !route || !Array.isArray(reply.body)) return reply;
  const kind = COLLECTIONS[route.template];
  const visible = (item: unknown): boolean => {
    const id = (item as { id?: unknown }).id;
    if (typeof id !== "string") return false;
    const target: Target =
      kind === "group"
        ? { kind: "group", id }
        : kind === "app"
          ? { kind: "app", app: state.apps[id] }
          : kind === "token"
            ? {
                kind: "user",
                user: state.users[state.apiTokens[id]?.userId ?? ""],
              }
            : { kind: "user", user: state.users[id] };
    return reach.sets.some((set) => covers(state, set, target));
  };
  return { ...reply, body: (reply.body as unknown[]).filter(visible) };
}
