// Custom admin roles: owned when the description carries the bot's marker; their permissions are
// read per role.
import { z } from "zod";
import type { CustomRoleState } from "../../reconcile/model.js";
import { enc, ignore404, ignoreExisting, type OktaTransport, type Raw } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";

/** A custom role or a resource set as IAM lists them (both carry a label and a description). */
export const RawIamObject = z.looseObject({
  id: z.string(),
  label: z.string(),
  description: z.string().nullish(),
});
export type RawIamObject = z.infer<typeof RawIamObject>;
const RawPermissions = z.looseObject({
  permissions: z.array(z.looseObject({ label: z.string() })),
});

export async function readPermissions(t: OktaTransport, roleId: string): Promise<string[]> {
  const { json } = await t.call("GET", `/api/v1/iam/roles/${roleId}/permissions`);
  return RawPermissions.parse(json).permissions.map((p) => p.label);
}

/** A custom role or resource set created under `label` whose answer was lost: found by label, and
 * taken as ours only if the description is the one the create sent. */
export async function findIamByLabel(
  t: OktaTransport,
  path: "roles" | "resource-sets",
  after: Raw,
): Promise<string | undefined> {
  const r = await t.getOptional(RawIamObject, `/api/v1/iam/${path}/${enc(String(after.label))}`);
  return r && r.description === after.description ? r.id : undefined;
}

export const customRoleWriter: KindWriter = {
  async execute(t, op, action) {
    const id = op.target?.id;
    switch (action) {
      case "create": {
        const r = op.after as CustomRoleState;
        return (await t.call<{ id: string }>("POST", "/api/v1/iam/roles", r)).json.id;
      }
      case "update": {
        const before = op.before as CustomRoleState;
        const after = op.after as CustomRoleState;
        if (before.label !== after.label || before.description !== after.description)
          await t.call("PUT", `/api/v1/iam/roles/${id}`, {
            label: after.label,
            description: after.description,
          });
        for (const p of after.permissions.filter((x) => !before.permissions.includes(x)))
          await t
            .call("POST", `/api/v1/iam/roles/${id}/permissions/${p}`, {})
            .catch(ignoreExisting);
        for (const p of before.permissions.filter((x) => !after.permissions.includes(x)))
          await t.call("DELETE", `/api/v1/iam/roles/${id}/permissions/${p}`).catch(ignore404);
        return undefined;
      }
      case "delete":
        await t.call("DELETE", `/api/v1/iam/roles/${id}`).catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
  findCreated: (t, op) => findIamByLabel(t, "roles", op.after as Raw),
};
