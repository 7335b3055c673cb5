// IP network zones: gateways as CIDR blocks or ranges (at most 150), lifecycle, and the guard that
// an ACTIVE zone, or one that an app, API token or policy rule uses, cannot be deleted.
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { noContent, ok, type Ctx, type Handler } from "../context.js";
import { errors, OktaError } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation, linkHeader, pageOf, parseFilter } from "../paging.js";
import type { OrgState, ZoneRecord } from "../store.js";
import { parseBody } from "../validate.js";

export const MAX_GATEWAYS = 150;

function validAddress(type: "CIDR" | "RANGE", value: string): boolean {
  try {
    if (type === "CIDR") {
      ipaddr.parseCIDR(value);
      return true;
    }
    const [a, b, ...rest] = value.split("-");
    if (!a || !b || rest.length) return false;
    const start = ipaddr.parse(a.trim());
    const end = ipaddr.parse(b.trim());
    if (start.kind() !== end.kind()) return false;
    const n = (x: ipaddr.IPv4 | ipaddr.IPv6) =>
      BigInt(`0x${Buffer.from(x.toByteArray()).toString("hex")}`);
    return n(start) <= n(end);
  } catch {
    return false;
  }
}

const address = z
  .object({ type: z.enum(["CIDR", "RANGE"]), value: z.string() })
  .refine((a) => validAddress(a.type, a.value), {
    message: "not a valid IP address block",
    path: ["value"],
  });

const zoneBody = z.object({
  type: z.literal("IP", { message: "the local org serves IP zones only" }),
  name: z.string().trim().min(1).max(128),
  status: z.enum(["ACTIVE", "INACTIVE"]).optional(),
  usage: z.enum(["POLICY", "BLOCKLIST"]).optional(),
  gateways: z.array(address).max(MAX_GATEWAYS, `at most ${MAX_GATEWAYS} gateways`).nullish(),
  proxies: z.array(address).max(MAX_GATEWAYS, `at most ${MAX_GATEWAYS} proxies`).nullish(),
});

export function zoneInUse(state: OrgState, id: string): boolean {
  const refers = (n?: { include?: string[]; exclude?: string[] } | null) =>
    !!n && (n.include?.includes(id) || n.exclude?.includes(id));
  return (
    Object.values(state.apps).some((a) => refers(a.network)) ||
    Object.values(state.apiTokens).some((t) => refers(t.network)) ||
    Object.values(state.policyRules).some((r) =>
      refers((r.conditions as { network?: { include?: string[] } } | null)?.network),
    )
  );
}

function render(z: ZoneRecord, base: string) {
  const self = `${base}/api/v1/zones/${z.id}`;
  const next = z.status === "ACTIVE" ? "deactivate" : "activate";
  return {
    type: z.type,
    id: z.id,
    name: z.name,
    status: z.status,
    usage: z.usage,
    created: z.created,
    lastUpdated: z.lastUpdated,
    system: false,
    gateways: z.gateways,
    proxies: z.proxies,
    _links: {
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
      [next]: { href: `${self}/lifecycle/${next}`, hints: { allow: ["POST"] } },
    },
  };
}

function zone(ctx: Ctx): ZoneRecord {
  const z = ctx.state.zones[ctx.params.zoneId ?? ""];
  if (!z) throw errors.notFound(ctx.params.zoneId ?? "", "Zone");
  return z;
}

function uniqueName(state: OrgState, name: string, self?: string) {
  if (Object.values(state.zones).some((z) => z.name === name && z.id !== self)) {
    throw errors.validation([`name: a network zone named '${name}' already exists`], "name");
  }
}

const lifecycle =
  (status: "ACTIVE" | "INACTIVE"): Handler =>
  (ctx) => {
    const z = zone(ctx);
    if (z.status !== status) Object.assign(z, { status, lastUpdated: ctx.now });
    return ok(render(z, ctx.baseUrl));
  };

export const zoneRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/zones",
    (ctx) => {
      let all = byCreation(Object.values(ctx.state.zones));
      const filter = ctx.query.get("filter");
      if (filter) {
        const match = parseFilter(filter, ["id", "usage", "status", "name"]);
        all = all.filter((z) => match((f) => (z as unknown as Record<string, unknown>)[f]));
      }
      const page = pageOf(all, ctx, { defaultLimit: 200, maxLimit: 200 });
      return ok(
        page.items.map((z) => render(z, ctx.baseUrl)),
        linkHeader(ctx, page.next),
      );
    },
  ],
  [
    "POST",
    "/api/v1/zones",
    (ctx) => {
      const b = parseBody(zoneBody, ctx.body);
      uniqueName(ctx.state, b.name);
      const z: ZoneRecord = {
        id: newId(PREFIX.zone),
        name: b.name,
        type: "IP",
        status: b.status ?? "ACTIVE",
        usage: b.usage ?? "POLICY",
        gateways: b.gateways ?? [],
        proxies: b.proxies ?? null,
        created: ctx.now,
        lastUpdated: ctx.now,
      };
      ctx.state.zones[z.id] = z;
      return ok(render(z, ctx.baseUrl));
    },
  ],
  ["GET", "/api/v1/zones/{zoneId}", (ctx) => ok(render(zone(ctx), ctx.baseUrl))],
  [
    "PUT",
    "/api/v1/zones/{zoneId}",
    (ctx) => {
      const z = zone(ctx);
      const b = parseBody(zoneBody, ctx.body);
      uniqueName(ctx.state, b.name, z.id);
      Object.assign(z, {
        name: b.name,
        usage: b.usage ?? z.usage,
        gateways: b.gateways ?? [],
        proxies: b.proxies ?? null,
        lastUpdated: ctx.now,
      });
      return ok(render(z, ctx.baseUrl));
    },
  ],
  [
    "DELETE",
    "/api/v1/zones/{zoneId}",
    (ctx) => {
      const z = zone(ctx);
      if (z.status === "ACTIVE") {
        throw new OktaError(
          403,
          "E0000006",
          "You do not have permission to perform the requested action",
          ["An ACTIVE network zone cannot be deleted; deactivate it first"],
        );
      }
      if (zoneInUse(ctx.state, z.id)) {
        throw new OktaError(
          403,
          "E0000006",
          "You do not have permission to perform the requested action",
          ["The network zone is in use by an app, an API token or a policy rule"],
        );
      }
      delete ctx.state.zones[z.id];
      return noContent();
    },
  ],
  ["POST", "/api/v1/zones/{zoneId}/lifecycle/activate", lifecycle("ACTIVE")],
  ["POST", "/api/v1/zones/{zoneId}/lifecycle/deactivate", lifecycle("INACTIVE")],
];
