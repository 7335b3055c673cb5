// The interactive-login block that every API token exception shares: a group of service accounts
// (loginGroup), a rule of the global session policy denying that group sign-in (loginRule), and
// each account's membership of the group (loginBlock). Policies and their rules are also read to
// learn who uses a zone being adopted.
import { z } from "zod";
import { LOGIN_GROUP, LOGIN_RULE } from "../../reconcile/model.js";
import { need } from "../refs.js";
import { enc, ignore404, type Raw } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";
import { RawNetwork } from "./token.js";

export const RawGroup = z.looseObject({
  id: z.string(),
  profile: z.looseObject({ name: z.string() }),
});
export const RawPolicy = z.looseObject({
  id: z.string(),
  name: z.string(),
  priority: z.number().optional(),
  system: z.boolean().optional(),
  conditions: z.looseObject({ network: RawNetwork }).nullish(),
});
export const RawRule = z.looseObject({
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

/** Policy types whose policies or rules may name a network zone in their conditions. */
export const POLICY_TYPES = [
  "OKTA_SIGN_ON",
  "ACCESS_POLICY",
  "IDP_DISCOVERY",
  "MFA_ENROLL",
  "PASSWORD",
  "PROFILE_ENROLLMENT",
  "POST_AUTH_SESSION",
  "ENTITY_RISK",
] as const;

export const LOGIN_GROUP_SEARCH = `/api/v1/groups?q=${enc(LOGIN_GROUP)}&limit=200`;

export const loginGroupWriter: KindWriter = {
  async execute(t, op, action) {
    if (action !== "create") throw unsupported(op);
    const g = op.after as { name: string; description: string };
    const res = await t.call<{ id: string }>("POST", "/api/v1/groups", {
      profile: { name: g.name, description: g.description },
    });
    return res.json.id;
  },
  async findCreated(t) {
    const groups = await t.list(RawGroup, LOGIN_GROUP_SEARCH);
    return groups.find((g) => g.profile.name === LOGIN_GROUP)?.id;
  },
};

export const loginRuleWriter: KindWriter = {
  async execute(t, op, action, refs) {
    if (action === "delete") throw unsupported(op);
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
    if (action !== "update") return (await t.call<{ id: string }>("POST", path, body)).json.id;
    const id = op.target?.id;
    await t.call("PUT", `${path}/${id}`, body);
    // A replace does not change a rule's status: a rule deactivated by hand is activated.
    await t.call("POST", `${path}/${id}/lifecycle/activate`, undefined, { idempotent: true });
    return undefined;
  },
  async findCreated(t, op) {
    const after = op.after as Raw;
    const rules = await t.getArray(RawRule, `/api/v1/policies/${String(after.policyId)}/rules`);
    return rules.find((r) => r.name === LOGIN_RULE)?.id;
  },
};

/** A service account's membership of the group: `target.id` is the account's user id. */
export const loginBlockWriter: KindWriter = {
  async execute(t, op, action, refs) {
    const id = op.target?.id;
    switch (action) {
      case "create":
        await t.call("PUT", `/api/v1/groups/${need(refs, "loginGroup")}/users/${id}`);
        return undefined;
      case "delete":
        await t
          .call("DELETE", `/api/v1/groups/${need(refs, "loginGroup")}/users/${id}`)
          .catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
};
