// Custom admin roles (a label and permissions) and resource sets (what a custom role may act on, at
// most 1,000 resources). Both list as objects whose `_links.next` pages on, as Okta's IAM API does.
import { z } from "zod";
import { noContent, ok, type Ctx, type Handler } from "../context.js";
import { errors } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation, nextHref, pageOf } from "../paging.js";
import {
  allRoleAssignments,
  type IamRoleRecord,
  type OrgState,
  type ResourceRecord,
  type ResourceSetRecord,
  type RoleAssignmentFields,
} from "../store.js";
import { parseBody } from "../validate.js";

export const MAX_RESOURCES = 1000;
const PAGE = { defaultLimit: 100, maxLimit: 100 };
const permission = z.string().regex(/^okta\.[A-Za-z]+(\.[A-Za-z]+)+$/, "not an Okta permission");

export function findRole(
  state: OrgState,
  idOrLabel: string | undefined,
): IamRoleRecord | undefined {
  if (!idOrLabel) return undefined;
  return (
    state.iamRoles[idOrLabel] ?? Object.values(state.iamRoles).find((r) => r.label === idOrLabel)
  );
}

export function findResourceSet(
  state: OrgState,
  idOrLabel: string | undefined,
): ResourceSetRecord | undefined {
  if (!idOrLabel) return undefined;
  return (
    state.resourceSets[idOrLabel] ??
    Object.values(state.resourceSets).find((r) => r.label === idOrLabel)
  );
}

// --- custom roles ----------------------------------------------------------------------------------

const createRoleBody = z.object({
  label: z.string().trim().min(1),
  description: z.string().min(1),
  permissions: z.array(permission).min(1),
});
const updateRoleBody = z.object({
  label: z.string().trim().min(1),
  description: z.string().min(1),
});

function renderRole(r: IamRoleRecord, base: string) {
  const self = `${base}/api/v1/iam/roles/${r.id}`;
  return {
    id: r.id,
    label: r.label,
    description: r.description,
    created: r.created,
    lastUpdated: r.lastUpdated,
    _links: { self: { href: self }, permissions: { href: `${self}/permissions` } },
  };
}

function role(ctx: Ctx): IamRoleRecord {
  const r = findRole(ctx.state, ctx.params.roleIdOrLabel);
  if (!r) throw errors.notFound(ctx.params.roleIdOrLabel ?? "", "IamRole");
  return r;
}

function uniqueLabel(taken: { id: string; label: string }[], label: string, self?: string) {
  if (taken.some((x) => x.label === label && x.id !== self)) {
    throw errors.validation([`label: '${label}' is already in use`], "label");
  }
}

function renderPermission(r: IamRoleRecord, p: IamRoleRecord["permissions"][number], base: string) {
  const roleHref = `${base}/api/v1/iam/roles/${r.id}`;
  return {
    label: p.type,
    created: p.created,
    lastUpdated: p.lastUpdated,
    ...(p.conditions ? { conditions: p.conditions } : {}),
    _links: { role: { href: roleHref }, self: { href: `${roleHref}/permissions/${p.type}` } },
  };
}

function permissionOf(ctx: Ctx) {
  const r = role(ctx);
  const p = r.permissions.find((x) => x.type === ctx.params.permissionType);
  if (!p) throw errors.notFound(ctx.params.permissionType ?? "", "Permission");
  return { r, p };
}

const roleRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/iam/roles",
    (ctx) => {
      const page = pageOf(byCreation(Object.values(ctx.state.iamRoles)), ctx, PAGE);
      return ok({
        roles: page.items.map((r) => renderRole(r, ctx.baseUrl)),
        _links: nextHref(ctx, page.next),
      });
    },
  ],
  [
    "POST",
    "/api/v1/iam/roles",
    (ctx) => {
      const b = parseBody(createRoleBody, ctx.body);
      uniqueLabel(Object.values(ctx.state.iamRoles), b.label);
      const r: IamRoleRecord = {
        id: newId(PREFIX.role),
        label: b.label,
        description: b.description,
        permissions: [...new Set(b.permissions)].map((type) => ({
          type,
          created: ctx.now,
          lastUpdated: ctx.now,
        })),
        created: ctx.now,
        lastUpdated: ctx.now,
      };
      ctx.state.iamRoles[r.id] = r;
      return ok(renderRole(r, ctx.baseUrl));
    },
  ],
  ["GET", "/api/v1/iam/roles/{roleIdOrLabel}", (ctx) => ok(renderRole(role(ctx), ctx.baseUrl))],
  [
    "PUT",
    "/api/v1/iam/roles/{roleIdOrLabel}",
    (ctx) => {
      const r = role(ctx);
      const b = parseBody(updateRoleBody, ctx.body);
      uniqueLabel(Object.values(ctx.state.iamRoles), b.label, r.id);
      Object.assign(r, { label: b.label, description: b.description, lastUpdated: ctx.now });
      return ok(renderRole(r, ctx.baseUrl));
    },
  ],
  [
    "DELETE",
    "/api/v1/iam/roles/{roleIdOrLabel}",
    (ctx) => {
      const r = role(ctx);
      if (allRoleAssignments(ctx.state).some((a) => a.role === r.id)) {
        throw errors.forbidden("The role is assigned; unassign it before deleting it.");
      }
      delete ctx.state.iamRoles[r.id];
      return noContent();
    },
  ],
  [
    "GET",
    "/api/v1/iam/roles/{roleIdOrLabel}/permissions",
    (ctx) => {
      const r = role(ctx);
      return ok({ permissions: r.permissions.map((p) => renderPermission(r, p, ctx.baseUrl)) });
    },
  ],
  [
    "GET",
    "/api/v1/iam/roles/{roleIdOrLabel}/permissions/{permissionType}",
    (ctx) => {
      const { r, p } = permissionOf(ctx);
      return ok(renderPermission(r, p, ctx.baseUrl));
    },
  ],
  [
    "POST",
    "/api/v1/iam/roles/{roleIdOrLabel}/permissions/{permissionType}",
    (ctx) => {
      const r = role(ctx);
      const type = ctx.params.permissionType ?? "";
      const parsed = permission.safeParse(type);
      if (!parsed.success)
        throw errors.validation(
          [`permissionType: ${type} is not an Okta permission`],
          "permissionType",
        );
      const b =
        ctx.body === undefined
          ? {}
          : parseBody(
              z.object({ conditions: z.record(z.string(), z.unknown()).optional() }),
              ctx.body,
            );
      if (r.permissions.some((p) => p.type === type)) {
        throw errors.validation([`permissionType: the role already has ${type}`], "permissionType");
      }
      r.permissions.push({
        type,
        created: ctx.now,
        lastUpdated: ctx.now,
        ...(b.conditions ? { conditions: b.conditions } : {}),
      });
      r.lastUpdated = ctx.now;
      return noContent();
    },
  ],
  [
    "DELETE",
    "/api/v1/iam/roles/{roleIdOrLabel}/permissions/{permissionType}",
    (ctx) => {
      const { r, p } = permissionOf(ctx);
      r.permissions = r.permissions.filter((x) => x !== p);
      r.lastUpdated = ctx.now;
      return noContent();
    },
  ],
];

// --- resource sets ---------------------------------------------------------------------------------

/** An ORN, or the absolute REST URL of users, groups or apps (one, or all of a kind). */
function resourceValue(base: string) {
  return z.string().refine((v) => {
    if (v.startsWith("orn:okta:")) return true;
    try {
      const u = new URL(v);
      return (
        u.origin === new URL(base).origin &&
        /^\/api\/v1\/(users|groups|apps)(\/[^/]+(\/users)?)?$/.test(u.pathname)
      );
    } catch {
      return false;
    }
  }, "a resource is an ORN or the org URL of users, groups or apps");
}

function addResources(set: ResourceSetRecord, values: string[], now: string): void {
  const have = new Set(set.resources.map((r) => r.value));
  const fresh = [...new Set(values)].filter((v) => !have.has(v));
  if (set.resources.length + fresh.length > MAX_RESOURCES) {
    throw errors.validation(
      [`resources: a resource set holds at most ${MAX_RESOURCES} resources`],
      "resources",
    );
  }
  for (const value of fresh)
    set.resources.push({ id: newId(PREFIX.resource), value, created: now, lastUpdated: now });
}

function renderSet(s: ResourceSetRecord, base: string) {
  const self = `${base}/api/v1/iam/resource-sets/${s.id}`;
  return {
    id: s.id,
    label: s.label,
    description: s.description,
    created: s.created,
    lastUpdated: s.lastUpdated,
    _links: {
      self: { href: self },
      resources: { href: `${self}/resources` },
      bindings: { href: `${self}/bindings` },
    },
  };
}

function renderResource(r: ResourceRecord) {
  const isOrn = r.value.startsWith("orn:");
  return {
    id: r.id,
    ...(isOrn ? { orn: r.value } : {}),
    created: r.created,
    lastUpdated: r.lastUpdated,
    _links: isOrn ? {} : { self: { href: r.value } },
  };
}

function resourceSet(ctx: Ctx): ResourceSetRecord {
  const s = findResourceSet(ctx.state, ctx.params.resourceSetId);
  if (!s) throw errors.notFound(ctx.params.resourceSetId ?? "", "ResourceSet");
  return s;
}

const setRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/iam/resource-sets",
    (ctx) => {
      const page = pageOf(byCreation(Object.values(ctx.state.resourceSets)), ctx, PAGE);
      return ok({
        "resource-sets": page.items.map((s) => renderSet(s, ctx.baseUrl)),
        _links: nextHref(ctx, page.next),
      });
    },
  ],
  [
    "POST",
    "/api/v1/iam/resource-sets",
    (ctx) => {
      const b = parseBody(
        z.object({
          label: z.string().trim().min(1),
          description: z.string().min(1),
          resources: z.array(resourceValue(ctx.baseUrl)).min(1).max(MAX_RESOURCES),
        }),
        ctx.body,
      );
      uniqueLabel(Object.values(ctx.state.resourceSets), b.label);
      const s: ResourceSetRecord = {
        id: newId(PREFIX.resourceSet),
        label: b.label,
        description: b.description,
        resources: [],
        created: ctx.now,
        lastUpdated: ctx.now,
      };
      addResources(s, b.resources, ctx.now);
      ctx.state.resourceSets[s.id] = s;
      return ok(renderSet(s, ctx.baseUrl));
    },
  ],
  [
    "GET",
    "/api/v1/iam/resource-sets/{resourceSetId}",
    (ctx) => ok(renderSet(resourceSet(ctx), ctx.baseUrl)),
  ],
  [
    "PUT",
    "/api/v1/iam/resource-sets/{resourceSetId}",
    (ctx) => {
      const s = resourceSet(ctx);
      const b = parseBody(
        z.object({ label: z.string().trim().min(1), description: z.string().min(1) }),
        ctx.body,
      );
      uniqueLabel(Object.values(ctx.state.resourceSets), b.label, s.id);
      Object.assign(s, { label: b.label, description: b.description, lastUpdated: ctx.now });
      return ok(renderSet(s, ctx.baseUrl));
    },
  ],
  [
    "DELETE",
    "/api/v1/iam/resource-sets/{resourceSetId}",
    (ctx) => {
      const s = resourceSet(ctx);
      if (allRoleAssignments(ctx.state).some((a) => a.resourceSet === s.id)) {
        throw errors.forbidden(
          "The resource set is used by a role assignment; unassign it before deleting it.",
        );
      }
      delete ctx.state.resourceSets[s.id];
      return noContent();
    },
  ],
  [
    "GET",
    "/api/v1/iam/resource-sets/{resourceSetId}/resources",
    (ctx) => {
      const s = resourceSet(ctx);
      const page = pageOf(s.resources, ctx, PAGE);
      return ok({ resources: page.items.map(renderResource), _links: nextHref(ctx, page.next) });
    },
  ],
  [
    "PATCH",
    "/api/v1/iam/resource-sets/{resourceSetId}/resources",
    (ctx) => {
      const s = resourceSet(ctx);
      const b = parseBody(
        z.object({ additions: z.array(resourceValue(ctx.baseUrl)).min(1) }),
        ctx.body,
      );
      addResources(s, b.additions, ctx.now);
      s.lastUpdated = ctx.now;
      return ok(renderSet(s, ctx.baseUrl));
    },
  ],
  [
    "DELETE",
    "/api/v1/iam/resource-sets/{resourceSetId}/resources/{resourceId}",
    (ctx) => {
      const s = resourceSet(ctx);
      const r = s.resources.find((x) => x.id === ctx.params.resourceId);
      if (!r) throw errors.notFound(ctx.params.resourceId ?? "", "Resource");
      s.resources = s.resources.filter((x) => x !== r);
      s.lastUpdated = ctx.now;
      return noContent();
    },
  ],
];

// --- bindings: who holds a custom role on a resource set ------------------------------------------
// Read-only views of the role assignments (of clients, users and groups) that name a resource
// set: Okta's listBindings (one entry per custom role) and listMembersOfBinding (one member per
// holder, its `_links.self` the holder's URL). What `okta-gitops` reads to know whether a role or
// resource set is in use by anyone else before it adopts one.

interface Holder {
  /** The assignment's id (the binding member's id). */
  id: string;
  role: string;
  /** The holder's URL: a user, a group or an OAuth client. */
  href: string;
  created: string;
  lastUpdated: string;
}

function holdersOf(ctx: Ctx, setId: string, roleId?: string): Holder[] {
  const base = ctx.baseUrl;
  const all: (RoleAssignmentFields & { href: string })[] = [
    ...Object.values(ctx.state.userRoles).map((r) => ({
      ...r,
      href: `${base}/api/v1/users/${r.userId}`,
    })),
    ...Object.values(ctx.state.groupRoles).map((r) => ({
      ...r,
      href: `${base}/api/v1/groups/${r.groupId}`,
    })),
    ...Object.values(ctx.state.clientRoles).map((r) => ({
      ...r,
      href: `${base}/oauth2/v1/clients/${r.clientId}`,
    })),
  ];
  return byCreation(
    all
      .filter((r) => r.resourceSet === setId && r.role && (!roleId || r.role === roleId))
      .map((r) => ({
        id: r.id,
        role: r.role!,
        href: r.href,
        created: r.created,
        lastUpdated: r.lastUpdated,
      })),
  );
}

const bindingRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/iam/resource-sets/{resourceSetId}/bindings",
    (ctx) => {
      const s = resourceSet(ctx);
      const self = `${ctx.baseUrl}/api/v1/iam/resource-sets/${s.id}`;
      const roles = [...new Set(holdersOf(ctx, s.id).map((h) => h.role))].sort();
      const page = pageOf(
        roles.map((id) => ({ id })),
        ctx,
        PAGE,
      );
      return ok({
        roles: page.items.map(({ id }) => ({
          id,
          _links: {
            self: { href: `${ctx.baseUrl}/api/v1/iam/roles/${id}` },
            members: { href: `${self}/bindings/${id}/members` },
          },
        })),
        _links: {
          self: { href: `${self}/bindings` },
          "resource-set": { href: self },
          ...nextHref(ctx, page.next),
        },
      });
    },
  ],
  [
    "GET",
    "/api/v1/iam/resource-sets/{resourceSetId}/bindings/{roleIdOrLabel}/members",
    (ctx) => {
      const s = resourceSet(ctx);
      const r = role(ctx);
      const binding = `${ctx.baseUrl}/api/v1/iam/resource-sets/${s.id}/bindings/${r.id}`;
      const holders = holdersOf(ctx, s.id, r.id);
      if (!holders.length) throw errors.notFound(r.id, "Binding");
      const page = pageOf(holders, ctx, PAGE);
      return ok({
        members: page.items.map((h) => ({
          id: h.id,
          created: h.created,
          lastUpdated: h.lastUpdated,
          _links: { self: { href: h.href } },
        })),
        _links: {
          self: { href: `${binding}/members` },
          binding: { href: binding },
          ...nextHref(ctx, page.next),
        },
      });
    },
  ],
];

export const iamRoutes = [...roleRoutes, ...setRoutes, ...bindingRoutes];
