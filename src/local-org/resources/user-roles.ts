// Admin roles assigned to a user (the service account of an API token exception): the same
// assignments as a client's (role-assignments.ts), answered as the spec's assignRoleToUser and
// listAssignedRolesForUser describe: 201 on assignment, assignmentType USER, the id as {roleId}.
// The list also holds the roles of the user's groups, with assignmentType GROUP, as Okta's does.
import { errors } from "../errors.js";
import type { UserRoleRecord } from "../store.js";
import { findUser } from "./directory.js";
import { groupHeldRoles } from "./group-roles.js";
import { roleAssignmentRoutes } from "./role-assignments.js";

export const userRoleRoutes = roleAssignmentRoutes<UserRoleRecord>({
  base: "/api/v1/users/{userId}/roles",
  idParam: "roleId",
  assignmentType: "USER",
  createdStatus: 201,
  holder: (ctx) => {
    const user = findUser(ctx.state, ctx.params.userId);
    if (!user) throw errors.notFound(ctx.params.userId ?? "", "User");
    return user.id;
  },
  href: (ctx, userId) => `${ctx.baseUrl}/api/v1/users/${userId}`,
  collection: (state) => state.userRoles,
  holderOf: (r) => r.userId,
  record: (userId, fields) => ({ ...fields, userId }),
  inherited: groupHeldRoles,
});
