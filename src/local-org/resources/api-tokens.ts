// API (SSWS) tokens. Okta cannot create them through the API, so the local org seeds them (see
// seedApiToken); the API lists, reads, upserts (name, user, network condition) and revokes them.
import { z } from "zod";
import { noContent, ok, type Ctx, type Handler } from "../context.js";
import { errors } from "../errors.js";
import { newId, newSecret, PREFIX } from "../ids.js";
import { byCreation } from "../paging.js";
import type { ApiTokenRecord, OrgState } from "../store.js";
import { parseBody } from "../validate.js";
import { sha256hex } from "../auth.js";

const network = z.object({
  connection: z.enum(["ANYWHERE", "ZONE"]),
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
});

const updateBody = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  userId: z.string().min(1).optional(),
  clientName: z.string().optional(),
  network: network.optional(),
});

export function renderApiToken(t: ApiTokenRecord, base: string) {
  return {
    id: t.id,
    name: t.name,
    userId: t.userId,
    clientName: t.clientName,
    created: t.created,
    lastUpdated: t.lastUpdated,
    expiresAt: t.expiresAt,
    network: t.network,
    _link: { self: { href: `${base}/api/v1/api-tokens/${t.id}` } },
  };
}

function token(ctx: Ctx): ApiTokenRecord {
  const t = ctx.state.apiTokens[ctx.params.apiTokenId ?? ""];
  if (!t) throw errors.notFound(ctx.params.apiTokenId ?? "", "ApiToken");
  return t;
}

function checkNetwork(state: OrgState, n: z.infer<typeof network> | undefined): void {
  if (!n) return;
  const missing = [...(n.include ?? []), ...(n.exclude ?? [])].filter((id) => !state.zones[id]);
  if (missing.length)
    throw errors.validation(
      missing.map((id) => `network: network zone ${id} does not exist`),
      "network",
    );
  if (n.connection === "ZONE" && !n.include?.length && !n.exclude?.length) {
    throw errors.validation(
      ["network.include: a ZONE connection needs at least one zone"],
      "network",
    );
  }
}

export interface SeededToken {
  id: string;
  /** The SSWS secret: shown once, as Okta does. */
  token: string;
}

/** Creates a token for `userId` as an admin would in the Admin Console. */
export function seedApiToken(
  state: OrgState,
  now: number,
  opts: {
    /** A given id (seeding from a file); a new one otherwise. */
    id?: string;
    name: string;
    userId: string;
    clientName?: string;
    network?: ApiTokenRecord["network"];
    ttlDays?: number;
  },
): SeededToken {
  if (!state.users[opts.userId]) throw new Error(`seedApiToken: no user ${opts.userId}`);
  if (opts.id && state.apiTokens[opts.id])
    throw new Error(`seedApiToken: token ${opts.id} already exists`);
  const secret = `00${newSecret(40)}`;
  const iso = new Date(now).toISOString();
  const t: ApiTokenRecord = {
    id: opts.id ?? newId(PREFIX.apiToken),
    name: opts.name,
    userId: opts.userId,
    clientName: opts.clientName ?? "Okta API",
    network: opts.network ?? { connection: "ANYWHERE" },
    secretHash: sha256hex(secret),
    created: iso,
    lastUpdated: iso,
    expiresAt: new Date(now + (opts.ttlDays ?? 30) * 86_400_000).toISOString(),
  };
  state.apiTokens[t.id] = t;
  return { id: t.id, token: secret };
}

export const apiTokenRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/api-tokens",
    (ctx) =>
      ok(byCreation(Object.values(ctx.state.apiTokens)).map((t) => renderApiToken(t, ctx.baseUrl))),
  ],
  ["GET", "/api/v1/api-tokens/{apiTokenId}", (ctx) => ok(renderApiToken(token(ctx), ctx.baseUrl))],
  [
    "PUT",
    "/api/v1/api-tokens/{apiTokenId}",
    (ctx) => {
      const t = token(ctx);
      const b = parseBody(updateBody, ctx.body);
      if (b.userId && b.userId !== t.userId) {
        throw errors.validation(["userId: a token stays with the user who created it"], "userId");
      }
      checkNetwork(ctx.state, b.network);
      if (b.name) t.name = b.name;
      if (b.clientName) t.clientName = b.clientName;
      if (b.network) t.network = b.network;
      t.lastUpdated = ctx.now;
      return ok(renderApiToken(t, ctx.baseUrl));
    },
  ],
  [
    "DELETE",
    "/api/v1/api-tokens/{apiTokenId}",
    (ctx) => {
      delete ctx.state.apiTokens[token(ctx).id];
      return noContent();
    },
  ],
];
