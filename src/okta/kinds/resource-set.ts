// Resource sets: what a custom role reaches. Owned when the description carries the bot's marker;
// their resources are read per set, and their bindings only when one is being adopted.
import { z } from "zod";
import type { ResourceSetState, Usage } from "../../reconcile/model.js";
import { canonicalResource, resourceUrl } from "../../reconcile/normalise.js";
import { ignore404, type OktaTransport, type Raw } from "../transport.js";
import { findIamByLabel } from "./custom-role.js";
import { unsupported, type KindWriter } from "./kind.js";

const RawResource = z.looseObject({
  id: z.string(),
  orn: z.string().optional(),
  _links: z.looseObject({ self: z.looseObject({ href: z.string() }).optional() }).optional(),
});
export const RawMember = z.looseObject({
  id: z.string(),
  _links: z.looseObject({ self: z.looseObject({ href: z.string() }).optional() }).optional(),
});

/** The set's resources in canonical form, each with its id in the set (for removing it). */
export async function readResources(
  t: OktaTransport,
  setId: string,
): Promise<Record<string, string>> {
  const resources = await t.listIam(
    RawResource,
    `/api/v1/iam/resource-sets/${setId}/resources`,
    "resources",
  );
  const resourceIds: Record<string, string> = {};
  for (const x of resources) {
    const ref = x.orn ?? x._links?.self?.href;
    if (ref) resourceIds[canonicalResource(ref)] = x.id;
  }
  return resourceIds;
}

/** A binding member by its URL: a user, a group or an OAuth client. Anything else stays a use
 * that no integration owns (so an adoption is refused, never allowed, on what cannot be read). */
export function memberUsage(href: string): Usage {
  const m = /\/(api\/v1\/users|api\/v1\/groups|oauth2\/v1\/clients)\/([^/?#]+)$/.exec(href);
  if (!m) return { kind: "client", id: href || "(unknown member)" };
  const kind = m[1] === "api/v1/users" ? "user" : m[1] === "api/v1/groups" ? "group" : "client";
  let id = m[2]!;
  try {
    id = decodeURIComponent(id);
  } catch {
    // A malformed escape: the id stays as written, and matches no integration's principal.
  }
  return { kind, id };
}

export const resourceSetWriter: KindWriter = {
  async execute(t, op, action) {
    const id = op.target?.id;
    switch (action) {
      case "create": {
        const s = op.after as ResourceSetState;
        const body = { ...s, resources: s.resources.map((r) => resourceUrl(t.orgUrl, r)) };
        return (await t.call<{ id: string }>("POST", "/api/v1/iam/resource-sets", body)).json.id;
      }
      case "update": {
        const before = op.before as ResourceSetState;
        const after = op.after as ResourceSetState;
        if (before.label !== after.label || before.description !== after.description)
          await t.call("PUT", `/api/v1/iam/resource-sets/${id}`, {
            label: after.label,
            description: after.description,
          });
        const additions = after.resources.filter((r) => !before.resources.includes(r));
        if (additions.length)
          await t.call(
            "PATCH",
            `/api/v1/iam/resource-sets/${id}/resources`,
            { additions: additions.map((r) => resourceUrl(t.orgUrl, r)) },
            { idempotent: true },
          );
        for (const r of before.resources.filter((x) => !after.resources.includes(x))) {
          const rid = op.target?.resourceIds?.[r];
          if (rid)
            await t
              .call("DELETE", `/api/v1/iam/resource-sets/${id}/resources/${rid}`)
              .catch(ignore404);
        }
        return undefined;
      }
      case "delete":
        await t.call("DELETE", `/api/v1/iam/resource-sets/${id}`).catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
  findCreated: (t, op) => findIamByLabel(t, "resource-sets", op.after as Raw),
};
