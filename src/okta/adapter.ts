// The Okta adapter: reads what the bot owns in Okta into the reconciler's canonical actual state,
// and carries out plan operations (the OktaPort of apply.ts). All calls go through the Okta SDK's
// HTTP client (its PrivateKey + DPoP token handling and our request executor), paced by pacer.ts.
//
// Reading costs about two calls per integration: the paged lists (apps, zones, custom roles,
// resource sets, principal rate limits) carry nearly everything, and only grants and client roles,
// which Okta does not list across apps, are read per app. A pull request's plan reads only the
// integrations it changes: by label for the app, then by id for what the app points at.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { OktaPort, Refs } from "../reconcile/apply.js";
import {
  DESCRIPTION_PREFIX,
  MANAGED_BY,
  MARKER_KEY,
  NAME_PREFIX,
  objectName,
  LOGIN_GROUP,
  LOGIN_RULE,
  type Adoption,
  type ActualIntegration,
  type ActualState,
  type AppState,
  type CustomRoleState,
  type JwkState,
  type Operation,
  type ResourceSetState,
  type RoleAssignmentState,
  type UnownedObject,
  type Usage,
  type ZoneState,
} from "../reconcile/model.js";
import {
  GRANT_TYPE_TOKEN_EXCHANGE,
  canonicalGateway,
  canonicalJwks,
  canonicalResource,
  gatewayType,
  hasTokenExchange,
  resourceUrl,
  sortedUnique,
} from "../reconcile/normalise.js";
import { objectKey, type NamedObject } from "../reconcile/resources.js";
import { checkToken, createClient, PacedRequestExecutor, type OktaClient } from "./client.js";
import { bucketOf, Pacer } from "./pacer.js";
import type { OktaSettings } from "./settings.js";

// --- what Okta answers (only the fields the bot reads; the rest passes through) ----------------

const Marker = z.looseObject({ managedBy: z.string(), integration: z.string() });
const RawApp = z.looseObject({
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
type RawApp = z.infer<typeof RawApp>;
const RawZone = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  status: z.string(),
  usage: z.string().optional(),
  gateways: z.array(z.looseObject({ type: z.string(), value: z.string() })).nullish(),
});
const RawRole = z.looseObject({
  id: z.string(),
  label: z.string(),
  description: z.string().nullish(),
});
const RawPermissions = z.looseObject({
  permissions: z.array(z.looseObject({ label: z.string() })),
});
const RawResource = z.looseObject({
  id: z.string(),
  orn: z.string().optional(),
  _links: z.looseObject({ self: z.looseObject({ href: z.string() }).optional() }).optional(),
});
const RawGrant = z.looseObject({
  id: z.string(),
  scopeId: z.string(),
  status: z.string().optional(),
});
const RawClientRole = z.looseObject({
  id: z.string(),
  type: z.string(),
  role: z.string().optional(),
  "resource-set": z.string().optional(),
  /** USER, GROUP (held through a group: not the user's own) or CLIENT. */
  assignmentType: z.string().optional(),
  _links: z.looseObject({ assignee: z.looseObject({ href: z.string() }).optional() }).optional(),
});
type RawRoleAssignment = z.infer<typeof RawClientRole>;
const heldThroughGroup = (r: RawRoleAssignment) => r.assignmentType === "GROUP";
const RawToken = z.looseObject({
  id: z.string(),
  name: z.string(),
  userId: z.string().optional(),
  network: z
    .looseObject({ connection: z.string(), include: z.array(z.string()).nullish() })
    .nullish(),
});
type RawTokenT = z.infer<typeof RawToken>;
const RawUser = z.looseObject({
  id: z.string(),
  status: z.string().optional(),
  profile: z.looseObject({ login: z.string().optional() }).optional(),
});
const RawGroup = z.looseObject({ id: z.string(), profile: z.looseObject({ name: z.string() }) });
const RawNetwork = z
  .looseObject({
    include: z.array(z.string()).nullish(),
    exclude: z.array(z.string()).nullish(),
  })
  .nullish();
const RawPolicy = z.looseObject({
  id: z.string(),
  name: z.string(),
  priority: z.number().optional(),
  system: z.boolean().optional(),
  conditions: z.looseObject({ network: RawNetwork }).nullish(),
});
const RawMember = z.looseObject({
  id: z.string(),
  _links: z.looseObject({ self: z.looseObject({ href: z.string() }).optional() }).optional(),
});
/** Policy types whose policies or rules may name a network zone in their conditions. */
const POLICY_TYPES = [
  "OKTA_SIGN_ON",
  "ACCESS_POLICY",
  "IDP_DISCOVERY",
  "MFA_ENROLL",
  "PASSWORD",
  "PROFILE_ENROLLMENT",
  "POST_AUTH_SESSION",
  "ENTITY_RISK",
] as const;
const RawRule = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string().optional(),
  conditions: z
    .looseObject({
      network: RawNetwork,
      people: z
        .looseObject({
          groups: z.looseObject({ include: z.array(z.string()).nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  actions: z.looseObject({ signon: z.looseObject({ access: z.string() }).nullish() }).nullish(),
});
const RawRateLimit = z.looseObject({
  id: z.string(),
  principalId: z.string(),
  defaultPercentage: z.number().optional(),
  defaultConcurrencyPercentage: z.number().optional(),
});
const IamPage = z.looseObject({
  _links: z.looseObject({ next: z.looseObject({ href: z.string() }).optional() }).optional(),
});

type Raw = Record<string, unknown>;

interface LoginBlockRead {
  /** Service accounts of token exceptions, by integration, with their admin role assignments. */
  users: Map<
    string,
    {
      id: string;
      blocked: boolean;
      login?: string;
      status?: string;
      roles: RawRoleAssignment[];
    }
  >;
  state?: NonNullable<ActualState["loginBlock"]>;
}

interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface OktaConnection {
  adapter: OktaAdapter;
  executor: PacedRequestExecutor;
  pacer: Pacer;
}

/** Builds the client, gets a token up front (clear error if that fails). */
export async function connectOkta(
  settings: OktaSettings,
  options: { rateShare?: number } = {},
): Promise<OktaConnection> {
  const pacer = new Pacer({ share: options.rateShare ?? 1 });
  const executor = new PacedRequestExecutor(pacer);
  const client = createClient(settings, executor);
  await checkToken(client, settings);
  return { adapter: new OktaAdapter(client, pacer, settings), executor, pacer };
}

export class OktaAdapter implements OktaPort {
  readonly orgUrl: string;
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  constructor(
    private readonly client: OktaClient,
    private readonly pacer: Pacer,
    private readonly settings: OktaSettings,
    /** Requests in flight at once: Okta also limits concurrency, and answers 429 beyond it. */
    private readonly maxConcurrent = 8,
  ) {
    this.orgUrl = settings.orgUrl;
  }

  private async slot(): Promise<void> {
    while (this.inFlight >= this.maxConcurrent)
      await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
  }

  private freeSlot(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /** The bot's own app: never deleted, whatever the files say. */
  get selfClientId(): string {
    return this.settings.clientId;
  }

  // --- HTTP ----------------------------------------------------------------------------------

  /**
   * One call through the SDK. A 429 waits for the reset and goes again (the SDK makes a fresh DPoP
   * proof for every attempt); a 5xx or a dropped connection is retried when repeating the call is
   * harmless (GET, PUT, DELETE, and POSTs marked idempotent), and thrown otherwise so that apply
   * can look for what a create may have made.
   */
  async call<T = unknown>(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    pathOrUrl: string,
    body?: unknown,
    opts: { idempotent?: boolean } = {},
  ): Promise<{ json: T; headers: HttpResponse["headers"] }> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.orgUrl}${pathOrUrl}`;
    const bucket = bucketOf(url);
    const repeatable =
      opts.idempotent ?? (method === "GET" || method === "PUT" || method === "DELETE");
    let transientLeft = 4;
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      let held = true;
      const free = () => {
        if (!held) return;
        held = false;
        this.freeSlot();
      };
      try {
        await this.pacer.acquire(bucket);
        const request: Raw = {
          method,
          headers: { Accept: "application/json", "Content-Type": "application/json" },
        };
        if (body !== undefined) request.body = JSON.stringify(body);
        const res = (await this.client.http.http(url, request)) as HttpResponse;
        const text = res.status === 204 ? "" : await res.text();
        return { json: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
      } catch (error) {
        free();
        const status = (error as { status?: unknown }).status;
        if (status === 429 && attempt < 20) continue;
        const transient = typeof status !== "number" || status >= 500;
        if (transient && repeatable && transientLeft-- > 0) {
          await sleep(100 * 2 ** (3 - transientLeft));
          continue;
        }
        throw withContext(error, method, url);
      } finally {
        free();
      }
    }
  }

  private async list<T>(schema: z.ZodType<T>, path: string): Promise<T[]> {
    const out: T[] = [];
    for (let next: string | undefined = path; next;) {
      const { json, headers } = await this.call<unknown[]>("GET", next);
      out.push(...z.array(schema).parse(json));
      next = nextLink(headers.get("link"));
    }
    return out;
  }

  /** Every network zone, page by page. */
  listZones<T>(schema: z.ZodType<T>): Promise<T[]> {
    return this.list(schema, `/api/v1/zones?limit=200`);
  }

  private async listIam<T>(schema: z.ZodType<T>, path: string, key: string): Promise<T[]> {
    const out: T[] = [];
    for (let next: string | undefined = path; next;) {
      const page: { json: Raw } = await this.call<Raw>("GET", next);
      out.push(...z.array(schema).parse(page.json[key] ?? []));
      next = IamPage.parse(page.json)._links?.next?.href;
    }
    return out;
  }

  // --- reading -------------------------------------------------------------------------------

  /** Everything the bot owns, for apply and drift. */
  async readAll(adoptions: ReadonlyMap<string, Adoption> = new Map()): Promise<ActualState> {
    const withTokens = [...adoptions.values()].some((a) => a.token);
    const [apps, zones, roles, sets, limits, tokens, tokenLimits] = await Promise.all([
      this.list(RawApp, `/api/v1/apps?filter=${enc('name eq "oidc_client"')}&limit=200`),
      this.list(RawZone, `/api/v1/zones?limit=200`),
      this.listIam(RawRole, `/api/v1/iam/roles`, "roles"),
      this.listIam(RawRole, `/api/v1/iam/resource-sets`, "resource-sets"),
      this.list(
        RawRateLimit,
        `/api/v1/principal-rate-limits?filter=${enc('principalType eq "OAUTH_CLIENT"')}&limit=50`,
      ),
      this.list(RawToken, `/api/v1/api-tokens`),
      // Token rate shares only matter when the repository has token exceptions (or had: their
      // tokens carry the marker, and a removal needs no rate share).
      withTokens
        ? this.list(
            RawRateLimit,
            `/api/v1/principal-rate-limits?filter=${enc('principalType eq "SSWS_TOKEN"')}&limit=50`,
          )
        : Promise.resolve([]),
    ]);
    const limitByPrincipal = new Map([...limits, ...tokenLimits].map((l) => [l.principalId, l]));
    const logins = await this.readLoginBlock(adoptions);
    return this.assemble({
      logins,
      apps,
      zones,
      roles,
      sets,
      tokens,
      limitByPrincipal,
      scope: "all",
      adoptions,
    });
  }

  /**
   * Only the named integrations, for a pull request's plan: the app by label (Okta's `q`), then
   * what it points at by id. Calls grow with the number of integrations, not with the org.
   * A zone, role or resource set whose app does not exist yet is found by name where Okta allows.
   */
  async readIntegrations(
    wanted: { name: string; label?: string; adopt?: Adoption }[],
  ): Promise<ActualState> {
    const tokens: RawTokenT[] = [];
    // An integration whose file is gone has no label to search by: its app is found by marker in
    // the full list (read once), so that a pull request removing a file plans the deletion.
    let allApps: Promise<RawApp[]> | undefined;
    const everyApp = () =>
      (allApps ??= this.list(
        RawApp,
        `/api/v1/apps?filter=${enc('name eq "oidc_client"')}&limit=200`,
      ));
    const adoptions = new Map(wanted.flatMap((w) => (w.adopt ? [[w.name, w.adopt] as const] : [])));
    const names = new Set(wanted.map((w) => w.name));
    const apps: RawApp[] = [];
    const zones: z.infer<typeof RawZone>[] = [];
    const roles: z.infer<typeof RawRole>[] = [];
    const sets: z.infer<typeof RawRole>[] = [];
    const limitByPrincipal = new Map<string, z.infer<typeof RawRateLimit>>();
    await Promise.all(
      wanted.map(async ({ name, label, adopt }) => {
        const byLabel = (extra: { customRole?: string; resourceSet?: string } = {}) =>
          (
            [
              ["roles", roles, extra.customRole],
              ["resource-sets", sets, extra.resourceSet],
            ] as const
          ).flatMap(([kind, list, adopted]) =>
            [...new Set([`${NAME_PREFIX}${name}`, adopted].filter((x): x is string => !!x))].map(
              (key) =>
                this.getOptional(RawRole, `/api/v1/iam/${kind}/${enc(key)}`).then(
                  (r) => void (r && !list.some((x) => x.id === r.id) && list.push(r)),
                ),
            ),
          );
        if (adopt?.token) {
          // An ApiTokenException: its custom role and resource set by label; its token by id, then
          // its zone and rate share.
          const labelled = Promise.all(byLabel(adopt));
          const token = await this.getOptional(RawToken, `/api/v1/api-tokens/${adopt.token}`);
          await labelled;
          if (!token) return;
          tokens.push(token);
          const zoneIds = new Set([token.network?.include?.[0], adopt.zone].filter((x) => !!x));
          await Promise.all([
            ...[...zoneIds].map((zoneId) =>
              this.getOptional(RawZone, `/api/v1/zones/${zoneId}`).then(
                (z) => void (z && !zones.some((x) => x.id === z.id) && zones.push(z)),
              ),
            ),
            this.list(
              RawRateLimit,
              `/api/v1/principal-rate-limits?filter=${enc(`principalId eq "${token.id}"`)}&limit=50`,
            ).then((ls) => ls.forEach((l) => limitByPrincipal.set(l.principalId, l))),
          ]);
          return;
        }
        const found =
          label === undefined
            ? (await everyApp()).filter((a) => markerOf(a)?.integration === name)
            : await this.list(
                RawApp,
                `/api/v1/apps?q=${enc(label)}&filter=${enc('name eq "oidc_client"')}&limit=200`,
              );
        if (adopt?.app && !found.some((a) => a.id === adopt.app)) {
          const app = await this.getOptional(RawApp, `/api/v1/apps/${adopt.app}`);
          if (app) found.push(app);
        }
        const mine = found.filter(
          (a) => markerOf(a)?.integration === name || a.label === label || a.id === adopt?.app,
        );
        apps.push(...mine);
        const owned =
          mine.find((a) => markerOf(a)?.integration === name) ??
          mine.find((a) => a.id === adopt?.app);
        const zoneId = owned?.settings?.oauthClient?.network?.include?.[0];
        const extra: Promise<void>[] = [];
        for (const id of new Set([zoneId, adopt?.zone].filter((x): x is string => !!x)))
          extra.push(
            this.getOptional(RawZone, `/api/v1/zones/${id}`).then((z) => void (z && zones.push(z))),
          );
        extra.push(...byLabel(adopt));
        if (owned) {
          extra.push(
            this.list(
              RawRateLimit,
              `/api/v1/principal-rate-limits?filter=${enc(`principalId eq "${clientIdOf(owned)}"`)}&limit=50`,
            ).then((ls) => ls.forEach((l) => limitByPrincipal.set(l.principalId, l))),
          );
        }
        await Promise.all(extra);
      }),
    );
    const logins = await this.readLoginBlock(adoptions);
    return this.assemble({
      logins,
      apps,
      zones,
      roles,
      sets,
      tokens,
      limitByPrincipal,
      scope: names,
      adoptions,
    });
  }

  /** Of the named objects (groups, apps), the keys (`group:<id>`, `app:<id>`) of those that are
   * not in Okta: one GET each, only for what a plan creates or changes. */
  async missingObjects(objects: readonly NamedObject[]): Promise<Set<string>> {
    const missing = new Set<string>();
    await Promise.all(
      objects.map(async (o) => {
        const path = `/api/v1/${o.type === "group" ? "groups" : "apps"}/${enc(o.id)}`;
        if (!(await this.getOptional(z.looseObject({ id: z.string() }), path)))
          missing.add(objectKey(o));
      }),
    );
    return missing;
  }

  private async getOptional<T>(schema: z.ZodType<T>, path: string): Promise<T | undefined> {
    try {
      return schema.parse((await this.call("GET", path)).json);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  /**
   * The shared interactive-login block (the group, its members among the service accounts, the
   * rule of the global session policy) and the service accounts of the token exceptions: a few
   * calls, and one per service account, only when the repository has token exceptions.
   */
  private async readLoginBlock(adoptions: ReadonlyMap<string, Adoption>): Promise<LoginBlockRead> {
    const accounts = [...adoptions].flatMap(([name, a]) =>
      a.serviceAccount ? [[name, a.serviceAccount] as const] : [],
    );
    if (!accounts.length) return { users: new Map() };
    const [groups, policies, users] = await Promise.all([
      this.list(RawGroup, `/api/v1/groups?q=${enc(LOGIN_GROUP)}&limit=200`),
      this.call<unknown[]>("GET", `/api/v1/policies?type=OKTA_SIGN_ON`).then(({ json }) =>
        z.array(RawPolicy).parse(json),
      ),
      Promise.all(
        accounts.map(async ([name, login]) => {
          const u = await this.getOptional(RawUser, `/api/v1/users/${enc(login)}`);
          // The account's admin roles, read as an app's client roles are (one call each).
          const roles = u
            ? z
                .array(RawClientRole)
                .parse((await this.call<unknown[]>("GET", `/api/v1/users/${u.id}/roles`)).json)
            : [];
          return [name, u, roles] as const;
        }),
      ),
    ]);
    const group = groups.find((g) => g.profile.name === LOGIN_GROUP);
    // The default policy (the system one, last) applies to everyone: the rule goes there.
    const policy =
      policies.find((p) => p.system) ??
      [...policies].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0))[0];
    const [members, rules] = await Promise.all([
      group
        ? this.list(RawUser, `/api/v1/groups/${group.id}/users?limit=200`).then(
            (us) => new Set(us.map((u) => u.id)),
          )
        : Promise.resolve(new Set<string>()),
      policy
        ? this.call<unknown[]>("GET", `/api/v1/policies/${policy.id}/rules`).then(({ json }) =>
            z.array(RawRule).parse(json),
          )
        : Promise.resolve([]),
    ]);
    const rule = rules.find((r) => r.name === LOGIN_RULE);
    const ok =
      !!rule &&
      !!group &&
      rule.status !== "INACTIVE" &&
      rule.actions?.signon?.access === "DENY" &&
      !!rule.conditions?.people?.groups?.include?.includes(group.id);
    return {
      users: new Map(
        users.flatMap(([name, u, roles]) =>
          u
            ? [
                [
                  name,
                  {
                    id: u.id,
                    blocked: members.has(u.id),
                    ...(u.profile?.login !== undefined ? { login: u.profile.login } : {}),
                    ...(u.status !== undefined ? { status: u.status } : {}),
                    roles,
                  },
                ],
              ]
            : [],
        ),
      ),
      state: {
        ...(group ? { groupId: group.id } : {}),
        ...(rule ? { rule: { id: rule.id, ok } } : {}),
        ...(policy ? { policyId: policy.id } : {}),
      },
    };
  }

  private async assemble(input: {
    logins: LoginBlockRead;
    apps: RawApp[];
    zones: z.infer<typeof RawZone>[];
    roles: z.infer<typeof RawRole>[];
    sets: z.infer<typeof RawRole>[];
    tokens: RawTokenT[];
    limitByPrincipal: Map<string, z.infer<typeof RawRateLimit>>;
    scope: ActualState["scope"];
    adoptions: ReadonlyMap<string, Adoption>;
  }): Promise<ActualState> {
    const integrations = new Map<string, ActualIntegration>();
    const unowned: UnownedObject[] = [];
    const of = (name: string) => {
      let a = integrations.get(name);
      if (!a) integrations.set(name, (a = { name, grants: [], roles: [] }));
      return a;
    };
    const inScope = (name: string) => input.scope === "all" || input.scope.has(name);
    // Objects an imported file names, by kind and id → the integration that adopts them.
    const adoptedBy = new Map<string, string>();
    for (const [name, ids] of input.adoptions)
      if (inScope(name))
        for (const [kind, id] of Object.entries(ids)) if (id) adoptedBy.set(`${kind}:${id}`, name);

    const zoneNames = new Map<string, string>();
    for (const z of input.zones) {
      zoneNames.set(z.id, z.name);
      if (z.type !== "IP" || !z.name.startsWith(NAME_PREFIX)) continue;
      const name = z.name.slice(NAME_PREFIX.length);
      if (!INTEGRATION_NAME.test(name)) continue; // e.g. the lock zone
      // The bot makes allow lists only: a block list under its name was made by hand.
      if (z.usage !== undefined && z.usage !== "POLICY") {
        unowned.push({ kind: "zone", id: z.id, name: z.name });
        continue;
      }
      if (!inScope(name) || of(name).zone) continue;
      of(name).zone = {
        id: z.id,
        state: {
          name: z.name,
          gateways: sortedUnique((z.gateways ?? []).map((g) => canonicalGateway(g.value))),
          status: z.status === "ACTIVE" ? "ACTIVE" : "INACTIVE",
        } satisfies ZoneState,
      };
    }

    for (const z of input.zones) {
      const name = adoptedBy.get(`zone:${z.id}`);
      if (!name || z.name.startsWith(NAME_PREFIX) || of(name).zone) continue;
      zoneNames.set(z.id, objectName(name));
      of(name).zone = {
        id: z.id,
        adopt: true,
        type: z.type,
        ...(z.usage !== undefined ? { usage: z.usage } : {}),
        state: {
          name: z.name,
          gateways: sortedUnique((z.gateways ?? []).map((g) => canonicalGateway(g.value))),
          status: z.status === "ACTIVE" ? "ACTIVE" : "INACTIVE",
        },
      };
    }

    // Custom roles and resource sets: owned when the description carries the marker.
    const roleLabels = new Map<string, string>();
    const setLabels = new Map<string, string>();
    const detail: Promise<void>[] = [];
    for (const [kind, list, labels] of [
      ["customRole", input.roles, roleLabels],
      ["resourceSet", input.sets, setLabels],
    ] as const) {
      for (const r of list) {
        labels.set(r.id, r.label);
        const marked = r.description?.startsWith(DESCRIPTION_PREFIX)
          ? r.description.slice(DESCRIPTION_PREFIX.length).trim()
          : undefined;
        const adopter = marked ? undefined : adoptedBy.get(`${kind}:${r.id}`);
        const owner = marked ?? adopter;
        if (adopter) labels.set(r.id, objectName(adopter));
        if (!owner) {
          if (r.label.startsWith(NAME_PREFIX)) unowned.push({ kind, id: r.id, name: r.label });
          continue;
        }
        if (r.label !== `${NAME_PREFIX}${owner}` && r.label.startsWith(NAME_PREFIX)) {
          unowned.push({ kind, id: r.id, name: r.label, ownedBy: owner });
        }
        if (!inScope(owner) || of(owner)[kind]) continue;
        const a = of(owner);
        if (kind === "customRole") {
          detail.push(
            this.call("GET", `/api/v1/iam/roles/${r.id}/permissions`).then(({ json }) => {
              a.customRole = {
                id: r.id,
                ...(adopter ? { adopt: true } : {}),
                state: {
                  label: r.label,
                  description: r.description ?? "",
                  permissions: sortedUnique(
                    RawPermissions.parse(json).permissions.map((p) => p.label),
                  ),
                } satisfies CustomRoleState,
              };
            }),
          );
        } else {
          detail.push(
            this.listIam(
              RawResource,
              `/api/v1/iam/resource-sets/${r.id}/resources`,
              "resources",
            ).then((resources) => {
              const resourceIds: Record<string, string> = {};
              for (const x of resources) {
                const ref = x.orn ?? x._links?.self?.href;
                if (ref) resourceIds[canonicalResource(ref)] = x.id;
              }
              a.resourceSet = {
                id: r.id,
                ...(adopter ? { adopt: true } : {}),
                state: {
                  label: r.label,
                  description: r.description ?? "",
                  resources: sortedUnique(Object.keys(resourceIds)),
                } satisfies ResourceSetState,
                resourceIds,
              };
            }),
          );
        }
      }
    }

    // API tokens: owned when the name carries the marker, or registered by an exception's file.
    for (const t of input.tokens) {
      const marked = t.name.startsWith(NAME_PREFIX) ? t.name.slice(NAME_PREFIX.length) : undefined;
      const registered = adoptedBy.get(`token:${t.id}`);
      const name = marked && INTEGRATION_NAME.test(marked) ? marked : registered;
      if (!name || !inScope(name) || of(name).token) continue;
      const a = of(name);
      const zoneId = t.network?.connection === "ZONE" ? t.network.include?.[0] : undefined;
      a.token = {
        id: t.id,
        ...(marked ? {} : { adopt: true }),
        ...(t.userId !== undefined ? { userId: t.userId } : {}),
        state: {
          name: t.name,
          network: zoneId
            ? { connection: "ZONE", zone: zoneNames.get(zoneId) ?? `id:${zoneId}` }
            : { connection: "ANYWHERE" },
        },
      };
      const limit = input.limitByPrincipal.get(t.id);
      if (limit) a.rateLimit = rateLimitState(limit);
      // An exception whose file is gone: its service account's admin roles are unassigned with
      // it (a custom role cannot be deleted while assigned). One call, only for such a token.
      const userId = t.userId;
      // Its groups too: the account leaves the group denied interactive sign-in (one more call).
      if (!input.adoptions.has(name) && userId)
        detail.push(
          Promise.all([
            this.call<unknown[]>("GET", `/api/v1/users/${userId}/roles`),
            this.list(RawGroup, `/api/v1/users/${userId}/groups`),
            this.getOptional(RawUser, `/api/v1/users/${userId}`),
          ]).then(([{ json }, groups, user]) => {
            const group = groups.find((g) => g.profile.name === LOGIN_GROUP);
            const login = user?.profile?.login;
            const status = user?.status;
            a.serviceAccount = {
              id: userId,
              blocked: !!group,
              ...(group ? { loginGroupId: group.id } : {}),
              ...(login ? { login } : {}),
              ...(status ? { status } : {}),
            };
            // Roles held through a group are the group's: unassigning them from the user fails.
            a.roles = z
              .array(RawClientRole)
              .parse(json)
              .filter((r) => !heldThroughGroup(r))
              .map((r) => ({ id: r.id, state: roleState(r, roleLabels, setLabels) }));
          }),
        );
    }

    // Apps: owned when the profile carries the marker; per owned app, its grants and roles.
    for (const app of input.apps) {
      const marker = markerOf(app);
      const adopter = marker ? undefined : adoptedBy.get(`app:${app.id}`);
      if (!marker && !adopter) {
        unowned.push({ kind: "app", id: app.id, name: app.label });
        continue;
      }
      const name = marker?.integration ?? adopter!;
      if (!inScope(name)) continue;
      const a = of(name);
      if (a.app) {
        // Two apps carry one integration's marker: the first (the oldest) is the integration's,
        // the others are planned for removal.
        a.duplicateApps = [...(a.duplicateApps ?? []), app.id];
        continue;
      }
      const clientId = clientIdOf(app);
      a.app = {
        id: app.id,
        clientId,
        ...(adopter ? { adopt: true } : {}),
        state: appState(app, zoneNames),
        raw: app as Raw,
      };
      const limit = input.limitByPrincipal.get(clientId);
      if (limit) a.rateLimit = rateLimitState(limit);
      detail.push(
        this.call<unknown[]>("GET", `/api/v1/apps/${app.id}/grants`).then(({ json }) => {
          a.grants = z
            .array(RawGrant)
            .parse(json)
            .filter((g) => g.status !== "REVOKED")
            .map((g) => ({ id: g.id, scope: g.scopeId }));
        }),
        this.call<unknown[]>("GET", `/oauth2/v1/clients/${clientId}/roles`).then(({ json }) => {
          a.roles = z
            .array(RawClientRole)
            .parse(json)
            .map((r) => ({ id: r.id, state: roleState(r, roleLabels, setLabels) }));
        }),
      );
    }
    // Service accounts of token exceptions: their admin roles stand where an app's client roles do.
    for (const [name, { roles, ...account }] of input.logins.users)
      if (inScope(name)) {
        const groupRoles = roles.filter(heldThroughGroup).map((r) => ({
          id: r.id,
          type: r.type,
          ...(r._links?.assignee?.href
            ? { group: r._links.assignee.href.replace(/^.*\/groups\//, "") }
            : {}),
        }));
        of(name).serviceAccount = { ...account, ...(groupRoles.length ? { groupRoles } : {}) };
        of(name).roles = roles
          .filter((r) => !heldThroughGroup(r))
          .map((r) => ({ id: r.id, state: roleState(r, roleLabels, setLabels) }));
      }
    await Promise.all(detail);
    await this.readAdoptionFacts(integrations, input.adoptions, inScope);
    // Role and resource-set labels are known only once both lists are read: resolve ids again.
    for (const a of integrations.values())
      for (const r of a.roles)
        if ("role" in r.state) {
          r.state = {
            type: "CUSTOM",
            role: roleLabels.get(r.state.role.replace(/^id:/, "")) ?? r.state.role,
            resourceSet:
              setLabels.get(r.state.resourceSet.replace(/^id:/, "")) ?? r.state.resourceSet,
          };
        }
    const self = [...integrations.values()].find((a) => a.app?.clientId === this.selfClientId);
    const selfRaw = input.apps.find((a) => clientIdOf(a) === this.selfClientId);
    const selfKey = canonicalJwks(selfRaw?.settings?.oauthClient?.jwks?.keys ?? []).find(
      (k) => k.kid === this.settings.keyId,
    );
    return {
      integrations,
      unowned,
      scope: input.scope,
      ...(self ? { self: self.name } : {}),
      ...(selfKey ? { selfKey } : {}),
      selfScopes: this.settings.scopes,
      ...(input.logins.state ? { loginBlock: input.logins.state } : {}),
    };
  }

  /**
   * What an adoption must know before the plan lets it take an object over: who else uses each
   * zone, custom role and resource set an import line names (apps, API tokens and policies on a
   * zone; principals bound to a role or resource set), and whose a registered API token is. Read
   * only for objects being adopted, so a plan without adoptions costs nothing more.
   */
  private async readAdoptionFacts(
    integrations: Map<string, ActualIntegration>,
    adoptions: ReadonlyMap<string, Adoption>,
    inScope: (name: string) => boolean,
  ): Promise<void> {
    const all = [...integrations.values()].filter((a) => inScope(a.name));
    const zones = all.flatMap((a) => (a.zone?.adopt ? [a.zone] : []));
    const roles = all.flatMap((a) => (a.customRole?.adopt ? [a.customRole] : []));
    const sets = all.flatMap((a) => (a.resourceSet?.adopt ? [a.resourceSet] : []));
    const names = new Map<string, Promise<string | undefined>>();
    const nameOf = (kind: "user" | "group", id: string) => {
      const key = `${kind}:${id}`;
      if (!names.has(key))
        names.set(
          key,
          kind === "user"
            ? this.getOptional(RawUser, `/api/v1/users/${enc(id)}`).then((u) => u?.profile?.login)
            : this.getOptional(RawGroup, `/api/v1/groups/${enc(id)}`).then((g) => g?.profile.name),
        );
      return names.get(key)!;
    };
    const work: Promise<void>[] = [];

    // Whose each registered token is: the plan refuses one that is not the declared account's.
    for (const a of all) {
      const t = a.token;
      if (!t?.userId || !adoptions.get(a.name)?.serviceAccount) continue;
      if (t.userId === a.serviceAccount?.id) continue;
      const userId = t.userId;
      work.push(
        nameOf("user", userId).then((login) => {
          if (login !== undefined) t.ownerLogin = login;
        }),
      );
    }

    if (zones.length) {
      const zoneIds = new Set(zones.map((z) => z.id));
      const usage = new Map<string, Usage[]>([...zoneIds].map((id) => [id, []]));
      const note = (n: z.infer<typeof RawNetwork> | undefined, use: Usage) => {
        for (const id of new Set([...(n?.include ?? []), ...(n?.exclude ?? [])]))
          usage.get(id)?.push(use);
      };
      const [apps, tokens, policies] = await Promise.all([
        this.list(RawApp, `/api/v1/apps?limit=200`),
        this.list(RawToken, `/api/v1/api-tokens`),
        Promise.all(
          POLICY_TYPES.map((type) =>
            this.call<unknown[]>("GET", `/api/v1/policies?type=${type}`).then(
              ({ json }) => z.array(RawPolicy).parse(json),
              // A type the org does not have (a Classic org has no ACCESS_POLICY): none of it.
              (error: unknown) => {
                if ((error as { status?: number }).status === 400) return [];
                throw error;
              },
            ),
          ),
        ).then((lists) => lists.flat()),
      ]);
      for (const app of apps)
        note(app.settings?.oauthClient?.network, { kind: "app", id: app.id, name: app.label });
      for (const t of tokens) note(t.network, { kind: "token", id: t.id, name: t.name });
      await Promise.all(
        policies.map(async (p) => {
          note(p.conditions?.network, { kind: "policy", id: p.id, name: p.name });
          const { json } = await this.call<unknown[]>("GET", `/api/v1/policies/${p.id}/rules`);
          for (const r of z.array(RawRule).parse(json))
            note(r.conditions?.network, {
              kind: "policyRule",
              id: r.id,
              name: `${r.name} (policy ${p.name})`,
            });
        }),
      );
      for (const zone of zones) zone.usedBy = usage.get(zone.id) ?? [];
    }

    if (roles.length || sets.length) {
      // Who is bound to a role on a set: a custom role may be bound on any set, so its uses are
      // found through every set's bindings.
      const setIds = roles.length
        ? (await this.listIam(RawRole, `/api/v1/iam/resource-sets`, "resource-sets")).map(
            (x) => x.id,
          )
        : [];
      for (const x of sets) if (!setIds.includes(x.id)) setIds.push(x.id);
      const roleIds = new Set(roles.map((r) => r.id));
      const adoptedSets = new Set(sets.map((x) => x.id));
      const byRole = new Map<string, Usage[]>([...roleIds].map((id) => [id, []]));
      const bySet = new Map<string, Usage[]>([...adoptedSets].map((id) => [id, []]));
      await Promise.all(
        setIds.map(async (setId) => {
          const bound = await this.listIam(
            z.looseObject({ id: z.string() }),
            `/api/v1/iam/resource-sets/${setId}/bindings`,
            "roles",
          );
          for (const { id: roleId } of bound) {
            if (!roleIds.has(roleId) && !adoptedSets.has(setId)) continue;
            const members = await this.listIam(
              RawMember,
              `/api/v1/iam/resource-sets/${setId}/bindings/${roleId}/members`,
              "members",
            );
            for (const m of members) {
              const use = memberUsage(m._links?.self?.href ?? "");
              byRole.get(roleId)?.push(use);
              bySet.get(setId)?.push(use);
            }
          }
        }),
      );
      const named = (uses: Usage[]) =>
        Promise.all(
          uses.map(async (u) => {
            if (u.kind !== "user" && u.kind !== "group") return u;
            const name = await nameOf(u.kind, u.id);
            return name !== undefined ? { ...u, name } : u;
          }),
        );
      for (const r of roles)
        work.push(named(byRole.get(r.id) ?? []).then((u) => void (r.usedBy = u)));
      for (const x of sets)
        work.push(named(bySet.get(x.id) ?? []).then((u) => void (x.usedBy = u)));
    }
    await Promise.all(work);
  }

  // --- writing -------------------------------------------------------------------------------

  async execute(op: Operation, refs: Refs): Promise<string | undefined> {
    const id = op.target?.id;
    const appId = () => need(refs, `app:${op.integration}`);
    // Adopting is updating: the bodies the bot sends carry its marker.
    const action = op.action === "adopt" ? "update" : op.action;
    switch (`${op.kind}:${action}`) {
      case "zone:create":
        return (
          await this.call<{ id: string }>("POST", "/api/v1/zones", zoneBody(op.after as ZoneState))
        ).json.id;
      case "zone:update":
        await this.call("PUT", `/api/v1/zones/${id}`, zoneBody(op.after as ZoneState));
        return undefined;
      case "zone:delete":
        await this.call("POST", `/api/v1/zones/${id}/lifecycle/deactivate`, undefined, {
          idempotent: true,
        }).catch(ignore404);
        await this.call("DELETE", `/api/v1/zones/${id}`).catch(ignore404);
        return undefined;

      case "customRole:create": {
        const r = op.after as CustomRoleState;
        return (await this.call<{ id: string }>("POST", "/api/v1/iam/roles", r)).json.id;
      }
      case "customRole:update": {
        const before = op.before as CustomRoleState;
        const after = op.after as CustomRoleState;
        if (before.label !== after.label || before.description !== after.description)
          await this.call("PUT", `/api/v1/iam/roles/${id}`, {
            label: after.label,
            description: after.description,
          });
        for (const p of after.permissions.filter((x) => !before.permissions.includes(x)))
          await this.call("POST", `/api/v1/iam/roles/${id}/permissions/${p}`, {}).catch(
            ignoreExisting,
          );
        for (const p of before.permissions.filter((x) => !after.permissions.includes(x)))
          await this.call("DELETE", `/api/v1/iam/roles/${id}/permissions/${p}`).catch(ignore404);
        return undefined;
      }
      case "customRole:delete":
        await this.call("DELETE", `/api/v1/iam/roles/${id}`).catch(ignore404);
        return undefined;

      case "resourceSet:create": {
        const s = op.after as ResourceSetState;
        const body = { ...s, resources: s.resources.map((r) => resourceUrl(this.orgUrl, r)) };
        return (await this.call<{ id: string }>("POST", "/api/v1/iam/resource-sets", body)).json.id;
      }
      case "resourceSet:update": {
        const before = op.before as ResourceSetState;
        const after = op.after as ResourceSetState;
        if (before.label !== after.label || before.description !== after.description)
          await this.call("PUT", `/api/v1/iam/resource-sets/${id}`, {
            label: after.label,
            description: after.description,
          });
        const additions = after.resources.filter((r) => !before.resources.includes(r));
        if (additions.length)
          await this.call(
            "PATCH",
            `/api/v1/iam/resource-sets/${id}/resources`,
            { additions: additions.map((r) => resourceUrl(this.orgUrl, r)) },
            { idempotent: true },
          );
        for (const r of before.resources.filter((x) => !after.resources.includes(x))) {
          const rid = op.target?.resourceIds?.[r];
          if (rid)
            await this.call("DELETE", `/api/v1/iam/resource-sets/${id}/resources/${rid}`).catch(
              ignore404,
            );
        }
        return undefined;
      }
      case "resourceSet:delete":
        await this.call("DELETE", `/api/v1/iam/resource-sets/${id}`).catch(ignore404);
        return undefined;

      case "app:create": {
        const body = appBody(op.integration, op.after as AppState, refs, {});
        return (await this.call<{ id: string }>("POST", "/api/v1/apps?activate=true", body)).json
          .id;
      }
      case "app:update": {
        const after = op.after as AppState;
        await this.call(
          "PUT",
          `/api/v1/apps/${id}`,
          appBody(op.integration, after, refs, op.target?.raw ?? {}),
        );
        const before = op.before as AppState;
        if (before.status !== after.status)
          await this.call(
            "POST",
            `/api/v1/apps/${id}/lifecycle/${after.status === "ACTIVE" ? "activate" : "deactivate"}`,
            undefined,
            {
              idempotent: true,
            },
          );
        return undefined;
      }
      case "app:delete":
        await this.call("POST", `/api/v1/apps/${id}/lifecycle/deactivate`, undefined, {
          idempotent: true,
        }).catch(ignore404);
        await this.call("DELETE", `/api/v1/apps/${id}`).catch(ignore404);
        return undefined;

      case "grant:create": {
        const { scope } = op.after as { scope: string };
        const res = await this.call<{ id: string }>("POST", `/api/v1/apps/${appId()}/grants`, {
          issuer: this.orgUrl,
          scopeId: scope,
        });
        return res.json.id;
      }
      case "grant:delete":
        await this.call("DELETE", `/api/v1/apps/${appId()}/grants/${id}`).catch(ignore404);
        return undefined;

      case "roleAssignment:create":
      case "roleAssignment:update": {
        const roles = rolesPath(op, refs);
        if (action === "update") await this.call("DELETE", `${roles}/${id}`).catch(ignore404);
        const role = op.after as RoleAssignmentState;
        const body =
          "role" in role
            ? {
                type: "CUSTOM",
                role: need(refs, `customRole:${role.role}`),
                "resource-set": need(refs, `resourceSet:${role.resourceSet}`),
              }
            : { type: role.type };
        return (await this.call<{ id: string }>("POST", roles, body)).json.id;
      }
      case "roleAssignment:delete":
        await this.call("DELETE", `${rolesPath(op, refs)}/${id}`).catch(ignore404);
        return undefined;

      case "rateLimit:create":
      case "rateLimit:update": {
        const { percent, principalType } = op.after as { percent: number; principalType?: string };
        const token = principalType === "SSWS_TOKEN";
        const body = {
          principalId: token ? need(refs, `token:${op.integration}`) : appId(),
          principalType: token ? "SSWS_TOKEN" : "OAUTH_CLIENT",
          defaultPercentage: percent,
          defaultConcurrencyPercentage: percent,
        };
        if (action === "update") {
          await this.call("PUT", `/api/v1/principal-rate-limits/${id}`, body);
          return undefined;
        }
        return (await this.call<{ id: string }>("POST", "/api/v1/principal-rate-limits", body)).json
          .id;
      }

      case "loginGroup:create": {
        const g = op.after as { name: string; description: string };
        const res = await this.call<{ id: string }>("POST", "/api/v1/groups", {
          profile: { name: g.name, description: g.description },
        });
        return res.json.id;
      }
      case "loginRule:create":
      case "loginRule:update": {
        const r = op.after as { name: string; access: string; policyId: string };
        const body = {
          type: "SIGN_ON",
          name: r.name,
          priority: 1,
          status: "ACTIVE",
          // Okta's PolicyPeopleCondition requires both users and groups, each with include and
          // exclude (the spec check in test/reconcile/spec-conformance.test.ts holds us to it).
          conditions: {
            people: {
              groups: { include: [need(refs, "loginGroup")], exclude: [] },
              users: { include: [], exclude: [] },
            },
          },
          actions: { signon: { access: r.access, requireFactor: false } },
        };
        const path = `/api/v1/policies/${r.policyId}/rules`;
        if (action !== "update")
          return (await this.call<{ id: string }>("POST", path, body)).json.id;
        await this.call("PUT", `${path}/${id}`, body);
        // A replace does not change a rule's status: a rule deactivated by hand is activated.
        await this.call("POST", `${path}/${id}/lifecycle/activate`, undefined, {
          idempotent: true,
        });
        return undefined;
      }
      case "loginBlock:create":
        await this.call("PUT", `/api/v1/groups/${need(refs, "loginGroup")}/users/${id}`);
        return undefined;
      case "loginBlock:delete":
        await this.call("DELETE", `/api/v1/groups/${need(refs, "loginGroup")}/users/${id}`).catch(
          ignore404,
        );
        return undefined;

      case "token:update": {
        const t = op.after as { name: string; network: AppState["network"] };
        await this.call("PUT", `/api/v1/api-tokens/${id}`, {
          name: t.name,
          network:
            t.network.connection === "ZONE"
              ? { connection: "ZONE", include: [need(refs, `zone:${t.network.zone}`)] }
              : { connection: "ANYWHERE" },
        });
        return undefined;
      }
      case "token:delete":
        await this.call("DELETE", `/api/v1/api-tokens/${id}`).catch(ignore404);
        return undefined;
    }
    throw new Error(`no way to ${op.action} a ${op.kind}`);
  }

  /** An app by id, or by its exact label, with what it holds: for `okta-gitops import`. */
  async describeApp(ref: string): Promise<ImportedApp> {
    let app: RawApp | undefined;
    if (/^0oa[A-Za-z0-9]{5,}$/.test(ref))
      app = await this.getOptional(RawApp, `/api/v1/apps/${ref}`);
    if (!app) {
      const found = (
        await this.list(
          RawApp,
          `/api/v1/apps?q=${enc(ref)}&filter=${enc('name eq "oidc_client"')}&limit=200`,
        )
      ).filter((a) => a.label === ref);
      if (found.length > 1)
        throw new Error(
          `${found.length} apps are labelled "${ref}" (${found.map((a) => a.id).join(", ")}): give the app's id`,
        );
      app = found[0];
    }
    if (!app) throw new Error(`no API service app with the id or label "${ref}"`);
    const oc = app.settings?.oauthClient ?? {};
    const clientId = clientIdOf(app);
    const [grants, roles, limits] = await Promise.all([
      this.call<unknown[]>("GET", `/api/v1/apps/${app.id}/grants`).then(({ json }) =>
        z
          .array(RawGrant)
          .parse(json)
          .filter((g) => g.status !== "REVOKED"),
      ),
      this.call<unknown[]>("GET", `/oauth2/v1/clients/${clientId}/roles`).then(({ json }) =>
        z.array(RawClientRole).parse(json),
      ),
      this.list(
        RawRateLimit,
        `/api/v1/principal-rate-limits?filter=${enc(`principalId eq "${clientId}"`)}&limit=50`,
      ),
    ]);
    const zoneId = oc.network?.connection === "ZONE" ? oc.network.include?.[0] : undefined;
    const zone = zoneId ? await this.getOptional(RawZone, `/api/v1/zones/${zoneId}`) : undefined;
    const describedRoles: ImportedApp["roles"] = [];
    for (const r of roles) {
      if (r.type !== "CUSTOM") {
        describedRoles.push({ standard: r.type });
        continue;
      }
      const [permissions, resources] = await Promise.all([
        this.call("GET", `/api/v1/iam/roles/${r.role}/permissions`).then(({ json }) =>
          RawPermissions.parse(json).permissions.map((p) => p.label),
        ),
        this.listIam(
          RawResource,
          `/api/v1/iam/resource-sets/${r["resource-set"]}/resources`,
          "resources",
        ),
      ]);
      describedRoles.push({
        custom: {
          permissions: sortedUnique(permissions),
          resources: sortedUnique(
            resources.flatMap((x) => {
              const v = x.orn ?? x._links?.self?.href;
              return v ? [canonicalResource(v)] : [];
            }),
          ),
        },
        roleId: r.role ?? "",
        resourceSetId: r["resource-set"] ?? "",
      });
    }
    const marker = markerOf(app);
    return {
      id: app.id,
      label: app.label,
      ...(marker ? { managedAs: marker.integration } : {}),
      jwks: (oc.jwks?.keys ?? []).filter((k) => k.status === undefined || k.status === "ACTIVE"),
      dpop: oc.dpop_bound_access_tokens === true,
      tokenExchange: hasTokenExchange(oc.grant_types),
      scopes: sortedUnique(grants.map((g) => g.scopeId)),
      roles: describedRoles,
      ...(zone
        ? {
            zone: {
              id: zone.id,
              name: zone.name,
              gateways: (zone.gateways ?? []).map((g) => g.value),
            },
          }
        : {}),
      network: oc.network?.connection === "ZONE" ? "ZONE" : "ANYWHERE",
      ...(limits[0]?.defaultPercentage !== undefined
        ? { rateLimitPercent: limits[0].defaultPercentage }
        : {}),
    };
  }

  /** Finds by marker (or name) what a create whose answer was lost may have made. */
  async findCreated(op: Operation, refs: Refs): Promise<string | undefined> {
    const after = op.after as Raw;
    switch (op.kind) {
      case "loginGroup": {
        const groups = await this.list(RawGroup, `/api/v1/groups?q=${enc(LOGIN_GROUP)}&limit=200`);
        return groups.find((g) => g.profile.name === LOGIN_GROUP)?.id;
      }
      case "loginRule": {
        const { json } = await this.call("GET", `/api/v1/policies/${String(after.policyId)}/rules`);
        return z
          .array(RawRule)
          .parse(json)
          .find((r) => r.name === LOGIN_RULE)?.id;
      }
      case "zone": {
        const zones = await this.list(RawZone, `/api/v1/zones?limit=200`);
        return zones.find((z) => z.name === after.name)?.id;
      }
      case "customRole":
      case "resourceSet": {
        const path = op.kind === "customRole" ? "roles" : "resource-sets";
        const r = await this.getOptional(
          RawRole,
          `/api/v1/iam/${path}/${enc(String(after.label))}`,
        );
        return r && r.description === after.description ? r.id : undefined;
      }
      case "app": {
        const found = await this.list(
          RawApp,
          `/api/v1/apps?q=${enc(String(after.label))}&filter=${enc('name eq "oidc_client"')}&limit=200`,
        );
        return found.find((a) => markerOf(a)?.integration === op.integration)?.id;
      }
      case "grant": {
        const grants = z
          .array(RawGrant)
          .parse(
            (await this.call("GET", `/api/v1/apps/${need(refs, `app:${op.integration}`)}/grants`))
              .json,
          );
        return grants.find((g) => g.scopeId === after.scope)?.id;
      }
      case "roleAssignment": {
        const roles = z
          .array(RawClientRole)
          .parse((await this.call("GET", rolesPath(op, refs))).json);
        const role = op.after as RoleAssignmentState;
        const match = roles.find((r) =>
          "role" in role
            ? r.type === "CUSTOM" &&
              r.role === refs.get(`customRole:${role.role}`) &&
              r["resource-set"] === refs.get(`resourceSet:${role.resourceSet}`)
            : r.type === role.type,
        );
        return match?.id;
      }
      case "rateLimit": {
        const token = (op.after as { principalType?: string }).principalType === "SSWS_TOKEN";
        const client = need(refs, `${token ? "token" : "app"}:${op.integration}`);
        const ls = await this.list(
          RawRateLimit,
          `/api/v1/principal-rate-limits?filter=${enc(`principalId eq "${client}"`)}&limit=50`,
        );
        return ls[0]?.id;
      }
    }
  }
}

/** Where the actual state's objects are, for apply to resolve references by name. */
export function refsOf(actual: ActualState): Refs {
  const refs: Refs = new Map();
  // The shared group denied interactive sign-in: every exception's account is added to it, and a
  // repaired rule points at it, also when it was there before this run.
  const group =
    actual.loginBlock?.groupId ??
    [...actual.integrations.values()].find((a) => a.serviceAccount?.loginGroupId)?.serviceAccount
      ?.loginGroupId;
  if (group) refs.set("loginGroup", group);
  for (const a of actual.integrations.values()) {
    if (a.app) refs.set(`app:${a.name}`, a.app.id);
    if (a.token) refs.set(`token:${a.name}`, a.token.id);
    if (a.serviceAccount) refs.set(`serviceAccount:${a.name}`, a.serviceAccount.id);
    if (a.zone) refs.set(`zone:${a.zone.state.name}`, a.zone.id);
    if (a.customRole) refs.set(`customRole:${a.customRole.state.label}`, a.customRole.id);
    if (a.resourceSet) refs.set(`resourceSet:${a.resourceSet.state.label}`, a.resourceSet.id);
  }
  return refs;
}

// --- mapping -----------------------------------------------------------------------------------

/** A binding member by its URL: a user, a group or an OAuth client. Anything else stays a use
 * that no integration owns (so an adoption is refused, never allowed, on what cannot be read). */
function memberUsage(href: string): Usage {
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

function markerOf(app: RawApp): z.infer<typeof Marker> | undefined {
  const m = Marker.safeParse(app.profile?.[MARKER_KEY]);
  return m.success && m.data.managedBy === MANAGED_BY ? m.data : undefined;
}

function clientIdOf(app: RawApp): string {
  return app.credentials?.oauthClient?.client_id ?? app.id;
}

function appState(app: RawApp, zoneNames: Map<string, string>): AppState {
  const oc = app.settings?.oauthClient ?? {};
  const net = oc.network;
  const zoneId = net?.include?.[0];
  return {
    label: app.label,
    jwks: canonicalJwks(
      (oc.jwks?.keys ?? []).filter((k) => k.status === undefined || k.status === "ACTIVE"),
    ) as JwkState[],
    dpop: oc.dpop_bound_access_tokens === true,
    tokenExchange: hasTokenExchange(oc.grant_types),
    network:
      net?.connection === "ZONE" && zoneId
        ? { connection: "ZONE", zone: zoneNames.get(zoneId) ?? `id:${zoneId}` }
        : { connection: "ANYWHERE" },
    status: app.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
  };
}

function roleState(
  r: z.infer<typeof RawClientRole>,
  roles: Map<string, string>,
  sets: Map<string, string>,
): RoleAssignmentState {
  if (r.type !== "CUSTOM") return { type: r.type };
  return {
    type: "CUSTOM",
    role: roles.get(r.role ?? "") ?? `id:${r.role}`,
    resourceSet: sets.get(r["resource-set"] ?? "") ?? `id:${r["resource-set"]}`,
  };
}

/** A principal rate limit as the plan compares it: both shares the bot sets (Okta's default share
 * is 50% when none is given). */
function rateLimitState(
  l: z.infer<typeof RawRateLimit>,
): NonNullable<ActualIntegration["rateLimit"]> {
  return {
    id: l.id,
    percent: l.defaultPercentage ?? 50,
    ...(l.defaultConcurrencyPercentage !== undefined
      ? { concurrencyPercent: l.defaultConcurrencyPercentage }
      : {}),
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

/** Where an integration's admin role assignments are: its app's client, or the service account of
 * its API token (Okta's /api/v1/users/{userId}/roles). The same operations serve both. */
function rolesPath(op: Operation, refs: Refs): string {
  return op.assignee === "serviceAccount"
    ? `/api/v1/users/${need(refs, `serviceAccount:${op.integration}`)}/roles`
    : `/oauth2/v1/clients/${need(refs, `app:${op.integration}`)}/roles`;
}

function need(refs: Refs, key: string): string {
  const id = refs.get(key);
  if (!id)
    throw Object.assign(new Error(`${key} is not in Okta (an earlier step failed)`), {
      status: 400,
    });
  return id;
}

function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

const enc = encodeURIComponent;

const INTEGRATION_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

function ignore404(error: unknown): void {
  if ((error as { status?: number }).status !== 404) throw error;
}

function ignoreExisting(error: unknown): void {
  const status = (error as { status?: number }).status;
  if (status !== 400 && status !== 409) throw error;
}

function withContext(error: unknown, method: string, url: string): Error {
  const e = error as { status?: number; message?: string };
  const path = url.replace(/^https?:\/\/[^/]+/, "");
  const status = typeof e.status === "number" ? e.status : undefined;
  const message = `${method} ${path}: ${(e.message ?? String(error)).replace(/^Okta HTTP \d+ /, "")}`;
  return Object.assign(new Error(message), status !== undefined ? { status } : {});
}

// --- import ------------------------------------------------------------------------------------

/** What `okta-gitops import` needs to know of an existing app, in the file's terms. */
export interface ImportedApp {
  id: string;
  label: string;
  /** The integration named in the app's marker, when the bot already owns it. */
  managedAs?: string;
  jwks: Record<string, unknown>[];
  dpop: boolean;
  tokenExchange: boolean;
  scopes: string[];
  roles: (
    | { standard: string }
    | {
        custom: { permissions: string[]; resources: string[] };
        roleId: string;
        resourceSetId: string;
      }
  )[];
  zone?: { id: string; name: string; gateways: string[] };
  network: "ZONE" | "ANYWHERE";
  rateLimitPercent?: number;
}
