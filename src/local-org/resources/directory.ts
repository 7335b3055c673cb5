// Users and groups, as far as service accounts need them: a dedicated account, the group whose
// members a sign-on policy rule denies interactive login, and the account's deactivation.
import { z } from "zod";
import { noContent, ok, type Ctx, type Handler } from "../context.js";
import { errors, OktaError } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation, linkHeader, pageOf, parseFilter } from "../paging.js";
import type { GroupRecord, OrgState, UserRecord } from "../store.js";
import { parseBody } from "../validate.js";

const login = z
  .string()
  .regex(/^[^@\s]+@[^@\s]+$/, "Username must be in the form of an email address");
const createUserBody = z.object({
  profile: z.looseObject({
    login,
    email: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "Does not match required pattern"),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
  }),
  groupIds: z.array(z.string()).optional(),
});
const groupBody = z.object({
  profile: z.object({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(1024).optional(),
  }),
});

export function renderUser(u: UserRecord, base: string) {
  const self = `${base}/api/v1/users/${u.id}`;
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    ...(u.activated ? { activated: u.activated } : {}),
    ...(u.statusChanged ? { statusChanged: u.statusChanged } : {}),
    lastUpdated: u.lastUpdated,
    type: { id: "oty1local0000000000" },
    profile: u.profile,
    credentials: { provider: { type: "OKTA", name: "OKTA" } },
    _links: { self: { href: self } },
  };
}

export function renderGroup(g: GroupRecord, base: string) {
  const self = `${base}/api/v1/groups/${g.id}`;
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: ["okta:user_group"],
    type: g.type,
    profile: g.profile,
    _links: { users: { href: `${self}/users` }, apps: { href: `${self}/apps` } },
  };
}

export function findUser(state: OrgState, idOrLogin: string | undefined): UserRecord | undefined {
  if (!idOrLogin) return undefined;
  const lower = idOrLogin.toLowerCase();
  return (
    state.users[idOrLogin] ??
    Object.values(state.users).find((u) => u.profile.login.toLowerCase() === lower)
  );
}

function user(ctx: Ctx): UserRecord {
  const u = findUser(ctx.state, ctx.params.userId);
  if (!u) throw errors.notFound(ctx.params.userId ?? "", "User");
  return u;
}

function group(ctx: Ctx): GroupRecord {
  const g = ctx.state.groups[ctx.params.groupId ?? ""];
  if (!g) throw errors.notFound(ctx.params.groupId ?? "", "UserGroup");
  return g;
}

/** Creates a user; shared by the API and by seeding. */
export function createUser(
  state: OrgState,
  body: unknown,
  now: string,
  activate: boolean,
  /** A given id (seeding); a new one otherwise. */
  id?: string,
): UserRecord {
  const b = parseBody(createUserBody, body);
  if (findUser(state, b.profile.login)) {
    throw errors.validation(
      ["login: An object with this field already exists in the current organization"],
      "login",
    );
  }
  for (const gid of b.groupIds ?? []) {
    if (!state.groups[gid])
      throw errors.validation([`groupIds: group ${gid} does not exist`], "groupIds");
  }
  if (id && state.users[id]) throw errors.validation([`id: user ${id} already exists`], "id");
  const u: UserRecord = {
    id: id ?? newId(PREFIX.user),
    status: activate ? "ACTIVE" : "STAGED",
    profile: b.profile,
    created: now,
    activated: activate ? now : null,
    statusChanged: activate ? now : null,
    lastUpdated: now,
  };
  state.users[u.id] = u;
  for (const gid of b.groupIds ?? []) state.groups[gid]?.members.push(u.id);
  return u;
}

export function createGroup(
  state: OrgState,
  body: unknown,
  now: string,
  /** A given id (seeding); a new one otherwise. */
  id?: string,
): GroupRecord {
  const b = parseBody(groupBody, body);
  if (Object.values(state.groups).some((g) => g.profile.name === b.profile.name)) {
    throw errors.validation(
      ["name: An object with this field already exists in the current organization"],
      "name",
    );
  }
  if (id && state.groups[id]) throw errors.validation([`id: group ${id} already exists`], "id");
  const g: GroupRecord = {
    id: id ?? newId(PREFIX.group),
    type: "OKTA_GROUP",
    profile: b.profile,
    members: [],
    created: now,
    lastUpdated: now,
    lastMembershipUpdated: now,
  };
  state.groups[g.id] = g;
  return g;
}

function userField(u: UserRecord, f: string): unknown {
  if (f === "status" || f === "id") return u[f];
  return f.startsWith("profile.") ? u.profile[f.slice(8)] : undefined;
}

const listUsers: Handler = (ctx) => {
  let all = byCreation(Object.values(ctx.state.users));
  // `search` and `filter` take the same simple expressions here; Okta's search is richer.
  for (const key of ["filter", "search"]) {
    const expr = ctx.query.get(key);
    if (!expr) continue;
    const match = parseFilter(expr, [
      "status",
      "id",
      "profile.login",
      "profile.email",
      "profile.firstName",
      "profile.lastName",
    ]);
    all = all.filter((u) => match((f) => userField(u, f)));
  }
  const q = ctx.query.get("q")?.toLowerCase();
  if (q) {
    all = all.filter((u) =>
      [u.profile.login, u.profile.email, u.profile.firstName, u.profile.lastName].some((v) =>
        v?.toLowerCase().startsWith(q),
      ),
    );
  }
  // Okta leaves deprovisioned users out of a plain list unless asked for.
  if (!ctx.query.get("filter") && !ctx.query.get("search"))
    all = all.filter((u) => u.status !== "DEPROVISIONED");
  // Okta answers 200 users a page, or 10 when `q` is used.
  const page = pageOf(all, ctx, { defaultLimit: q ? 10 : 200, maxLimit: 200 });
  return ok(
    page.items.map((u) => renderUser(u, ctx.baseUrl)),
    linkHeader(ctx, page.next),
  );
};

const listGroups: Handler = (ctx) => {
  let all = byCreation(Object.values(ctx.state.groups));
  for (const key of ["filter", "search"]) {
    const expr = ctx.query.get(key);
    if (!expr) continue;
    const match = parseFilter(expr, ["type", "id", "profile.name"]);
    all = all.filter((g) =>
      match((f) => (f === "profile.name" ? g.profile.name : f === "type" ? g.type : g.id)),
    );
  }
  const q = ctx.query.get("q")?.toLowerCase();
  if (q) all = all.filter((g) => g.profile.name.toLowerCase().startsWith(q));
  const page = pageOf(all, ctx, { defaultLimit: 200, maxLimit: 10000 });
  return ok(
    page.items.map((g) => renderGroup(g, ctx.baseUrl)),
    linkHeader(ctx, page.next),
  );
};

export const directoryRoutes: [string, string, Handler][] = [
  ["GET", "/api/v1/users", listUsers],
  [
    "POST",
    "/api/v1/users",
    (ctx) =>
      ok(
        renderUser(
          createUser(ctx.state, ctx.body, ctx.now, ctx.query.get("activate") !== "false"),
          ctx.baseUrl,
        ),
      ),
  ],
  ["GET", "/api/v1/users/{userId}", (ctx) => ok(renderUser(user(ctx), ctx.baseUrl))],
  [
    "POST",
    "/api/v1/users/{userId}/lifecycle/deactivate",
    (ctx) => {
      const u = user(ctx);
      if (u.status === "DEPROVISIONED") {
        throw new OktaError(
          403,
          "E0000038",
          "This operation is not allowed in the user's current status.",
        );
      }
      Object.assign(u, { status: "DEPROVISIONED", statusChanged: ctx.now, lastUpdated: ctx.now });
      return ok({});
    },
  ],
  [
    "GET",
    "/api/v1/users/{userId}/groups",
    (ctx) => {
      const u = user(ctx);
      const groups = byCreation(
        Object.values(ctx.state.groups).filter((g) => g.members.includes(u.id)),
      );
      return ok(groups.map((g) => renderGroup(g, ctx.baseUrl)));
    },
  ],
  ["GET", "/api/v1/groups", listGroups],
  [
    "POST",
    "/api/v1/groups",
    (ctx) => ok(renderGroup(createGroup(ctx.state, ctx.body, ctx.now), ctx.baseUrl)),
  ],
  ["GET", "/api/v1/groups/{groupId}", (ctx) => ok(renderGroup(group(ctx), ctx.baseUrl))],
  [
    "GET",
    "/api/v1/groups/{groupId}/users",
    (ctx) => {
      const g = group(ctx);
      const members = g.members
        .map((id) => ctx.state.users[id])
        .filter((u): u is UserRecord => !!u);
      const page = pageOf(members, ctx, { defaultLimit: 1000, maxLimit: 1000 });
      return ok(
        page.items.map((u) => renderUser(u, ctx.baseUrl)),
        linkHeader(ctx, page.next),
      );
    },
  ],
  [
    "PUT",
    "/api/v1/groups/{groupId}/users/{userId}",
    (ctx) => {
      const g = group(ctx);
      const u = user(ctx);
      if (!g.members.includes(u.id)) {
        g.members.push(u.id);
        g.lastMembershipUpdated = ctx.now;
      }
      return noContent();
    },
  ],
  [
    "DELETE",
    "/api/v1/groups/{groupId}/users/{userId}",
    (ctx) => {
      const g = group(ctx);
      const u = user(ctx);
      g.members = g.members.filter((id) => id !== u.id);
      g.lastMembershipUpdated = ctx.now;
      return noContent();
    },
  ],
];
