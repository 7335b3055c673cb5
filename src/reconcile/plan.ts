// Diff and plan: the operations that turn what Okta holds into what the repository says, as data,
// in dependency order (zone, custom role and resource set before the app and its assignment; the
// app before its grants, role and rate limit; deletions last, dependents first), each with before,
// after and the risk flags a reviewer must see.
import {
  RESOURCE_KINDS,
  type ActualIntegration,
  type ActualState,
  type DesiredIntegration,
  type DesiredToken,
  LOGIN_GROUP,
  LOGIN_GROUP_DESCRIPTION,
  LOGIN_RULE,
  SHARED,
  type Operation,
  type Plan,
  type ResourceKind,
  type RiskFlag,
  type RoleAssignmentState,
} from "./model.js";
import { roleKey, sameJson } from "./normalise.js";

const opId = (integration: string, kind: ResourceKind, detail?: string): string =>
  detail ? `${integration}/${kind}/${detail}` : `${integration}/${kind}`;

export interface PlanInput {
  /** API token exceptions past their expiry (`bot.exceptions.onExpiry: revoke`): their access
   * ends as if the file were removed, but the account stays denied interactive sign-in. */
  expired?: ReadonlySet<string>;
  /** Integrations compared read-only (refused): they alone never call for the shared block. */
  readOnly?: ReadonlySet<string>;
}

export function plan(
  desired: ReadonlyMap<string, DesiredIntegration>,
  actual: ActualState,
  tokens: ReadonlyMap<string, DesiredToken> = new Map(),
  input: PlanInput = {},
): Plan {
  const inScope = (name: string) => actual.scope === "all" || actual.scope.has(name);
  const names = [...new Set([...desired.keys(), ...tokens.keys(), ...actual.integrations.keys()])]
    .filter(inScope)
    .sort();
  const changes: Operation[] = [];
  const deletions: Operation[] = [];
  const shared = [...tokens.keys()].some((n) => inScope(n) && !input.readOnly?.has(n))
    ? planLoginBlock(actual)
    : [];
  changes.push(...shared);
  for (const name of names) {
    const d = desired.get(name);
    const t = tokens.get(name);
    const a = actual.integrations.get(name) ?? { name, grants: [], roles: [] };
    if (d) changes.push(...planIntegration(keepOwnKey(d, actual), a, actual));
    else if (t) changes.push(...planToken(t, a, actual, shared));
    // Without a file, the bot's own app is left alone: deleting it would lock the bot out.
    else if (name !== actual.self)
      deletions.push(...planRemoval(a, removalBlock(a, actual, tokens, input.expired)));
  }
  return { operations: [...changes, ...deletions], integrations: names };
}

/** The bot's own file may not list the key or the scopes the bot runs with (a rotation in progress,
 * or the local org's generated key): removing them would lock the bot out, so they stay until the
 * bot runs with others. */
export function keepOwnKey(d: DesiredIntegration, actual: ActualState): DesiredIntegration {
  if (d.name !== actual.self) return d;
  const key = actual.selfKey;
  const jwks =
    key && !d.app.jwks.some((k) => k.kid === key.kid)
      ? [...d.app.jwks, key].sort((x, y) => x.kid.localeCompare(y.kid))
      : d.app.jwks;
  const scopes = [...new Set([...d.scopes, ...(actual.selfScopes ?? [])])].sort();
  return { ...d, scopes, app: { ...d.app, jwks } };
}

function planIntegration(
  d: DesiredIntegration,
  a: ActualIntegration,
  actual: ActualState,
): Operation[] {
  const ops: Operation[] = [];
  const name = d.name;
  const conflictOf = (kind: ResourceKind, wanted: string) =>
    actual.unowned.find((u) => u.kind === kind && u.name === wanted);
  const conflict = (kind: ResourceKind, wanted: string): Operation | undefined => {
    const u = conflictOf(kind, wanted);
    if (!u) return undefined;
    return {
      id: opId(name, kind),
      integration: name,
      kind,
      action: "conflict",
      risks: [],
      dependsOn: [],
      target: { id: u.id },
      reason: u.ownedBy
        ? `a ${kind} named "${wanted}" (${u.id}) belongs to integration ${u.ownedBy}`
        : `a ${kind} named "${wanted}" (${u.id}) exists in Okta without the okta-gitops marker; ` +
          `import it (okta-gitops import ${u.id}) or rename one of them`,
    };
  };
  const idOf = (kind: ResourceKind) => ops.find((o) => o.kind === kind && o.action !== "conflict");
  const deps = (...kinds: ResourceKind[]) => kinds.flatMap((k) => (idOf(k) ? [idOf(k)!.id] : []));
  const blocked = new Set<ResourceKind>();

  // Zone.
  if (!a.zone) {
    const c = conflict("zone", d.zone.name);
    if (c) {
      ops.push(c);
      blocked.add("zone");
    } else ops.push(create(name, "zone", d.zone, []));
  } else if (a.zone.adopt || !sameJson(a.zone.state, d.zone)) {
    const added = d.zone.gateways.filter((g) => !a.zone!.state.gateways.includes(g));
    ops.push(update(name, "zone", a.zone, d.zone, added.length ? ["broader-network"] : []));
  }

  // Custom role and resource set.
  const roleObjects = planRoleObjects(d, a, conflict);
  ops.push(...roleObjects.ops);
  if (roleObjects.blocked) blocked.add("customRole");

  // App.
  if (!a.app) {
    const c = conflict("app", d.app.label);
    if (c) return [...ops, c];
    const risks: RiskFlag[] = [];
    if (!d.app.dpop) risks.push("dpop-off");
    if (d.app.tokenExchange) risks.push("token-exchange-on");
    ops.push({ ...create(name, "app", d.app, []), risks, dependsOn: deps("zone") });
  } else if (a.app.adopt || !sameJson(a.app.state, d.app)) {
    const risks: RiskFlag[] = [];
    if (a.app.state.dpop && !d.app.dpop) risks.push("dpop-off");
    if (!a.app.state.tokenExchange && d.app.tokenExchange) risks.push("token-exchange-on");
    ops.push({
      ...update(name, "app", a.app, d.app, risks),
      target: { id: a.app.id, raw: a.app.raw },
      dependsOn: deps("zone"),
    });
  }
  if (blocked.has("zone")) return ops;
  const appDeps = deps("app");

  // Scope grants: one per scope; duplicates left by an interrupted run are removed.
  const seen = new Set<string>();
  for (const g of [...a.grants].sort((x, y) => x.scope.localeCompare(y.scope))) {
    if (d.scopes.includes(g.scope) && !seen.has(g.scope)) {
      seen.add(g.scope);
      continue;
    }
    ops.push({
      id: opId(name, "grant", seen.has(g.scope) ? `${g.scope}#${g.id}` : g.scope),
      integration: name,
      kind: "grant",
      action: "delete",
      before: { scope: g.scope },
      risks: [],
      dependsOn: appDeps,
      target: { id: g.id },
    });
  }
  for (const scope of d.scopes.filter((s) => !seen.has(s))) {
    ops.push({
      id: opId(name, "grant", scope),
      integration: name,
      kind: "grant",
      action: "create",
      after: { scope },
      risks: scope.endsWith(".manage") ? ["new-manage-scope"] : [],
      dependsOn: appDeps,
    });
  }

  // Role assignment: exactly the one desired; a different one is replaced, extras removed.
  if (!blocked.has("customRole"))
    ops.push(
      ...planRoleAssignment(name, d.role, a, [...appDeps, ...deps("customRole", "resourceSet")]),
    );

  // Rate-limit share.
  if (!a.rateLimit) {
    ops.push({
      ...create(name, "rateLimit", { percent: d.rateLimitPercent }, []),
      dependsOn: appDeps,
    });
  } else if (rateLimitDrift(a.rateLimit, d.rateLimitPercent)) {
    ops.push({
      ...update(
        name,
        "rateLimit",
        { id: a.rateLimit.id, state: rateLimitBefore(a.rateLimit) },
        { percent: d.rateLimitPercent, concurrencyPercent: d.rateLimitPercent },
        [],
      ),
      dependsOn: appDeps,
    });
  }

  // Extra apps with this integration's marker: the bot owns them, and one app is all it wants.
  for (const id of a.duplicateApps ?? []) {
    ops.push({ ...remove(name, "app", id, { id }), id: opId(name, "app", id) });
  }

  ops.push(...planUnusedRoleObjects(d, a, deps("roleAssignment")));
  return ops;
}

type ConflictOf = (kind: ResourceKind, wanted: string) => Operation | undefined;
type WantedRole = Pick<DesiredIntegration, "name" | "role" | "customRole" | "resourceSet">;

/** The custom role and resource set of a custom admin role (an app's or a service account's):
 * created, or brought to the file. `blocked`: one of them is a conflict, so no assignment. */
function planRoleObjects(
  d: WantedRole,
  a: ActualIntegration,
  conflict: ConflictOf,
): { ops: Operation[]; blocked: boolean } {
  const ops: Operation[] = [];
  let blocked = false;
  for (const kind of ["customRole", "resourceSet"] as const) {
    const want = d[kind];
    const have = a[kind];
    if (want && !have) {
      const c = conflict(kind, want.label);
      if (c) {
        ops.push(c);
        blocked = true;
      } else ops.push(create(d.name, kind, want, ["role-change"]));
    } else if (want && have && (have.adopt || !sameJson(have.state, want))) {
      const before =
        kind === "customRole" ? a.customRole!.state.permissions : a.resourceSet!.state.resources;
      const after = kind === "customRole" ? d.customRole!.permissions : d.resourceSet!.resources;
      const widens = after.some((x) => !before.includes(x));
      ops.push(update(d.name, kind, have, want, widens ? ["role-change"] : []));
    }
  }
  return { ops, blocked };
}

/** The admin role assignment of an app's client or of a token's service account: exactly the
 * one desired; a different one is replaced, extras removed. */
function planRoleAssignment(
  name: string,
  role: RoleAssignmentState,
  a: ActualIntegration,
  dependsOn: string[],
): Operation[] {
  const ops: Operation[] = [];
  const wanted = roleKey(role);
  const match = a.roles.find((r) => roleKey(r.state) === wanted);
  const others = a.roles.filter((r) => r !== match);
  if (!match && others.length > 0) {
    const [first, ...rest] = others;
    ops.push({ ...update(name, "roleAssignment", first!, role, ["role-change"]), dependsOn });
    for (const r of rest) ops.push(removeRole(name, r, dependsOn));
  } else {
    if (!match) ops.push({ ...create(name, "roleAssignment", role, ["role-change"]), dependsOn });
    for (const r of others) ops.push(removeRole(name, r, dependsOn));
  }
  return ops;
}

/** A custom role or resource set the file no longer uses goes after the assignment changed. */
function planUnusedRoleObjects(
  d: WantedRole,
  a: ActualIntegration,
  dependsOn: string[],
): Operation[] {
  const ops: Operation[] = [];
  for (const kind of ["customRole", "resourceSet"] as const) {
    const have = a[kind];
    if (have && !d[kind]) ops.push({ ...remove(d.name, kind, have.id, have.state), dependsOn });
  }
  return ops;
}

/** An ApiTokenException: its zone, the registered token (its name carries the marker, its network
 * is the zone) and its rate share. The token must exist: Okta cannot create one through the API. */
function planToken(
  d: DesiredToken,
  a: ActualIntegration,
  actual: ActualState,
  shared: Operation[],
): Operation[] {
  const ops = planTokenObjects(d, a, actual);
  const objects = planRoleObjects(d, a, (kind, wanted) => {
    const u = actual.unowned.find((x) => x.kind === kind && x.name === wanted);
    return u ? conflictOp(d.name, kind, wanted, u.id, u.ownedBy) : undefined;
  });
  ops.push(...objects.ops);
  // The service account's admin role, assigned as an app's is to its client (when the account
  // exists; the caller says if not).
  if (a.serviceAccount && !objects.blocked) {
    const roleDeps = objects.ops.filter((o) => o.action !== "conflict").map((o) => o.id);
    const assignment = planRoleAssignment(d.name, d.role, a, roleDeps).map((o): Operation => ({
      ...o,
      assignee: "serviceAccount",
    }));
    ops.push(...assignment);
    ops.push(
      ...planUnusedRoleObjects(
        d,
        a,
        assignment.map((o) => o.id),
      ),
    );
  }
  // The service account may not sign in interactively (when it exists; the caller says if not).
  if (a.serviceAccount && !a.serviceAccount.blocked)
    ops.push({
      id: opId(d.name, "loginBlock"),
      integration: d.name,
      kind: "loginBlock",
      action: "create",
      after: { login: d.serviceAccount, group: LOGIN_GROUP },
      risks: [],
      dependsOn: shared.filter((o) => o.kind === "loginGroup").map((o) => o.id),
      target: { id: a.serviceAccount.id },
    });
  return ops;
}

function planTokenObjects(d: DesiredToken, a: ActualIntegration, actual: ActualState): Operation[] {
  const ops: Operation[] = [];
  const name = d.name;
  if (!a.zone) {
    const u = actual.unowned.find((x) => x.kind === "zone" && x.name === d.zone.name);
    if (u) return [conflictOp(name, "zone", d.zone.name, u.id, u.ownedBy)];
    ops.push(create(name, "zone", d.zone, []));
  } else if (a.zone.adopt || !sameJson(a.zone.state, d.zone)) {
    const added = d.zone.gateways.filter((g) => !a.zone!.state.gateways.includes(g));
    ops.push(update(name, "zone", a.zone, d.zone, added.length ? ["broader-network"] : []));
  }
  const zoneDeps = ops.filter((o) => o.kind === "zone").map((o) => o.id);
  // A token that is not (yet) in Okta: the service account creates it in the Admin Console; the
  // caller says so. Its zone is made ready meanwhile.
  if (!a.token) return ops;
  if (a.token.adopt || !sameJson(a.token.state, d.token)) {
    ops.push({ ...update(name, "token", a.token, d.token, []), dependsOn: zoneDeps });
  }
  const tokenDeps = ops.filter((o) => o.kind === "token").map((o) => o.id);
  const after = { percent: d.rateLimitPercent, principalType: "SSWS_TOKEN" };
  if (!a.rateLimit) ops.push({ ...create(name, "rateLimit", after, []), dependsOn: tokenDeps });
  else if (rateLimitDrift(a.rateLimit, d.rateLimitPercent))
    ops.push({
      ...update(
        name,
        "rateLimit",
        {
          id: a.rateLimit.id,
          state: { ...rateLimitBefore(a.rateLimit), principalType: "SSWS_TOKEN" },
        },
        { ...after, concurrencyPercent: d.rateLimitPercent },
        [],
      ),
      dependsOn: tokenDeps,
    });
  return ops;
}

/** The bot sets both shares of a principal rate limit to the file's percent: a hand change to
 * either (the concurrency share too) is drift. A limit that states no concurrency share (one made
 * by hand before an import) leaves Okta's default, which is not drift. */
function rateLimitDrift(have: NonNullable<ActualIntegration["rateLimit"]>, percent: number) {
  return (
    have.percent !== percent ||
    (have.concurrencyPercent !== undefined && have.concurrencyPercent !== percent)
  );
}

function rateLimitBefore(have: NonNullable<ActualIntegration["rateLimit"]>) {
  return {
    percent: have.percent,
    ...(have.concurrencyPercent !== undefined
      ? { concurrencyPercent: have.concurrencyPercent }
      : {}),
  };
}

/** The group of service accounts and the session-policy rule that denies it interactive sign-in. */
function planLoginBlock(actual: ActualState): Operation[] {
  const have = actual.loginBlock ?? {};
  const ops: Operation[] = [];
  if (!have.groupId)
    ops.push({
      id: `${SHARED}/loginGroup`,
      integration: SHARED,
      kind: "loginGroup",
      action: "create",
      after: { name: LOGIN_GROUP, description: LOGIN_GROUP_DESCRIPTION },
      risks: [],
      dependsOn: [],
    });
  if (!have.policyId) return ops;
  const rule = { name: LOGIN_RULE, group: LOGIN_GROUP, access: "DENY", policyId: have.policyId };
  if (!have.rule || !have.rule.ok)
    ops.push({
      id: `${SHARED}/loginRule`,
      integration: SHARED,
      kind: "loginRule",
      action: have.rule ? "update" : "create",
      after: rule,
      risks: [],
      dependsOn: ops.map((o) => o.id),
      ...(have.rule ? { target: { id: have.rule.id } } : {}),
    });
  return ops;
}

function conflictOp(
  integration: string,
  kind: ResourceKind,
  wanted: string,
  id: string,
  ownedBy?: string,
): Operation {
  return {
    id: opId(integration, kind),
    integration,
    kind,
    action: "conflict",
    risks: [],
    dependsOn: [],
    target: { id },
    reason: ownedBy
      ? `a ${kind} named "${wanted}" (${id}) belongs to integration ${ownedBy}`
      : `a ${kind} named "${wanted}" (${id}) exists in Okta without the okta-gitops marker`,
  };
}

interface RemovalOptions {
  /** The account of a removed exception leaves the group denied interactive sign-in. */
  unblock: boolean;
  /** The exception expired (its file stays): its access ends, nothing else changes. */
  expired: boolean;
}

/** How a removal treats the service account: an expired exception's account stays denied
 * interactive sign-in (ending access never opens a door); a removed one's leaves the group unless
 * another exception still uses that account. */
function removalBlock(
  a: ActualIntegration,
  actual: ActualState,
  tokens: ReadonlyMap<string, DesiredToken>,
  expired: ReadonlySet<string> = new Set(),
): RemovalOptions {
  const isExpired = expired.has(a.name);
  const account = a.serviceAccount;
  const shared =
    !!account &&
    [...actual.integrations.values()].some(
      (o) =>
        o.name !== a.name &&
        (tokens.has(o.name) || expired.has(o.name)) &&
        o.serviceAccount?.id === account.id,
    );
  return { unblock: !isExpired && !!account?.blocked && !shared, expired: isExpired };
}

/** Everything an integration owns, when its file is gone: the app first (Okta removes its grants,
 * role assignments and rate limit with it), then what it used. */
function planRemoval(
  a: ActualIntegration,
  options: RemovalOptions = { unblock: false, expired: false },
): Operation[] {
  const ops: Operation[] = [];
  const name = a.name;
  // An expired exception whose token never got the bot's marker: the bot never took it over, so
  // it revokes nothing (the caller reports it).
  if (options.expired && (!a.token || a.token.adopt)) return [];
  for (const id of a.duplicateApps ?? [])
    ops.push({ ...remove(name, "app", id, { id }), id: opId(name, "app", id) });
  if (a.app) {
    ops.push({
      ...remove(name, "app", a.app.id, {
        ...a.app.state,
        scopes: a.grants.map((g) => g.scope).sort(),
        roles: a.roles.map((r) => r.state),
        rateLimitPercent: a.rateLimit?.percent,
      }),
      target: { id: a.app.id, raw: a.app.raw },
    });
  }
  if (a.token) {
    // The token is revoked: the exception that allowed it is gone.
    ops.push({
      ...remove(name, "token", a.token.id, a.token.state),
      reason: options.expired
        ? "revokes the API token: its exception expired"
        : "revokes the API token: its exception was removed",
    });
  }
  if (options.unblock && a.serviceAccount)
    ops.push({
      ...remove(name, "loginBlock", a.serviceAccount.id, {
        login: a.serviceAccount.login ?? a.serviceAccount.id,
        group: LOGIN_GROUP,
      }),
      reason:
        "the account serves no other exception: it leaves the group denied interactive sign-in",
    });
  // The admin roles of a removed token's service account (an app's go with the app).
  if (!a.app && a.serviceAccount)
    for (const r of a.roles) ops.push({ ...removeRole(name, r, []), assignee: "serviceAccount" });
  const appDeps = ops.map((o) => o.id);
  for (const kind of ["resourceSet", "customRole", "zone"] as const) {
    const have = a[kind];
    if (have) ops.push({ ...remove(name, kind, have.id, have.state), dependsOn: appDeps });
  }
  return ops;
}

function create(
  integration: string,
  kind: ResourceKind,
  after: unknown,
  risks: RiskFlag[],
): Operation {
  return {
    id: opId(integration, kind),
    integration,
    kind,
    action: "create",
    after,
    risks,
    dependsOn: [],
  };
}

function update(
  integration: string,
  kind: ResourceKind,
  have: { id: string; state: unknown; adopt?: boolean },
  after: unknown,
  risks: RiskFlag[],
): Operation {
  return {
    id: opId(integration, kind),
    integration,
    kind,
    action: have.adopt ? "adopt" : "update",
    before: have.state,
    after,
    risks: have.adopt ? ["adoption", ...risks] : risks,
    dependsOn: [],
    target: { id: have.id, ...resourceIdsOf(have) },
  };
}

function remove(integration: string, kind: ResourceKind, id: string, before: unknown): Operation {
  return {
    id: opId(integration, kind),
    integration,
    kind,
    action: "delete",
    before,
    risks: ["deletion"],
    dependsOn: [],
    target: { id },
  };
}

function removeRole(
  integration: string,
  r: { id: string; state: RoleAssignmentState },
  dependsOn: string[],
): Operation {
  return {
    ...remove(integration, "roleAssignment", r.id, r.state),
    id: opId(integration, "roleAssignment", r.id),
    risks: ["deletion", "role-change"],
    dependsOn,
  };
}

function resourceIdsOf(have: { id: string }): { resourceIds?: Record<string, string> } {
  const ids = (have as { resourceIds?: Record<string, string> }).resourceIds;
  return ids ? { resourceIds: ids } : {};
}

/** Operations that change Okta (conflicts are reported, never executed). */
export const changesOf = (p: Plan): Operation[] =>
  p.operations.filter((o) => o.action !== "conflict");

export const kindOrder = (k: ResourceKind): number => RESOURCE_KINDS.indexOf(k);

/** Integrations whose files are gone, i.e. that the plan deletes. */
export function removedIntegrations(p: Plan): string[] {
  return [
    ...new Set(
      p.operations
        .filter(
          (o) =>
            o.action === "delete" &&
            (o.id === `${o.integration}/app` || o.id === `${o.integration}/token`),
        )
        .map((o) => o.integration),
    ),
  ];
}
