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
  type Usage,
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
  const deletions: Operation[] = [];
  // Integrations compared read-only (refused) never call for the shared block on their own.
  const goesAhead = (n: string) => inScope(n) && !input.readOnly?.has(n);
  const shared = [...tokens.keys()].some(goesAhead) ? planLoginBlock(actual) : [];
  const planned: Operation[][] = [];
  for (const name of names) {
    const d = desired.get(name);
    const t = tokens.get(name);
    const a = actual.integrations.get(name) ?? { name, grants: [], roles: [] };
    if (d) planned.push(wholeOrNothing(planIntegration(keepOwnKey(d, actual), a, actual)));
    else if (t) planned.push(wholeOrNothing(planToken(t, a, actual, shared)));
    // Without a file, the bot's own app is left alone: deleting it would lock the bot out.
    else if (name !== actual.self)
      deletions.push(...planRemoval(a, removalBlock(a, actual, tokens, input.expired)));
  }
  // The shared interactive-login block serves the token exceptions that go ahead; with none, none.
  const sharedNeeded = [...tokens.keys()]
    .filter(goesAhead)
    .some(
      (name) =>
        !planned.some((ops) => ops.some((o) => o.integration === name && o.action === "conflict")),
    );
  // Adoptions first: taking ownership of what exists is what a reviewer must see before anything.
  const adopting = (ops: Operation[]) => ops.some((o) => o.action === "adopt");
  // (After the shared login block, which they may depend on.)
  const ordered = [
    ...(sharedNeeded ? [shared] : []),
    ...planned.filter(adopting).map(adoptionsFirst),
    ...planned.filter((ops) => !adopting(ops)),
  ];
  return { operations: [...ordered.flat(), ...deletions], integrations: names };
}

/** An integration with a conflict or a refusal is left out whole: none of its operations is
 * applied (a zone made for an app that cannot be, say), only its conflicts are shown. */
function wholeOrNothing(ops: Operation[]): Operation[] {
  return ops.some((o) => o.action === "conflict")
    ? ops.filter((o) => o.action === "conflict")
    : ops;
}

/** The integration's operations with its adoptions as early as their dependencies allow (an
 * app's adoption still follows the zone it needs), the others in plan order. */
function adoptionsFirst(ops: Operation[]): Operation[] {
  const ids = new Set(ops.map((o) => o.id));
  const placed = new Set<string>();
  const out: Operation[] = [];
  const left = [...ops];
  const ready = (o: Operation) => o.dependsOn.every((d) => !ids.has(d) || placed.has(d));
  while (left.length) {
    const i = left.findIndex((o) => o.action === "adopt" && ready(o));
    const at = i >= 0 ? i : Math.max(left.findIndex(ready), 0);
    const [o] = left.splice(at, 1);
    out.push(o!);
    placed.add(o!.id);
  }
  return out;
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
      before: shownAs(wanted),
      reason: conflictReason(kind, wanted, u.id, u.ownedBy),
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
  // Taking over what exists: only what nothing outside this file uses.
  ops.push(
    ...adoptionRefusals(name, a, [
      ...(a.app ? [{ kind: "app" as const, id: a.app.id }] : []),
      ...(a.app ? [{ kind: "client" as const, id: a.app.clientId }] : []),
    ]),
  );
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
  ops.push(...tokenOwnership(d, a));
  ops.push(
    ...adoptionRefusals(d.name, a, [
      ...(a.token ? [{ kind: "token" as const, id: a.token.id }] : []),
      ...(a.serviceAccount ? [{ kind: "user" as const, id: a.serviceAccount.id }] : []),
    ]),
  );
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
    before: shownAs(wanted),
    reason: conflictReason(kind, wanted, id, ownedBy),
  };
}

/** What a conflict is about, in the fields the renderers name objects by (label or name). */
const shownAs = (name: string) => ({ name, label: name });

/** What a person calls each kind of object, with its article. */
const KIND_NAMES: Partial<Record<ResourceKind, string>> = {
  zone: "a network zone",
  customRole: "a custom role",
  resourceSet: "a resource set",
  app: "an app",
  token: "an API token",
  loginGroup: "a group",
  loginRule: "a sign-on policy rule",
};
const kindName = (kind: ResourceKind): string => KIND_NAMES[kind] ?? `a ${kind}`;

function conflictReason(kind: ResourceKind, wanted: string, id: string, ownedBy?: string): string {
  const what = `${kindName(kind)} named "${wanted}" (${id})`;
  if (ownedBy) return `${what} belongs to integration ${ownedBy}`;
  const how =
    kind === "app"
      ? `import it (okta-gitops import ${id}) or rename one of them`
      : `rename one of them, or name it in the file's import line to adopt it (which needs the Identity team's approval)`;
  return `${what} exists in Okta without the okta-gitops marker; ${how}`;
}

/** A refusal of one object: a conflict operation with its reason. */
function refusal(
  integration: string,
  kind: ResourceKind,
  detail: string,
  id: string,
  reason: string,
  shown: string,
): Operation {
  return {
    id: opId(integration, kind, detail),
    integration,
    kind,
    action: "conflict",
    risks: [],
    dependsOn: [],
    target: { id },
    before: shownAs(shown),
    reason,
  };
}

const describeUse = (u: Usage): string => {
  const what = {
    app: "app",
    token: "API token",
    policy: "policy",
    policyRule: "policy rule",
    user: "user",
    group: "group",
    client: "OAuth client",
  }[u.kind];
  return u.name !== undefined ? `${what} ${JSON.stringify(u.name)} (${u.id})` : `${what} ${u.id}`;
};

/**
 * Adoption takes an object over: the bot rewrites it to the file and deletes it with the file. So
 * an object is adopted only when nothing outside the file uses it (a zone used by another app, a
 * policy or a token; a custom role or resource set held by any principal but this integration's
 * app or service account), and a zone only when it is an IP allow list. Fails closed: an object
 * whose uses were not read is refused too.
 */
function adoptionRefusals(
  name: string,
  a: ActualIntegration,
  own: { kind: Usage["kind"]; id: string }[],
): Operation[] {
  const ops: Operation[] = [];
  const mine = (u: Usage) => own.some((o) => o.kind === u.kind && o.id === u.id);
  const check = (
    kind: "zone" | "customRole" | "resourceSet",
    found: { id: string; adopt?: boolean; usedBy?: Usage[] } | undefined,
    label: string,
  ) => {
    if (!found?.adopt) return;
    const what = `${kindName(kind).replace(/^an? /, "")} ${JSON.stringify(label)} (${found.id})`;
    if (!found.usedBy) {
      ops.push(
        refusal(
          name,
          kind,
          "adoption",
          found.id,
          `${what} is not adopted: what uses it in Okta could not be read`,
          label,
        ),
      );
      return;
    }
    const others = found.usedBy.filter((u) => !mine(u));
    if (others.length)
      ops.push(
        refusal(
          name,
          kind,
          "adoption",
          found.id,
          `${what} is not adopted: it is in use outside this file, by ${others.map(describeUse).join(", ")}; ` +
            `adopt only an object this integration alone uses, or let the bot create its own`,
          label,
        ),
      );
  };
  const zone = a.zone;
  if (zone?.adopt && (zone.type !== "IP" || (zone.usage ?? "POLICY") !== "POLICY")) {
    const sort =
      zone.type !== "IP" ? `a ${zone.type ?? "zone of unknown type"} zone` : `a ${zone.usage} zone`;
    ops.push(
      refusal(
        name,
        "zone",
        "adoption",
        zone.id,
        `network zone ${JSON.stringify(zone.state.name)} (${zone.id}) is not adopted: it is ${sort}, and only IP allow-list zones are`,
        zone.state.name,
      ),
    );
  } else check("zone", zone, zone?.state.name ?? "");
  check("customRole", a.customRole, a.customRole?.state.label ?? "");
  check("resourceSet", a.resourceSet, a.resourceSet?.state.label ?? "");
  return ops;
}

/**
 * The token of an exception must be its declared service account's, and that account a dedicated
 * one: ACTIVE, with Okta's login the file's (and the pattern's), and no admin role but the file's
 * (none through a group, which the bot cannot take away; none other at all before the bot owns
 * the token). Otherwise the integration is refused: a token of a person's would gain a zone and a
 * rate share, and the role would go to an account that does not hold the token.
 */
function tokenOwnership(d: DesiredToken, a: ActualIntegration): Operation[] {
  const ops: Operation[] = [];
  const account = a.serviceAccount;
  const t = a.token;
  const declared = d.serviceAccount;
  if (t && (!account || t.userId !== account.id)) {
    const owner = t.ownerLogin ?? t.userId;
    ops.push(
      refusal(
        d.name,
        "token",
        "owner",
        t.id,
        `API token ${t.id} belongs to ${owner !== undefined ? JSON.stringify(owner) : "a user Okta does not name"} in Okta, ` +
          `not to the declared service account ${JSON.stringify(declared)}${account ? "" : " (which is not in Okta)"}; ` +
          `register a token that the service account itself created`,
        t.state.name,
      ),
    );
  }
  if (!account) return ops;
  const problems: string[] = [];
  if (account.status !== "ACTIVE")
    problems.push(`it is ${account.status ?? "of unknown status"}, not ACTIVE`);
  const login = account.login;
  if (login === undefined || login.toLowerCase() !== declared.toLowerCase())
    problems.push(
      `its login in Okta is ${login === undefined ? "unknown" : JSON.stringify(login)}`,
    );
  else if (!safeMatch(d.loginPattern, login))
    problems.push(`its login does not match the service-account pattern ${d.loginPattern}`);
  for (const g of account.groupRoles ?? [])
    problems.push(`it holds the admin role ${g.type} through group ${g.group ?? g.id}`);
  if (t?.adopt) {
    const wanted = roleKey(d.role);
    for (const r of a.roles)
      if (roleKey(r.state) !== wanted)
        problems.push(
          `it already holds the admin role ${roleLabel(r.state)}, which the file does not give it`,
        );
  }
  if (problems.length)
    ops.push(
      refusal(
        d.name,
        "token",
        "serviceAccount",
        t?.id ?? account.id,
        `service account ${JSON.stringify(declared)} (${account.id}) is not a dedicated account: ${problems.join("; ")}`,
        t?.state.name ?? `of service account ${declared}`,
      ),
    );
  return ops;
}

function safeMatch(pattern: string, value: string): boolean {
  try {
    // Okta compares logins ignoring case, and so does the policy.
    return new RegExp(pattern, "i").test(value);
  } catch {
    return false;
  }
}

const roleLabel = (r: RoleAssignmentState): string =>
  "role" in r ? `CUSTOM ${r.role} on ${r.resourceSet}` : r.type;

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

/** Everything an integration owns, when its file is gone: the app first (Okta removes its grants
 * and role assignments with it; its principal rate-limit entry stays, as Okta's API cannot delete
 * one, and the plan says so), then what it used. */
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
