// Scope grants of an app: what its access tokens may carry. The token endpoint reads them.
import { z } from "zod";
import { OKTA_SCOPES } from "../../okta-facts/catalogue.generated.js";
import { created, noContent, ok, type Ctx, type Handler } from "../context.js";
import { errors } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation } from "../paging.js";
import type { GrantRecord } from "../store.js";
import { parseBody } from "../validate.js";
import { getApp } from "./apps.js";

const grantBody = z.object({ issuer: z.string().min(1), scopeId: z.string().min(1) });

function render(g: GrantRecord, baseUrl: string): Record<string, unknown> {
  const app = `${baseUrl}/api/v1/apps/${g.appId}`;
  return {
    id: g.id,
    status: "ACTIVE",
    created: g.created,
    lastUpdated: g.lastUpdated,
    issuer: g.issuer,
    clientId: g.appId,
    scopeId: g.scopeId,
    source: "ADMIN",
    createdBy: g.createdBy,
    _links: {
      app: { href: app },
      self: { href: `${app}/grants/${g.id}` },
      client: { href: `${baseUrl}/oauth2/v1/clients/${g.appId}` },
    },
  };
}

function getGrant(ctx: Ctx): GrantRecord {
  const app = getApp(ctx.state, ctx.params.appId);
  const g = ctx.state.grants[ctx.params.grantId ?? ""];
  if (!g || g.appId !== app.id)
    throw errors.notFound(ctx.params.grantId ?? "", "OAuth2ScopeConsentGrant");
  return g;
}

const grant: Handler = (ctx) => {
  const app = getApp(ctx.state, ctx.params.appId);
  const b = parseBody(grantBody, ctx.body);
  // The Management API's scopes are granted by the org authorization server, whose issuer is the org.
  if (b.issuer.replace(/\/$/, "") !== ctx.baseUrl) {
    throw errors.validation([`issuer: must be the org URL ${ctx.baseUrl}`], "issuer");
  }
  if (!(b.scopeId in OKTA_SCOPES))
    throw errors.validation([`scopeId: ${b.scopeId} is not a scope of the org`], "scopeId");
  if (Object.values(ctx.state.grants).some((g) => g.appId === app.id && g.scopeId === b.scopeId)) {
    throw errors.validation([`scopeId: ${b.scopeId} is already granted to the app`], "scopeId");
  }
  const g: GrantRecord = {
    id: newId(PREFIX.grant),
    appId: app.id,
    issuer: b.issuer,
    scopeId: b.scopeId,
    created: ctx.now,
    lastUpdated: ctx.now,
    createdBy: {
      id: ctx.principal?.id ?? app.id,
      type: ctx.principal?.type === "SSWS_TOKEN" ? "User" : "ServiceApp",
    },
  };
  ctx.state.grants[g.id] = g;
  return created(render(g, ctx.baseUrl));
};

export const grantRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/apps/{appId}/grants",
    (ctx) => {
      const app = getApp(ctx.state, ctx.params.appId);
      const all = byCreation(Object.values(ctx.state.grants).filter((g) => g.appId === app.id));
      return ok(all.map((g) => render(g, ctx.baseUrl)));
    },
  ],
  ["POST", "/api/v1/apps/{appId}/grants", grant],
  ["GET", "/api/v1/apps/{appId}/grants/{grantId}", (ctx) => ok(render(getGrant(ctx), ctx.baseUrl))],
  [
    "DELETE",
    "/api/v1/apps/{appId}/grants/{grantId}",
    (ctx) => {
      delete ctx.state.grants[getGrant(ctx).id];
      return noContent();
    },
  ],
];
