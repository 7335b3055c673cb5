// OIDC API Service Apps as Okta accepts them from the bot (oidc_client, service, client
// credentials, private_key_jwt), their lifecycle and their JWKS. Other kinds of app are refused:
// the local org serves what the bot manages, and says so rather than storing what it cannot honour.
import { z } from "zod";
import { created, noContent, ok, type Ctx, type Handler, type Reply } from "../context.js";
import { errors, OktaError } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import { byCreation, linkHeader, pageOf, parseFilter } from "../paging.js";
import type { AppRecord, JwkRecord, OrgState } from "../store.js";
import { parseBody } from "../validate.js";

export const CLIENT_CREDENTIALS = "client_credentials";
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

const jwkIn = z
  .object({
    id: z.string().optional(),
    kid: z.string().min(1).max(255).optional(),
    kty: z.enum(["RSA", "EC"]),
    alg: z.enum(["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]).optional(),
    use: z.literal("sig").optional(),
    status: z.enum(["ACTIVE", "INACTIVE"]).optional(),
    e: z.string().optional(),
    n: z.string().optional(),
    crv: z.enum(["P-256", "P-384", "P-521"]).optional(),
    x: z.string().optional(),
    y: z.string().optional(),
    d: z.unknown().optional(),
  })
  .superRefine((k, ctx) => {
    if (k.d !== undefined)
      ctx.addIssue({ code: "custom", message: "a private key cannot be registered", path: ["d"] });
    if (k.kty === "RSA" && (!k.n || !k.e))
      ctx.addIssue({ code: "custom", message: "an RSA key needs n and e", path: ["n"] });
    if (k.kty === "EC" && (!k.crv || !k.x || !k.y))
      ctx.addIssue({ code: "custom", message: "an EC key needs crv, x and y", path: ["x"] });
  });
type JwkIn = z.infer<typeof jwkIn>;

const network = z.object({
  connection: z.enum(["ANYWHERE", "ZONE"]),
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
});

const appBody = z.object({
  name: z.literal("oidc_client", {
    message: "the local org serves OIDC apps (name oidc_client) only",
  }),
  label: z.string().trim().min(1, "The field cannot be left blank").max(100),
  signOnMode: z.literal("OPENID_CONNECT"),
  status: z.enum(["ACTIVE", "INACTIVE"]).optional(),
  profile: z.record(z.string(), z.unknown()).optional(),
  credentials: z.object({
    oauthClient: z.object({
      token_endpoint_auth_method: z.literal("private_key_jwt", {
        message: "service apps of the local org authenticate with private_key_jwt",
      }),
      client_id: z.string().optional(),
    }),
  }),
  settings: z.object({
    oauthClient: z.object({
      application_type: z.literal("service"),
      grant_types: z
        .array(z.enum([CLIENT_CREDENTIALS, TOKEN_EXCHANGE]))
        .min(1)
        .refine(
          (g) => g.includes(CLIENT_CREDENTIALS),
          "a service app needs the client_credentials grant",
        ),
      response_types: z.array(z.literal("token")).optional(),
      dpop_bound_access_tokens: z.boolean().optional(),
      jwks: z.object({ keys: z.array(jwkIn).min(1, "private_key_jwt needs at least one key") }),
      network: network.optional(),
    }),
  }),
});

function checkZones(
  state: OrgState,
  net: z.infer<typeof network> | undefined,
  field: string,
): void {
  if (!net) return;
  const causes: string[] = [];
  if (net.connection === "ZONE" && !net.include?.length && !net.exclude?.length) {
    causes.push(`${field}.include: a ZONE connection needs at least one zone`);
  }
  for (const id of [...(net.include ?? []), ...(net.exclude ?? [])]) {
    if (!state.zones[id]) causes.push(`${field}: network zone ${id} does not exist`);
  }
  if (causes.length) throw errors.validation(causes, field);
}

function toJwkRecords(keys: JwkIn[], previous: JwkRecord[], now: string): JwkRecord[] {
  const kids = new Set<string>();
  return keys.map((k) => {
    if (k.kid) {
      if (kids.has(k.kid))
        throw errors.validation([`settings.oauthClient.jwks.keys: duplicate kid ${k.kid}`]);
      kids.add(k.kid);
    }
    const { d: _d, id: _id, status, ...material } = k;
    const before = previous.find((p) => (k.id && p.id === k.id) || (k.kid && p.kid === k.kid));
    return {
      ...material,
      id: before?.id ?? newId(PREFIX.jwk),
      status: status ?? before?.status ?? "ACTIVE",
      created: before?.created ?? now,
      lastUpdated: now,
    } as JwkRecord;
  });
}

export function renderJwk(k: JwkRecord): Record<string, unknown> {
  return { ...k, use: k.use ?? "sig" };
}

export function renderApp(app: AppRecord, baseUrl: string): Record<string, unknown> {
  const self = `${baseUrl}/api/v1/apps/${app.id}`;
  const lifecycle = app.status === "ACTIVE" ? "deactivate" : "activate";
  return {
    id: app.id,
    name: app.name,
    label: app.label,
    status: app.status,
    lastUpdated: app.lastUpdated,
    created: app.created,
    accessibility: { selfService: false },
    visibility: {
      autoSubmitToolbar: false,
      hide: { iOS: true, web: true },
      appLinks: { oidc_client_link: true },
    },
    features: [],
    signOnMode: app.signOnMode,
    credentials: {
      userNameTemplate: { template: "${source.login}", type: "BUILT_IN" },
      oauthClient: {
        autoKeyRotation: true,
        client_id: app.id,
        token_endpoint_auth_method: app.tokenEndpointAuthMethod,
        pkce_required: false,
      },
    },
    settings: {
      app: {},
      notifications: { vpn: { network: { connection: "DISABLED" } } },
      manualProvisioning: false,
      implicitAssignment: false,
      notes: {},
      oauthClient: {
        redirect_uris: [],
        response_types: ["token"],
        grant_types: [...app.grantTypes],
        application_type: app.applicationType,
        consent_method: "REQUIRED",
        issuer_mode: "DYNAMIC",
        idp_initiated_login: { mode: "DISABLED", default_scope: [] },
        wildcard_redirect: "DISABLED",
        dpop_bound_access_tokens: app.dpop,
        jwks: { keys: app.jwks.map(renderJwk) },
        ...(app.network ? { network: app.network } : {}),
      },
    },
    ...(app.profile ? { profile: app.profile } : {}),
    _links: {
      appLinks: [
        {
          name: "oidc_client_link",
          href: `${baseUrl}/home/oidc_client/${app.id}/aln5z7uhkbM6y7bMy0g7`,
          type: "text/html",
        },
      ],
      groups: { href: `${self}/groups` },
      logo: [],
      users: { href: `${self}/users` },
      [lifecycle]: { href: `${self}/lifecycle/${lifecycle}`, hints: { allow: ["POST"] } },
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
    },
  };
}

export function getApp(state: OrgState, id: string | undefined): AppRecord {
  const app = id ? state.apps[id] : undefined;
  if (!app) throw errors.notFound(id ?? "", "App");
  return app;
}

/** Builds an app record from a validated body: shared by create, replace and the bootstrap. */
export function appFromBody(
  state: OrgState,
  body: unknown,
  now: string,
  previous?: AppRecord,
): AppRecord {
  const b = parseBody(appBody, body);
  const oc = b.settings.oauthClient;
  checkZones(state, oc.network, "settings.oauthClient.network");
  return {
    id: previous?.id ?? newId(PREFIX.app),
    name: b.name,
    label: b.label,
    status: previous?.status ?? "ACTIVE",
    signOnMode: b.signOnMode,
    created: previous?.created ?? now,
    lastUpdated: now,
    profile: b.profile ?? (previous ? undefined : undefined),
    grantTypes: [...new Set(oc.grant_types)],
    applicationType: oc.application_type,
    tokenEndpointAuthMethod: b.credentials.oauthClient.token_endpoint_auth_method,
    dpop: oc.dpop_bound_access_tokens ?? false,
    network: oc.network,
    jwks: toJwkRecords(oc.jwks.keys, previous?.jwks ?? [], now),
  };
}

const createApp: Handler = (ctx) => {
  const app = appFromBody(ctx.state, ctx.body, ctx.now);
  if (ctx.query.get("activate") === "false") app.status = "INACTIVE";
  ctx.state.apps[app.id] = app;
  return ok(renderApp(app, ctx.baseUrl));
};

const listApps: Handler = (ctx) => {
  let apps = Object.values(ctx.state.apps);
  const filter = ctx.query.get("filter");
  if (filter) {
    const match = parseFilter(filter, ["name", "status"]);
    apps = apps.filter((a) => match((f) => (f === "name" ? a.name : a.status)));
  }
  const q = ctx.query.get("q")?.toLowerCase();
  if (q)
    apps = apps.filter(
      (a) => a.label.toLowerCase().startsWith(q) || a.name.toLowerCase().startsWith(q),
    );
  const page = pageOf(byCreation(apps), ctx, { defaultLimit: 20, maxLimit: 200 });
  return ok(
    page.items.map((a) => renderApp(a, ctx.baseUrl)),
    linkHeader(ctx, page.next),
  );
};

const replaceApp: Handler = (ctx) => {
  const before = getApp(ctx.state, ctx.params.appId);
  const after = appFromBody(ctx.state, ctx.body, ctx.now, before);
  // A replace keeps what the body leaves out only where Okta does: the profile is replaced.
  ctx.state.apps[before.id] = after;
  return ok(renderApp(after, ctx.baseUrl));
};

const lifecycle =
  (status: "ACTIVE" | "INACTIVE"): Handler =>
  (ctx) => {
    const app = getApp(ctx.state, ctx.params.appId);
    if (app.status !== status) {
      app.status = status;
      app.lastUpdated = ctx.now;
    }
    return ok({});
  };

const deleteApp: Handler = (ctx) => {
  const app = getApp(ctx.state, ctx.params.appId);
  if (app.status === "ACTIVE") {
    throw new OktaError(403, "E0000056", "Delete application forbidden.", [
      "The app must be deactivated before it is deleted.",
    ]);
  }
  delete ctx.state.apps[app.id];
  // Okta removes what hangs off the app with it: its grants and its client role assignments.
  for (const g of Object.values(ctx.state.grants))
    if (g.appId === app.id) delete ctx.state.grants[g.id];
  for (const r of Object.values(ctx.state.clientRoles))
    if (r.clientId === app.id) delete ctx.state.clientRoles[r.id];
  return noContent();
};

// --- JWKS of an app -------------------------------------------------------------------------------

function getKey(app: AppRecord, keyId: string | undefined): JwkRecord {
  const key = app.jwks.find((k) => k.id === keyId);
  if (!key) throw errors.notFound(keyId ?? "", "JsonWebKey");
  return key;
}

const listJwks: Handler = (ctx) =>
  ok({ keys: getApp(ctx.state, ctx.params.appId).jwks.map(renderJwk) });

const addJwk: Handler = (ctx) => {
  const app = getApp(ctx.state, ctx.params.appId);
  const [key] = toJwkRecords([parseBody(jwkIn, ctx.body)], [], ctx.now);
  if (!key) throw errors.malformed("no key");
  if (key.kid && app.jwks.some((k) => k.kid === key.kid)) {
    throw errors.validation([`kid: a key with kid ${key.kid} is already registered`], "kid");
  }
  if (app.jwks.length >= 50)
    throw errors.validation(["keys: an app holds at most 50 keys"], "keys");
  app.jwks.push(key);
  app.lastUpdated = ctx.now;
  return created(renderJwk(key));
};

const getJwk: Handler = (ctx) =>
  ok(renderJwk(getKey(getApp(ctx.state, ctx.params.appId), ctx.params.keyId)));

const jwkLifecycle =
  (status: "ACTIVE" | "INACTIVE"): Handler =>
  (ctx) => {
    const app = getApp(ctx.state, ctx.params.appId);
    const key = getKey(app, ctx.params.keyId);
    if (
      status === "INACTIVE" &&
      key.status === "ACTIVE" &&
      app.jwks.filter((k) => k.status === "ACTIVE").length === 1
    ) {
      throw errors.lifecycle(
        "The last active key of a private_key_jwt client cannot be deactivated",
      );
    }
    key.status = status;
    key.lastUpdated = ctx.now;
    return ok(renderJwk(key));
  };

const deleteJwk: Handler = (ctx) => {
  const app = getApp(ctx.state, ctx.params.appId);
  const key = getKey(app, ctx.params.keyId);
  if (key.status === "ACTIVE")
    throw errors.lifecycle("An active key cannot be deleted; deactivate it first");
  app.jwks = app.jwks.filter((k) => k.id !== key.id);
  return noContent();
};

export const appRoutes: [string, string, Handler][] = [
  ["GET", "/api/v1/apps", listApps],
  ["POST", "/api/v1/apps", createApp],
  [
    "GET",
    "/api/v1/apps/{appId}",
    (ctx: Ctx): Reply => ok(renderApp(getApp(ctx.state, ctx.params.appId), ctx.baseUrl)),
  ],
  ["PUT", "/api/v1/apps/{appId}", replaceApp],
  ["DELETE", "/api/v1/apps/{appId}", deleteApp],
  ["POST", "/api/v1/apps/{appId}/lifecycle/activate", lifecycle("ACTIVE")],
  ["POST", "/api/v1/apps/{appId}/lifecycle/deactivate", lifecycle("INACTIVE")],
  ["GET", "/api/v1/apps/{appId}/credentials/jwks", listJwks],
  ["POST", "/api/v1/apps/{appId}/credentials/jwks", addJwk],
  ["GET", "/api/v1/apps/{appId}/credentials/jwks/{keyId}", getJwk],
  ["DELETE", "/api/v1/apps/{appId}/credentials/jwks/{keyId}", deleteJwk],
  [
    "POST",
    "/api/v1/apps/{appId}/credentials/jwks/{keyId}/lifecycle/activate",
    jwkLifecycle("ACTIVE"),
  ],
  [
    "POST",
    "/api/v1/apps/{appId}/credentials/jwks/{keyId}/lifecycle/deactivate",
    jwkLifecycle("INACTIVE"),
  ],
];
