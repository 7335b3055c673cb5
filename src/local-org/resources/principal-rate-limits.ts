// Principal rate limits: the share of the org's rate limits that one OAuth client or API token may
// use. The rate limiter reads them (see ratelimit.ts); without one a principal gets the default.
import { z } from "zod";
import { created, ok, type Ctx, type Handler } from "../context.js";
import { errors } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation, linkHeader, pageOf, parseFilter } from "../paging.js";
import type { OrgState, PrincipalRateLimitRecord } from "../store.js";
import { parseBody } from "../validate.js";

const percent = z.number().int().min(0).max(100);
const body = z.object({
  principalId: z.string().min(1),
  principalType: z.enum(["OAUTH_CLIENT", "SSWS_TOKEN"]),
  defaultPercentage: percent.optional(),
  defaultConcurrencyPercentage: percent.optional(),
});

export function principalShare(
  state: OrgState,
  principalId: string,
): PrincipalRateLimitRecord | undefined {
  return Object.values(state.principalRateLimits).find((p) => p.principalId === principalId);
}

function render(p: PrincipalRateLimitRecord, orgId: string) {
  return {
    id: p.id,
    orgId,
    principalId: p.principalId,
    principalType: p.principalType,
    ...(p.defaultPercentage !== undefined ? { defaultPercentage: p.defaultPercentage } : {}),
    ...(p.defaultConcurrencyPercentage !== undefined
      ? { defaultConcurrencyPercentage: p.defaultConcurrencyPercentage }
      : {}),
    createdBy: p.createdBy,
    createdDate: p.createdDate,
    lastUpdate: p.lastUpdate,
    lastUpdatedBy: p.lastUpdatedBy,
  };
}

function checkPrincipal(ctx: Ctx, b: z.infer<typeof body>): void {
  const exists =
    b.principalType === "OAUTH_CLIENT"
      ? ctx.state.apps[b.principalId]
      : ctx.state.apiTokens[b.principalId];
  if (!exists)
    throw errors.notFound(
      b.principalId,
      b.principalType === "OAUTH_CLIENT" ? "OAuth2Client" : "ApiToken",
    );
}

function entity(ctx: Ctx): PrincipalRateLimitRecord {
  const p = ctx.state.principalRateLimits[ctx.params.principalRateLimitId ?? ""];
  if (!p) throw errors.notFound(ctx.params.principalRateLimitId ?? "", "PrincipalRateLimitEntity");
  return p;
}

export const principalRateLimitRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/principal-rate-limits",
    (ctx) => {
      let all = byCreation(Object.values(ctx.state.principalRateLimits));
      const filter = ctx.query.get("filter");
      if (filter) {
        const match = parseFilter(filter, ["principalType", "principalId"]);
        all = all.filter((p) =>
          match((f) => (f === "principalType" ? p.principalType : p.principalId)),
        );
      }
      const page = pageOf(all, ctx, { defaultLimit: 20, maxLimit: 50 });
      return ok(
        page.items.map((p) => render(p, ctx.state.orgId)),
        linkHeader(ctx, page.next),
      );
    },
  ],
  [
    "POST",
    "/api/v1/principal-rate-limits",
    (ctx) => {
      const b = parseBody(body, ctx.body);
      checkPrincipal(ctx, b);
      if (principalShare(ctx.state, b.principalId)) {
        throw errors.validation(
          [`principalId: ${b.principalId} already has a principal rate limit`],
          "principalId",
        );
      }
      const who = ctx.principal?.id ?? "system";
      const p: PrincipalRateLimitRecord = {
        id: newId(PREFIX.principalRateLimit),
        ...b,
        createdBy: who,
        createdDate: ctx.now,
        lastUpdate: ctx.now,
        lastUpdatedBy: who,
      };
      ctx.state.principalRateLimits[p.id] = p;
      return created(render(p, ctx.state.orgId));
    },
  ],
  [
    "GET",
    "/api/v1/principal-rate-limits/{principalRateLimitId}",
    (ctx) => ok(render(entity(ctx), ctx.state.orgId)),
  ],
  [
    "PUT",
    "/api/v1/principal-rate-limits/{principalRateLimitId}",
    (ctx) => {
      const p = entity(ctx);
      const b = parseBody(body, ctx.body);
      if (b.principalId !== p.principalId || b.principalType !== p.principalType) {
        throw errors.validation(
          ["principalId: the principal of a rate limit cannot change"],
          "principalId",
        );
      }
      p.defaultPercentage = b.defaultPercentage;
      p.defaultConcurrencyPercentage = b.defaultConcurrencyPercentage;
      p.lastUpdate = ctx.now;
      p.lastUpdatedBy = ctx.principal?.id ?? "system";
      return ok(render(p, ctx.state.orgId));
    },
  ],
];
