// The global session policy (OKTA_SIGN_ON) and its rules, enough for the rule that denies
// interactive sign-in to the service-account group. A new org has Okta's "Default Policy" with its
// system "Default Rule", which stays last.
import { z } from "zod";
import { noContent, ok, type Ctx, type Handler } from "../context.js";
import { errors } from "../errors.js";
import { newId, PREFIX } from "../ids.js";
import type { OrgState, PolicyRecord, PolicyRuleRecord } from "../store.js";
import { parseBody } from "../validate.js";

const ids = z.array(z.string()).optional();
// Okta's PolicyPeopleCondition requires both `groups` and `users`, and its GroupCondition and
// UserCondition both `include` and `exclude`: a rule body without them is refused, as Okta does.
const required = z.array(z.string());
const people = z
  .object({
    groups: z.object({ include: required, exclude: required }),
    users: z.object({ include: required, exclude: required }),
  })
  .optional();
const networkCondition = z
  .object({ connection: z.enum(["ANYWHERE", "ZONE"]), include: ids, exclude: ids })
  .optional();

const policyBody = z.object({
  type: z.literal("OKTA_SIGN_ON", { message: "the local org serves OKTA_SIGN_ON policies only" }),
  name: z.string().trim().min(1).max(255),
  description: z.string().optional(),
  priority: z.number().int().min(1).optional(),
  status: z.enum(["ACTIVE", "INACTIVE"]).optional(),
  conditions: z.object({ people }).nullish(),
});

const ruleBody = z.object({
  type: z.literal("SIGN_ON", { message: "rules of an OKTA_SIGN_ON policy are SIGN_ON rules" }),
  name: z.string().trim().min(1).max(255),
  priority: z.number().int().min(1).optional(),
  status: z.enum(["ACTIVE", "INACTIVE"]).optional(),
  conditions: z
    .object({
      people,
      network: networkCondition,
      authContext: z.object({ authType: z.enum(["ANY", "RADIUS"]) }).optional(),
    })
    .nullish(),
  actions: z.object({
    signon: z.looseObject({
      access: z.enum(["ALLOW", "DENY"]),
      requireFactor: z.boolean().optional(),
    }),
  }),
});

function normalizePeople(p: z.infer<typeof people>) {
  return {
    groups: { include: p?.groups?.include ?? [], exclude: p?.groups?.exclude ?? [] },
    users: { include: p?.users?.include ?? [], exclude: p?.users?.exclude ?? [] },
  };
}

function checkRefs(
  state: OrgState,
  p: z.infer<typeof people>,
  n?: z.infer<typeof networkCondition>,
) {
  const causes: string[] = [];
  for (const id of [...(p?.groups?.include ?? []), ...(p?.groups?.exclude ?? [])]) {
    if (!state.groups[id]) causes.push(`conditions.people.groups: group ${id} does not exist`);
  }
  for (const id of [...(p?.users?.include ?? []), ...(p?.users?.exclude ?? [])]) {
    if (!state.users[id]) causes.push(`conditions.people.users: user ${id} does not exist`);
  }
  for (const id of [...(n?.include ?? []), ...(n?.exclude ?? [])]) {
    if (!state.zones[id]) causes.push(`conditions.network: network zone ${id} does not exist`);
  }
  if (causes.length) throw errors.validation(causes, "conditions");
}

function renderPolicy(p: PolicyRecord, base: string) {
  const self = `${base}/api/v1/policies/${p.id}`;
  const next = p.status === "ACTIVE" ? "deactivate" : "activate";
  return {
    id: p.id,
    status: p.status,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    priority: p.priority,
    system: p.system,
    conditions: p.conditions,
    created: p.created,
    lastUpdated: p.lastUpdated,
    type: p.type,
    _links: {
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
      rules: { href: `${self}/rules`, hints: { allow: ["GET", "POST"] } },
      [next]: { href: `${self}/lifecycle/${next}`, hints: { allow: ["POST"] } },
    },
  };
}

function renderRule(r: PolicyRuleRecord, base: string) {
  const self = `${base}/api/v1/policies/${r.policyId}/rules/${r.id}`;
  const next = r.status === "ACTIVE" ? "deactivate" : "activate";
  return {
    id: r.id,
    status: r.status,
    name: r.name,
    priority: r.priority,
    created: r.created,
    lastUpdated: r.lastUpdated,
    system: r.system,
    conditions: r.conditions,
    actions: r.actions,
    type: r.type,
    _links: {
      self: { href: self, hints: { allow: ["GET", "PUT", "DELETE"] } },
      [next]: { href: `${self}/lifecycle/${next}`, hints: { allow: ["POST"] } },
    },
  };
}

/** Okta's default sign-on policy and rule, as a new org has them. */
export function seedDefaultPolicy(state: OrgState, now: string): void {
  if (Object.values(state.policies).some((p) => p.type === "OKTA_SIGN_ON")) return;
  const everyone = Object.values(state.groups).find((g) => g.type === "BUILT_IN");
  const p: PolicyRecord = {
    id: newId(PREFIX.policy),
    type: "OKTA_SIGN_ON",
    name: "Default Policy",
    description: "The default policy applies in all situations if no other policy applies.",
    status: "ACTIVE",
    priority: 1,
    system: true,
    conditions: {
      people: {
        groups: { include: everyone ? [everyone.id] : [], exclude: [] },
        users: { include: [], exclude: [] },
      },
    },
    created: now,
    lastUpdated: now,
  };
  state.policies[p.id] = p;
  const r: PolicyRuleRecord = {
    id: newId(PREFIX.rule),
    policyId: p.id,
    type: "SIGN_ON",
    name: "Default Rule",
    status: "ACTIVE",
    priority: 1,
    system: true,
    conditions: {
      people: normalizePeople(undefined),
      network: { connection: "ANYWHERE" },
      authContext: { authType: "ANY" },
    },
    actions: {
      signon: {
        access: "ALLOW",
        requireFactor: false,
        primaryFactor: "PASSWORD_IDP_ANY_FACTOR",
        rememberDeviceByDefault: false,
        session: {
          usePersistentCookie: false,
          maxSessionIdleMinutes: 120,
          maxSessionLifetimeMinutes: 0,
        },
      },
    },
    created: now,
    lastUpdated: now,
  };
  state.policyRules[r.id] = r;
}

function policy(ctx: Ctx): PolicyRecord {
  const p = ctx.state.policies[ctx.params.policyId ?? ""];
  if (!p) throw errors.notFound(ctx.params.policyId ?? "", "Policy");
  return p;
}

function rulesOf(state: OrgState, policyId: string): PolicyRuleRecord[] {
  return Object.values(state.policyRules)
    .filter((r) => r.policyId === policyId)
    .sort((a, b) => a.priority - b.priority);
}

/** Places `rule` at its priority among the policy's rules; the system rule stays last. */
function reprioritize(
  state: OrgState,
  policyId: string,
  rule?: PolicyRuleRecord,
  wanted?: number,
): void {
  const others = rulesOf(state, policyId).filter((r) => r !== rule && !r.system);
  const system = rulesOf(state, policyId).filter((r) => r.system);
  if (rule) others.splice(Math.min((wanted ?? others.length + 1) - 1, others.length), 0, rule);
  [...others, ...system].forEach((r, i) => (r.priority = i + 1));
}

function rule(ctx: Ctx): PolicyRuleRecord {
  const p = policy(ctx);
  const r = ctx.state.policyRules[ctx.params.ruleId ?? ""];
  if (!r || r.policyId !== p.id) throw errors.notFound(ctx.params.ruleId ?? "", "PolicyRule");
  return r;
}

function ruleFromBody(
  ctx: Ctx,
  policyId: string,
  before?: PolicyRuleRecord,
): { r: PolicyRuleRecord; priority?: number } {
  const b = parseBody(ruleBody, ctx.body);
  checkRefs(ctx.state, b.conditions?.people, b.conditions?.network);
  const r: PolicyRuleRecord = {
    id: before?.id ?? newId(PREFIX.rule),
    policyId,
    type: b.type,
    name: b.name,
    status:
      before?.status ??
      (ctx.query.get("activate") === "false" ? "INACTIVE" : (b.status ?? "ACTIVE")),
    priority: b.priority ?? 1,
    system: before?.system ?? false,
    conditions: {
      people: normalizePeople(b.conditions?.people),
      network: b.conditions?.network ?? { connection: "ANYWHERE" },
      ...(b.conditions?.authContext ? { authContext: b.conditions.authContext } : {}),
    },
    actions: { signon: { requireFactor: false, ...b.actions.signon } },
    created: before?.created ?? ctx.now,
    lastUpdated: ctx.now,
  };
  return { r, priority: b.priority };
}

const ruleLifecycle =
  (status: "ACTIVE" | "INACTIVE"): Handler =>
  (ctx) => {
    const r = rule(ctx);
    if (r.system && status === "INACTIVE")
      throw errors.forbidden("The default rule cannot be deactivated.");
    Object.assign(r, { status, lastUpdated: ctx.now });
    return noContent();
  };

export const policyRoutes: [string, string, Handler][] = [
  [
    "GET",
    "/api/v1/policies",
    (ctx) => {
      const type = ctx.query.get("type");
      if (!type) throw errors.validation(["type: The policy type is required"], "type");
      const status = ctx.query.get("status");
      const all = Object.values(ctx.state.policies)
        .filter((p) => p.type === type && (!status || p.status === status))
        .sort((a, b) => a.priority - b.priority);
      return ok(all.map((p) => renderPolicy(p, ctx.baseUrl)));
    },
  ],
  [
    "POST",
    "/api/v1/policies",
    (ctx) => {
      const b = parseBody(policyBody, ctx.body);
      checkRefs(ctx.state, b.conditions?.people);
      const p: PolicyRecord = {
        id: newId(PREFIX.policy),
        type: b.type,
        name: b.name,
        description: b.description,
        status: ctx.query.get("activate") === "false" ? "INACTIVE" : (b.status ?? "ACTIVE"),
        priority: b.priority ?? 1,
        system: false,
        conditions: { people: normalizePeople(b.conditions?.people) },
        created: ctx.now,
        lastUpdated: ctx.now,
      };
      // A new policy goes before the default one, which stays last.
      const all = Object.values(ctx.state.policies)
        .filter((x) => x.type === p.type)
        .sort((a, c) => a.priority - c.priority);
      const custom = all.filter((x) => !x.system);
      custom.splice(Math.min(p.priority - 1, custom.length), 0, p);
      [...custom, ...all.filter((x) => x.system)].forEach((x, i) => (x.priority = i + 1));
      ctx.state.policies[p.id] = p;
      return ok(renderPolicy(p, ctx.baseUrl));
    },
  ],
  ["GET", "/api/v1/policies/{policyId}", (ctx) => ok(renderPolicy(policy(ctx), ctx.baseUrl))],
  [
    "GET",
    "/api/v1/policies/{policyId}/rules",
    (ctx) => ok(rulesOf(ctx.state, policy(ctx).id).map((r) => renderRule(r, ctx.baseUrl))),
  ],
  [
    "POST",
    "/api/v1/policies/{policyId}/rules",
    (ctx) => {
      const p = policy(ctx);
      const { r, priority } = ruleFromBody(ctx, p.id);
      if (rulesOf(ctx.state, p.id).some((x) => x.name === r.name)) {
        throw errors.validation(
          [`name: a rule named '${r.name}' already exists in the policy`],
          "name",
        );
      }
      ctx.state.policyRules[r.id] = r;
      reprioritize(ctx.state, p.id, r, priority);
      return ok(renderRule(r, ctx.baseUrl));
    },
  ],
  [
    "GET",
    "/api/v1/policies/{policyId}/rules/{ruleId}",
    (ctx) => ok(renderRule(rule(ctx), ctx.baseUrl)),
  ],
  [
    "PUT",
    "/api/v1/policies/{policyId}/rules/{ruleId}",
    (ctx) => {
      const before = rule(ctx);
      if (before.system)
        throw errors.forbidden("The default rule cannot be changed through the local org.");
      const { r, priority } = ruleFromBody(ctx, before.policyId, before);
      ctx.state.policyRules[r.id] = r;
      reprioritize(ctx.state, r.policyId, r, priority ?? before.priority);
      return ok(renderRule(r, ctx.baseUrl));
    },
  ],
  [
    "DELETE",
    "/api/v1/policies/{policyId}/rules/{ruleId}",
    (ctx) => {
      const r = rule(ctx);
      if (r.system) throw errors.forbidden("The default rule cannot be deleted.");
      delete ctx.state.policyRules[r.id];
      reprioritize(ctx.state, r.policyId);
      return noContent();
    },
  ],
  [
    "POST",
    "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/activate",
    ruleLifecycle("ACTIVE"),
  ],
  [
    "POST",
    "/api/v1/policies/{policyId}/rules/{ruleId}/lifecycle/deactivate",
    ruleLifecycle("INACTIVE"),
  ],
];
