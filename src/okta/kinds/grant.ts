// Scope grants of an app: one per OAuth 2.0 scope, read per app (Okta does not list them across
// apps); revoked grants are history, not grants.
import { z } from "zod";
import { need } from "../refs.js";
import { ignore404, type OktaTransport } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";

export const RawGrant = z.looseObject({
  id: z.string(),
  scopeId: z.string(),
  status: z.string().optional(),
});
export type RawGrant = z.infer<typeof RawGrant>;

/** The app's grants in force. */
export async function readGrants(t: OktaTransport, appId: string): Promise<RawGrant[]> {
  return (await t.getArray(RawGrant, `/api/v1/apps/${appId}/grants`)).filter(
    (g) => g.status !== "REVOKED",
  );
}

export const grantWriter: KindWriter = {
  async execute(t, op, action, refs) {
    const appId = () => need(refs, `app:${op.integration}`);
    switch (action) {
      case "create": {
        const { scope } = op.after as { scope: string };
        const res = await t.call<{ id: string }>("POST", `/api/v1/apps/${appId()}/grants`, {
          issuer: t.orgUrl,
          scopeId: scope,
        });
        return res.json.id;
      }
      case "delete":
        await t.call("DELETE", `/api/v1/apps/${appId()}/grants/${op.target?.id}`).catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
  async findCreated(t, op, refs) {
    const after = op.after as { scope?: unknown };
    const grants = await t.getArray(
      RawGrant,
      `/api/v1/apps/${need(refs, `app:${op.integration}`)}/grants`,
    );
    return grants.find((g) => g.scopeId === after.scope)?.id;
  },
};
