// Admin role assignments, whoever holds them: an OAuth client (/oauth2/v1/clients/{clientId}/roles),
// a user (/api/v1/users/{userId}/roles) or a group (/api/v1/groups/{groupId}/roles). Both take a standard role by type, or CUSTOM with a
// custom role and a resource set, and validate and refuse alike; only the assignee, the collection
// of the state and a few wire details (the POST status, assignmentType) differ. The wire name is
// "resource-set" (the SDK's field is resource_set).
import { z } from "zod";
import { OKTA_STANDARD_ROLES } from "../../okta-facts/catalogue.generated.js";
import { created, noContent, ok, type Ctx, type Handler, type Reply } from "../context.js";
import { errors, OktaError } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation } from "../paging.js";
import type { OrgState, RoleAssignmentFields } from "../store.js";
import { parseBody } from "../validate.js";
import { findResourceSet, findRole } from "./iam.js";

/** The standard roles of the spec's StandardRoleAssignmentSchema, with the labels Okta shows. */
export const STANDARD_ROLES: Record<(typeof OKTA_STANDARD_ROLES)[number], string> = {
  ACCESS_CERTIFICATIONS_ADMIN: "Access Certifications Administrator",
  ACCESS_REQUESTS_ADMIN: "Access Requests Administrator",
  API_ACCESS_MANAGEMENT_ADMIN: "API Access Management Administrator",
  APP_ADMIN: "Application Administrator",
  GROUP_MEMBERSHIP_ADMIN: "Group Membership Administrator",
  HELP_DESK_ADMIN: "Help Desk Administrator",
  ORG_ADMIN: "Organizational Administrator",
  READ_ONLY_ADMIN: "Read Only Administrator",
  REPORT_ADMIN: "Report Administrator",
  SUPER_ADMIN: "Super Administrator",
  USER_ADMIN: "Group Administrator",
  WORKFLOWS_ADMIN: "Workflows Administrator",
};

const standard = z.object({ type: z.enum(OKTA_STANDARD_ROLES) });
const custom = z.object({
  type: z.literal("CUSTOM"),
  role: z.string().min(1),
  "resource-set": z.string().min(1),
});
const assignment = z.union([custom, standard], {
  message: "type: a standard role type, or CUSTOM with role and resource-set",
});

/** Who holds the assignments of one family of routes. */
export interface Assignee<R extends RoleAssignmentFields> {
  /** The route prefix, e.g. /api/v1/users/{userId}/roles. */
  base: string;
  /** The name of the assignment id in the spec's path template (roleAssignmentId, roleId). */
  idParam: string;
  assignmentType: "CLIENT" | "USER" | "GROUP";
  /** Okta answers 200 to a client's POST and 201 to a user's, as the spec documents. */
  createdStatus: 200 | 201;
  /** The holder's id, from the request; throws Okta's 404 when there is none. */
  holder(ctx: Ctx): string;
  /** The holder's URL, for _links.assignee. */
  href(ctx: Ctx, holderId: string): string;
  collection(state: OrgState): Record<string, R>;
  holderOf(r: R): string;
  record(holderId: string, fields: RoleAssignmentFields): R;
  /** Roles the holder has through others, listed after its own (a user's through its groups,
   * which Okta lists with assignmentType GROUP). */
  inherited?(ctx: Ctx, holderId: string): Record<string, unknown>[];
}

export function render<R extends RoleAssignmentFields>(
  a: Assignee<R>,
  r: R,
  ctx: Ctx,
): Record<string, unknown> {
  const assignee = { href: a.href(ctx, a.holderOf(r)) };
  const common = {
    id: r.id,
    type: r.type,
    status: "ACTIVE",
    created: r.created,
    lastUpdated: r.lastUpdated,
    assignmentType: a.assignmentType,
  };
  if (r.type !== "CUSTOM") {
    const label = (STANDARD_ROLES as Record<string, string>)[r.type] ?? r.type;
    return { ...common, label, _links: { assignee } };
  }
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

function assign<R extends RoleAssignmentFields>(a: Assignee<R>, ctx: Ctx): Reply {
  const holderId = a.holder(ctx);
  const b = parseBody(assignment, ctx.body);
  const fields: RoleAssignmentFields = {
    id: newId(PREFIX.roleAssignment),
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
    fields.role = role.id;
    fields.resourceSet = set.id;
  }
  const all = a.collection(ctx.state);
  const same = Object.values(all).find(
    (r) =>
      a.holderOf(r) === holderId &&
      r.type === fields.type &&
      r.role === fields.role &&
      r.resourceSet === fields.resourceSet,
  );
  if (same) throw new OktaError(409, "E0000090", "Duplicate role assignment exception.");
  const record = a.record(holderId, fields);
  all[record.id] = record;
  const body = render(a, record, ctx);
  return a.createdStatus === 201 ? created(body) : ok(body);
}

function find<R extends RoleAssignmentFields>(a: Assignee<R>, ctx: Ctx): R {
  const holderId = a.holder(ctx);
  const id = ctx.params[a.idParam] ?? "";
  const r = a.collection(ctx.state)[id];
  if (!r || a.holderOf(r) !== holderId) throw errors.notFound(id, "RoleAssignment");
  return r;
}

/** The list, assign, get and unassign routes of one kind of assignee. */
export function roleAssignmentRoutes<R extends RoleAssignmentFields>(
  a: Assignee<R>,
): [string, string, Handler][] {
  const one = `${a.base}/{${a.idParam}}`;
  return [
    [
      "GET",
      a.base,
      (ctx) => {
        const holderId = a.holder(ctx);
        const mine = Object.values(a.collection(ctx.state)).filter(
          (r) => a.holderOf(r) === holderId,
        );
        return ok([
          ...byCreation(mine).map((r) => render(a, r, ctx)),
          ...(a.inherited?.(ctx, holderId) ?? []),
        ]);
      },
    ],
    ["POST", a.base, (ctx) => assign(a, ctx)],
    ["GET", one, (ctx) => ok(render(a, find(a, ctx), ctx))],
    [
      "DELETE",
      one,
      (ctx) => {
        delete a.collection(ctx.state)[find(a, ctx).id];
        return noContent();
      },
    ],
  ];
}
