// Network zones: an integration's IP allow list (`okta-gitops/<name>`), or one it adopted.
import { z } from "zod";
import type { ZoneState } from "../../reconcile/model.js";
import { canonicalGateway, gatewayType, sortedUnique } from "../../reconcile/normalise.js";
import { ignore404, type Raw } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";

export const RawZone = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  status: z.string(),
  usage: z.string().optional(),
  gateways: z.array(z.looseObject({ type: z.string(), value: z.string() })).nullish(),
});
export type RawZone = z.infer<typeof RawZone>;

export const ZONES_PATH = `/api/v1/zones?limit=200`;

export function zoneState(z: RawZone): ZoneState {
  return {
    name: z.name,
    gateways: sortedUnique((z.gateways ?? []).map((g) => canonicalGateway(g.value))),
    status: z.status === "ACTIVE" ? "ACTIVE" : "INACTIVE",
  };
}

function zoneBody(z: ZoneState): Raw {
  return {
    type: "IP",
    name: z.name,
    status: z.status,
    gateways: z.gateways.map((value) => ({ type: gatewayType(value), value })),
  };
}

export const zoneWriter: KindWriter = {
  async execute(t, op, action) {
    const id = op.target?.id;
    switch (action) {
      case "create":
        return (
          await t.call<{ id: string }>("POST", "/api/v1/zones", zoneBody(op.after as ZoneState))
        ).json.id;
      case "update":
        await t.call("PUT", `/api/v1/zones/${id}`, zoneBody(op.after as ZoneState));
        return undefined;
      case "delete":
        await t
          .call("POST", `/api/v1/zones/${id}/lifecycle/deactivate`, undefined, {
            idempotent: true,
          })
          .catch(ignore404);
        await t.call("DELETE", `/api/v1/zones/${id}`).catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
  async findCreated(t, op) {
    const after = op.after as Raw;
    const zones = await t.list(RawZone, ZONES_PATH);
    return zones.find((z) => z.name === after.name)?.id;
  },
};
