// Reading: what the bot owns in Okta, assembled into the reconciler's canonical actual state.
//
// Reading costs about two calls per integration: the paged lists (apps, zones, custom roles,
// resource sets, principal rate limits) carry nearly everything, and only grants and client roles,
// which Okta does not list across apps, are read per app. A pull request's plan reads only the
// integrations it changes: by label for the app, then by id for what the app points at. Reading
// stays one module across kinds (not one read per kind, as terraform-provider-okta reads each
// resource): ownership, adoption and names cross kinds (a token's zone, a role's resource set).
// The login block (read-login-block.ts) and adoption facts (read-adoption.ts) are read apart.
import { z } from "zod";
import {
  DESCRIPTION_PREFIX,
  NAME_PREFIX,
  objectName,
  LOGIN_GROUP,
  type Adoption,
  type ActualIntegration,
  type ActualState,
  type CustomRoleState,
  type ResourceSetState,
  type UnownedObject,
} from "../reconcile/model.js";
import { canonicalJwks, sortedUnique } from "../reconcile/normalise.js";
import { objectKey, type NamedObject } from "../reconcile/resources.js";
import { clientIdOf, markerOf, appState, RawApp } from "./kinds/app.js";
import { RawIamObject, readPermissions } from "./kinds/custom-role.js";
import { RawGrant } from "./kinds/grant.js";
import { RawGroup } from "./kinds/login-block.js";
import { RawRateLimit, rateLimitState } from "./kinds/rate-limit.js";
import { readResources } from "./kinds/resource-set.js";
import { heldThroughGroup, RawRoleAssignment, roleState } from "./kinds/role-assignment.js";
import { RawToken } from "./kinds/token.js";
import { RawUser } from "./kinds/user.js";
import { RawZone, zoneState } from "./kinds/zone.js";
import { readAdoptionFacts } from "./read-adoption.js";
import { readLoginBlock, type LoginBlockRead } from "./read-login-block.js";
import type { OktaSettings } from "./settings.js";
import { enc, type OktaTransport, type Raw } from "./transport.js";

const INTEGRATION_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** An integration a pull request's plan reads: its file's label (none for a removal), the label it
 * had at the merge base when it existed there, and the objects its import line names. */
export interface WantedIntegration {
  name: string;
  label?: string;
  previousLabel?: string;
  adopt?: Adoption;
}

export class OktaReader {
  constructor(
    private readonly t: OktaTransport,
    private readonly settings: OktaSettings,
  ) {}

  /** The bot's own app: never deleted, whatever the files say. */
  get selfClientId(): string {
    return this.settings.clientId;
  }

  /** Everything the bot owns, for apply and drift. */
  async readAll(adoptions: ReadonlyMap<string, Adoption> = new Map()): Promise<ActualState> {
    const withTokens = [...adoptions.values()].some((a) => a.token);
    const [apps, zones, roles, sets, limits, tokens, tokenLimits] = await Promise.all([
      this.t.list(RawApp, `/api/v1/apps?filter=${enc('name eq "oidc_client"')}&limit=200`),
      this.t.list(RawZone, `/api/v1/zones?limit=200`),
      this.t.listIam(RawIamObject, `/api/v1/iam/roles`, "roles"),
      this.t.listIam(RawIamObject, `/api/v1/iam/resource-sets`, "resource-sets"),
      this.t.list(
        RawRateLimit,
        `/api/v1/principal-rate-limits?filter=${enc('principalType eq "OAUTH_CLIENT"')}&limit=50`,
      ),
      this.t.list(RawToken, `/api/v1/api-tokens`),
      // Token rate shares only matter when the repository has token exceptions (or had: their
      // tokens carry the marker, and a removal needs no rate share).
      withTokens
        ? this.t.list(
            RawRateLimit,
            `/api/v1/principal-rate-limits?filter=${enc('principalType eq "SSWS_TOKEN"')}&limit=50`,
          )
        : Promise.resolve([]),
    ]);
    const limitByPrincipal = new Map([...limits, ...tokenLimits].map((l) => [l.principalId, l]));
    const logins = await readLoginBlock(this.t, adoptions);
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
  async readIntegrations(wanted: WantedIntegration[]): Promise<ActualState> {
    const tokens: RawToken[] = [];
    // An integration whose file is gone has no label to search by: its app is found by marker in
    // the full list (read once), so that a pull request removing a file plans the deletion.
    let allApps: Promise<RawApp[]> | undefined;
    const everyApp = () =>
      (allApps ??= this.t.list(
        RawApp,
        `/api/v1/apps?filter=${enc('name eq "oidc_client"')}&limit=200`,
      ));
    const adoptions = new Map(wanted.flatMap((w) => (w.adopt ? [[w.name, w.adopt] as const] : [])));
    const names = new Set(wanted.map((w) => w.name));
    const apps: RawApp[] = [];
    const zones: RawZone[] = [];
    const roles: RawIamObject[] = [];
    const sets: RawIamObject[] = [];
    const limitByPrincipal = new Map<string, RawRateLimit>();
    await Promise.all(
      wanted.map(async ({ name, label, previousLabel, adopt }) => {
        const byLabel = (extra: { customRole?: string; resourceSet?: string } = {}) =>
          (
            [
              ["roles", roles, extra.customRole],
              ["resource-sets", sets, extra.resourceSet],
            ] as const
          ).flatMap(([kind, list, adopted]) =>
            [...new Set([`${NAME_PREFIX}${name}`, adopted].filter((x): x is string => !!x))].map(
              (key) =>
                this.t
                  .getOptional(RawIamObject, `/api/v1/iam/${kind}/${enc(key)}`)
                  .then((r) => void (r && !list.some((x) => x.id === r.id) && list.push(r))),
            ),
          );
        if (adopt?.token) {
          // An ApiTokenException: its custom role and resource set by label; its token by id, then
          // its zone and rate share.
          const labelled = Promise.all(byLabel(adopt));
          const token = await this.t.getOptional(RawToken, `/api/v1/api-tokens/${adopt.token}`);
          await labelled;
          if (!token) return;
          tokens.push(token);
          const zoneIds = new Set([token.network?.include?.[0], adopt.zone].filter((x) => !!x));
          await Promise.all([
            ...[...zoneIds].map((zoneId) =>
              this.t
                .getOptional(RawZone, `/api/v1/zones/${zoneId}`)
                .then((z) => void (z && !zones.some((x) => x.id === z.id) && zones.push(z))),
            ),
            this.t
              .list(
                RawRateLimit,
                `/api/v1/principal-rate-limits?filter=${enc(`principalId eq "${token.id}"`)}&limit=50`,
              )
              .then((ls) => ls.forEach((l) => limitByPrincipal.set(l.principalId, l))),
          ]);
          return;
        }
        // Searched by the file's label, and by the label it had before the change (a pull
        // request that relabels an app must plan the rename, not a second app).
        const searched = await Promise.all(
          [...new Set([label, previousLabel].filter((l): l is string => l !== undefined))].map(
            (l) =>
              this.t.list(
                RawApp,
                `/api/v1/apps?q=${enc(l)}&filter=${enc('name eq "oidc_client"')}&limit=200`,
              ),
          ),
        );
        const found = [...new Map(searched.flat().map((a) => [a.id, a] as const)).values()];
        // No label to search by (a removal), or an integration that existed before whose app no
        // label finds (relabelled in Okta by hand): found by marker in the full list.
        if (
          label === undefined ||
          (previousLabel !== undefined && !found.some((a) => markerOf(a)?.integration === name))
        )
          for (const a of await everyApp())
            if (markerOf(a)?.integration === name && !found.some((f) => f.id === a.id))
              found.push(a);
        if (adopt?.app && !found.some((a) => a.id === adopt.app)) {
          const app = await this.t.getOptional(RawApp, `/api/v1/apps/${adopt.app}`);
          if (app) found.push(app);
        }
        const mine = found.filter(
          (a) =>
            markerOf(a)?.integration === name ||
            (label !== undefined && a.label === label) ||
            a.id === adopt?.app,
        );
        apps.push(...mine);
        const owned =
          mine.find((a) => markerOf(a)?.integration === name) ??
          mine.find((a) => a.id === adopt?.app);
        const zoneId = owned?.settings?.oauthClient?.network?.include?.[0];
        const extra: Promise<void>[] = [];
        for (const id of new Set([zoneId, adopt?.zone].filter((x): x is string => !!x)))
          extra.push(
            this.t
              .getOptional(RawZone, `/api/v1/zones/${id}`)
              .then((z) => void (z && zones.push(z))),
          );
        extra.push(...byLabel(adopt));
        if (owned) {
          extra.push(
            this.t
              .list(
                RawRateLimit,
                `/api/v1/principal-rate-limits?filter=${enc(`principalId eq "${clientIdOf(owned)}"`)}&limit=50`,
              )
              .then((ls) => ls.forEach((l) => limitByPrincipal.set(l.principalId, l))),
          );
        }
        await Promise.all(extra);
      }),
    );
    const logins = await readLoginBlock(this.t, adoptions);
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
        if (!(await this.t.getOptional(z.looseObject({ id: z.string() }), path)))
          missing.add(objectKey(o));
      }),
    );
    return missing;
  }

  private async assemble(input: {
    logins: LoginBlockRead;
    apps: RawApp[];
    zones: RawZone[];
    roles: RawIamObject[];
    sets: RawIamObject[];
    tokens: RawToken[];
    limitByPrincipal: Map<string, RawRateLimit>;
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
        state: zoneState(z),
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
        state: zoneState(z),
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
            readPermissions(this.t, r.id).then((permissions) => {
              a.customRole = {
                id: r.id,
                ...(adopter ? { adopt: true } : {}),
                state: {
                  label: r.label,
                  description: r.description ?? "",
                  permissions: sortedUnique(permissions),
                } satisfies CustomRoleState,
              };
            }),
          );
        } else {
          detail.push(
            readResources(this.t, r.id).then((resourceIds) => {
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
            this.t.call<unknown[]>("GET", `/api/v1/users/${userId}/roles`),
            this.t.list(RawGroup, `/api/v1/users/${userId}/groups`),
            this.t.getOptional(RawUser, `/api/v1/users/${userId}`),
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
              .array(RawRoleAssignment)
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
        this.t.call<unknown[]>("GET", `/api/v1/apps/${app.id}/grants`).then(({ json }) => {
          a.grants = z
            .array(RawGrant)
            .parse(json)
            .filter((g) => g.status !== "REVOKED")
            .map((g) => ({ id: g.id, scope: g.scopeId }));
        }),
        this.t.call<unknown[]>("GET", `/oauth2/v1/clients/${clientId}/roles`).then(({ json }) => {
          a.roles = z
            .array(RawRoleAssignment)
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
    await readAdoptionFacts(this.t, integrations, input.adoptions, inScope);
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
}
