// API service apps (OAuth 2.0 clients): owned when the profile carries the bot's marker.
import { z } from "zod";
import type { Refs } from "../../reconcile/apply.js";
import { MANAGED_BY, MARKER_KEY, type AppState, type JwkState } from "../../reconcile/model.js";
import {
  GRANT_TYPE_TOKEN_EXCHANGE,
  canonicalJwks,
  hasTokenExchange,
} from "../../reconcile/normalise.js";
import { need } from "../refs.js";
import { enc, ignore404, type Raw } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";

const Marker = z.looseObject({ managedBy: z.string(), integration: z.string() });
export const RawApp = z.looseObject({
  id: z.string(),
  label: z.string(),
  status: z.string().optional(),
  profile: z.record(z.string(), z.unknown()).nullish(),
  settings: z
    .looseObject({
      oauthClient: z
        .looseObject({
          grant_types: z.array(z.string()).optional(),
          dpop_bound_access_tokens: z.boolean().optional(),
          jwks: z.looseObject({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
          network: z
            .looseObject({ connection: z.string(), include: z.array(z.string()).nullish() })
            .nullish(),
        })
        .optional(),
    })
    .optional(),
  credentials: z
    .looseObject({ oauthClient: z.looseObject({ client_id: z.string().optional() }).optional() })
    .optional(),
});
export type RawApp = z.infer<typeof RawApp>;

/** Every OAuth client app of the org, page by page. */
export const OIDC_APPS_PATH = `/api/v1/apps?filter=${enc('name eq "oidc_client"')}&limit=200`;
/** OAuth client apps whose label (or name) starts with `q`. */
export const oidcAppsLike = (q: string) =>
  `/api/v1/apps?q=${enc(q)}&filter=${enc('name eq "oidc_client"')}&limit=200`;

export function markerOf(app: RawApp): z.infer<typeof Marker> | undefined {
  const m = Marker.safeParse(app.profile?.[MARKER_KEY]);
  return m.success && m.data.managedBy === MANAGED_BY ? m.data : undefined;
}

export function clientIdOf(app: RawApp): string {
  return app.credentials?.oauthClient?.client_id ?? app.id;
}

/** The app's keys that sign: inactive keys are Okta's rotation leftovers, not the app's keys. */
export function activeKeys(app: RawApp): Record<string, unknown>[] {
  return (app.settings?.oauthClient?.jwks?.keys ?? []).filter(
    (k) => k.status === undefined || k.status === "ACTIVE",
  );
}

export function appState(app: RawApp, zoneNames: Map<string, string>): AppState {
  const oc = app.settings?.oauthClient ?? {};
  const net = oc.network;
  const zoneId = net?.include?.[0];
  return {
    label: app.label,
    jwks: canonicalJwks(activeKeys(app)) as JwkState[],
    dpop: oc.dpop_bound_access_tokens === true,
    tokenExchange: hasTokenExchange(oc.grant_types),
    network:
      net?.connection === "ZONE" && zoneId
        ? { connection: "ZONE", zone: zoneNames.get(zoneId) ?? `id:${zoneId}` }
        : { connection: "ANYWHERE" },
    status: app.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
  };
}

/** The full app body for a create or a replace: what Okta had (so that fields the bot does not
 * manage survive a PUT), with the bot's settings and marker over it. */
function appBody(integration: string, s: AppState, refs: Refs, raw: Raw): Raw {
  const rawSettings = (raw.settings ?? {}) as Raw;
  const rawOauth = (rawSettings.oauthClient ?? {}) as Raw;
  const rawCredentials = (raw.credentials ?? {}) as Raw;
  const network =
    s.network.connection === "ZONE"
      ? { connection: "ZONE", include: [need(refs, `zone:${s.network.zone}`)] }
      : { connection: "ANYWHERE" };
  const keep = Object.fromEntries(
    Object.entries(raw).filter(
      ([k]) => !["_links", "_embedded", "id", "created", "lastUpdated", "status"].includes(k),
    ),
  );
  return {
    ...keep,
    name: "oidc_client",
    label: s.label,
    signOnMode: "OPENID_CONNECT",
    profile: {
      ...((raw.profile as Raw | undefined) ?? {}),
      [MARKER_KEY]: { managedBy: MANAGED_BY, integration },
    },
    credentials: {
      ...rawCredentials,
      oauthClient: {
        ...((rawCredentials.oauthClient as Raw | undefined) ?? {}),
        token_endpoint_auth_method: "private_key_jwt",
      },
    },
    settings: {
      ...rawSettings,
      oauthClient: {
        ...rawOauth,
        application_type: "service",
        grant_types: s.tokenExchange
          ? ["client_credentials", GRANT_TYPE_TOKEN_EXCHANGE]
          : ["client_credentials"],
        response_types: ["token"],
        dpop_bound_access_tokens: s.dpop,
        jwks: { keys: s.jwks },
        network,
      },
    },
  };
}

export const appWriter: KindWriter = {
  async execute(t, op, action, refs) {
    const id = op.target?.id;
    switch (action) {
      case "create": {
        const body = appBody(op.integration, op.after as AppState, refs, {});
        return (await t.call<{ id: string }>("POST", "/api/v1/apps?activate=true", body)).json.id;
      }
      case "update": {
        const after = op.after as AppState;
        await t.call(
          "PUT",
          `/api/v1/apps/${id}`,
          appBody(op.integration, after, refs, op.target?.raw ?? {}),
        );
        const before = op.before as AppState;
        if (before.status !== after.status)
          await t.call(
            "POST",
            `/api/v1/apps/${id}/lifecycle/${after.status === "ACTIVE" ? "activate" : "deactivate"}`,
            undefined,
            { idempotent: true },
          );
        return undefined;
      }
      case "delete":
        await t
          .call("POST", `/api/v1/apps/${id}/lifecycle/deactivate`, undefined, { idempotent: true })
          .catch(ignore404);
        await t.call("DELETE", `/api/v1/apps/${id}`).catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
  async findCreated(t, op) {
    const after = op.after as Raw;
    const found = await t.list(RawApp, oidcAppsLike(String(after.label)));
    return found.find((a) => markerOf(a)?.integration === op.integration)?.id;
  },
};
