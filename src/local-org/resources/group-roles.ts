// Admin roles assigned to a group: every member holds them. Answered as the spec's
// assignRoleToGroup, listGroupAssignedRoles, getGroupAssignedRole and unassignRoleFromGroup
// describe (200 with the assignment on POST, assignmentType GROUP, the id as {roleId}); a member's
// own role list (user-roles.ts) shows them too, with assignmentType GROUP and the group as assignee.
import { errors } from "../errors.js";
import type { Ctx } from "../context.js";
import type { GroupRoleRecord } from "../store.js";
import { render, roleAssignmentRoutes, type Assignee } from "./role-assignments.js";
import { byCreation } from "../paging.js";

export const groupRoleAssignee: Assignee<GroupRoleRecord> = {
  base: "/api/v1/groups/{groupId}/roles",
  idParam: "roleId",
  assignmentType: "GROUP",
  createdStatus: 200,
  holder: (ctx) => {
    const id = ctx.params.groupId ?? "";
    if (!ctx.state.groups[id]) throw errors.notFound(id, "Group");
    return id;
  },
  href: (ctx, groupId) => `${ctx.baseUrl}/api/v1/groups/${groupId}`,
  collection: (state) => state.groupRoles,
  holderOf: (r) => r.groupId,
  record: (groupId, fields) => ({ ...fields, groupId }),
};

export const groupRoleRoutes = roleAssignmentRoutes(groupRoleAssignee);

/** The roles a user holds through the groups it is a member of, as Okta lists them among the
 * user's roles. */
export function groupHeldRoles(ctx: Ctx, userId: string): Record<string, unknown>[] {
  const groups = new Set(
    Object.values(ctx.state.groups)
      .filter((g) => g.members.includes(userId))
      .map((g) => g.id),
  );
  const held = Object.values(ctx.state.groupRoles).filter((r) => groups.has(r.groupId));
  return byCreation(held).map((r) => render(groupRoleAssignee, r, ctx));
}
