// Admin roles assigned to an OAuth client: a standard role by type, or CUSTOM with a custom role and
// a resource set (the shared rules are in role-assignments.ts).
import type { ClientRoleRecord } from "../store.js";
import { getApp } from "./apps.js";
import { roleAssignmentRoutes } from "./role-assignments.js";

export { STANDARD_ROLES } from "./role-assignments.js";

export const clientRoleRoutes = roleAssignmentRoutes<ClientRoleRecord>({
  base: "/oauth2/v1/clients/{clientId}/roles",
  idParam: "roleAssignmentId",
  assignmentType: "CLIENT",
  createdStatus: 200,
  holder: (ctx) => getApp(ctx.state, ctx.params.clientId).id,
  href: (ctx, clientId) => `${ctx.baseUrl}/oauth2/v1/clients/${clientId}`,
  collection: (state) => state.clientRoles,
  holderOf: (r) => r.clientId,
  record: (clientId, fields) => ({ ...fields, clientId }),
});
