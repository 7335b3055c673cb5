// Admin roles assigned to an OAuth client: a standard role by type, or CUSTOM with a custom role and
// a resource set. The wire name is "resource-set" (the SDK's field is resource_set).
import { z } from "zod";
import { noContent, ok, type Ctx, type Handler } from "../context.js";
import { errors, OktaError } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation } from "../paging.js";
import type { ClientRoleRecord } from "../store.js";
import { parseBody } from "../validate.js";
import { getApp } from "./apps.js";
import { findResourceSet, findRole } from "./iam.js";

export const STANDARD_ROLES: Record<string, string> = {
  SUPER_ADMIN: "Super Administrator",
  ORG_ADMIN: "Organizational Administrator",
  APP_ADMIN: "Application Administrator",
  USER_ADMIN: "Group Administrator",
  HELP_DESK_ADMIN: "Help Desk Administrator",
  READ_ONLY_ADMIN: "Read Only Administrator",
  MOBILE_ADMIN: "Mobile Administrator",
  API_ACCESS_MANAGEMENT_ADMIN: "API Access Management Administrator",
  REPORT_ADMIN: "Report Administrator",
  GROUP_MEMBERSHIP_ADMIN: "Group Membership Administrator",
};

const standard = z.object({
  type: z.enum(Object.keys(STANDARD_ROLES) as [string, ...string[]]),
});
const custom = z.object({
  type: z.literal("CUSTOM"),
  role: z.string().min(1),
  "resource-set": z.string().min(1),
});
const assignment = z.union([custom, standard], {
  message: "type: a standard role type, or CUSTOM with role and resource-set",
});

function render(r: ClientRoleRecord, ctx: Ctx): Record<string, unknown> {
  const assignee = { href: `${ctx.baseUrl}/oauth2/v1/clients/${r.clientId}` };
  const common = {
    id: r.id,
    type: r.type,
    status: "ACTIVE",
    created: r.created,
    lastUpdated: r.lastUpdated,
    assignmentType: "CLIENT",
  };
  if (r.type !== "CUSTOM")
    return { ...common, label: STANDARD_ROLES[r.type] ?? r.type, _links: { assignee } };
  const role = r.role ? ctx.state.iamRoles[r.role] : undefined;
  return {
    ...common,
    label: role?.label ?? r.role,
    role: r.role,
    "resource-set": r.resourceSet,
    _links: {
      assignee,
      role: { href: `${ctx.baseUrl}/api/v1/iam/roles/${r.role}` },
      "resource-set": { href: `${ctx.baseUrl}/api/v1/iam/resource-sets/${r.resourceSet}` },
    },
  };
}

function assign(ctx: Ctx) {
  const app = getApp(ctx.state, ctx.params.clientId);
  const b = parseBody(assignment, ctx.body);
  const record: ClientRoleRecord = {
    id: newId(PREFIX.roleAssignment),
    clientId: app.id,
    type: b.type,
    created: ctx.now,
    lastUpdated: ctx.now,
  };
  if ("role" in b) {
    const role = findRole(ctx.state, b.role);
    const set = findResourceSet(ctx.state, b["resource-set"]);
    if (!role) throw errors.validation([`role: custom role ${b.role} does not exist`], "role");
    if (!set)
      throw errors.validation(
        [`resource-set: resource set ${b["resource-set"]} does not exist`],
        "resource-set",
      );
    record.role = role.id;
    record.resourceSet = set.id;
  }
  const same = Object.values(ctx.state.clientRoles).find(
    (r) =>
      r.clientId === app.id &&
      r.type === record.type &&
      r.role === record.role &&
      r.resourceSet === record.resourceSet,
  );
  if (same) throw new OktaError(409, "E0000090", "Duplicate role assignment exception.");
  ctx.state.clientRoles[record.id] = record;
  return ok(render(record, ctx));
}

function getAssignment(ctx: Ctx): ClientRoleRecord {
  const app = getApp(ctx.state, ctx.params.clientId);
  const r = ctx.state.clientRoles[ctx.params.roleAssignmentId ?? ""];
  if (!r || r.clientId !== app.id)
    throw errors.notFound(ctx.params.roleAssignmentId ?? "", "RoleAssignment");
  return r;
}

export const clientRoleRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/oauth2/v1/clients/{clientId}/roles",
    (ctx) => {
      const app = getApp(ctx.state, ctx.params.clientId);
      const all = byCreation(
        Object.values(ctx.state.clientRoles).filter((r) => r.clientId === app.id),
      );
      return ok(all.map((r) => render(r, ctx)));
    },
  ],
  ["POST", "/oauth2/v1/clients/{clientId}/roles", assign],
  [
    "GET",
    "/oauth2/v1/clients/{clientId}/roles/{roleAssignmentId}",
    (ctx) => ok(render(getAssignment(ctx), ctx)),
  ],
  [
    "DELETE",
    "/oauth2/v1/clients/{clientId}/roles/{roleAssignmentId}",
    (ctx) => {
      delete ctx.state.clientRoles[getAssignment(ctx).id];
      return noContent();
    },
  ],
];
