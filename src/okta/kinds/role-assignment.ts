// Admin role assignments: of an app's client (/oauth2/v1/clients/{clientId}/roles) or of the
// service account of an API token exception (/api/v1/users/{userId}/roles); the same operations
// serve both.
import { z } from "zod";
import type { Refs } from "../../reconcile/apply.js";
import type { Operation, RoleAssignmentState } from "../../reconcile/model.js";
import { need } from "../refs.js";
import { ignore404 } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";

export const RawRoleAssignment = z.looseObject({
  id: z.string(),
  type: z.string(),
  role: z.string().optional(),
  "resource-set": z.string().optional(),
  /** USER, GROUP (held through a group: not the user's own) or CLIENT. */
  assignmentType: z.string().optional(),
  _links: z.looseObject({ assignee: z.looseObject({ href: z.string() }).optional() }).optional(),
});
export type RawRoleAssignment = z.infer<typeof RawRoleAssignment>;

/** A role a user holds through a group is the group's: unassigning it from the user fails. */
export const heldThroughGroup = (r: RawRoleAssignment) => r.assignmentType === "GROUP";

/** A role assignment in the plan's terms: custom roles and resource sets by label where known. */
export function roleState(
  r: RawRoleAssignment,
  roles: Map<string, string>,
  sets: Map<string, string>,
): RoleAssignmentState {
  if (r.type !== "CUSTOM") return { type: r.type };
  return {
    type: "CUSTOM",
    role: roles.get(r.role ?? "") ?? `id:${r.role}`,
    resourceSet: sets.get(r["resource-set"] ?? "") ?? `id:${r["resource-set"]}`,
  };
}

/** Where an integration's admin role assignments are: its app's client, or the service account of
 * its API token (Okta's /api/v1/users/{userId}/roles). */
function rolesPath(op: Operation, refs: Refs): string {
  return op.assignee === "serviceAccount"
    ? `/api/v1/users/${need(refs, `serviceAccount:${op.integration}`)}/roles`
    : `/oauth2/v1/clients/${need(refs, `app:${op.integration}`)}/roles`;
}

export const roleAssignmentWriter: KindWriter = {
  async execute(t, op, action, refs) {
    const id = op.target?.id;
    switch (action) {
      case "create":
      case "update": {
        const roles = rolesPath(op, refs);
        // Okta cannot change an assignment: an update is an unassign, then an assign.
        if (action === "update") await t.call("DELETE", `${roles}/${id}`).catch(ignore404);
        const role = op.after as RoleAssignmentState;
        const body =
          "role" in role
            ? {
                type: "CUSTOM",
                role: need(refs, `customRole:${role.role}`),
                "resource-set": need(refs, `resourceSet:${role.resourceSet}`),
              }
            : { type: role.type };
        return (await t.call<{ id: string }>("POST", roles, body)).json.id;
      }
      case "delete":
        await t.call("DELETE", `${rolesPath(op, refs)}/${id}`).catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
  async findCreated(t, op, refs) {
    const roles = await t.getArray(RawRoleAssignment, rolesPath(op, refs));
    const role = op.after as RoleAssignmentState;
    const match = roles.find((r) =>
      "role" in role
        ? r.type === "CUSTOM" &&
          r.role === refs.get(`customRole:${role.role}`) &&
          r["resource-set"] === refs.get(`resourceSet:${role.resourceSet}`)
        : r.type === role.type,
    );
    return match?.id;
  },
};
