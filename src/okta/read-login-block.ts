// Reading the shared interactive-login block and the service accounts of token exceptions: a few
// calls, and one per service account, only when the repository has token exceptions.
import { z } from "zod";
import { LOGIN_GROUP, LOGIN_RULE, type Adoption, type ActualState } from "../reconcile/model.js";
import { RawGroup, RawPolicy, RawRule } from "./kinds/login-block.js";
import { RawRoleAssignment } from "./kinds/role-assignment.js";
import { RawUser } from "./kinds/user.js";
import { enc, type OktaTransport } from "./transport.js";

export interface LoginBlockRead {
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

/**
 * The shared interactive-login block (the group, its members among the service accounts, the
 * rule of the global session policy) and the service accounts of the token exceptions: a few
 * calls, and one per service account, only when the repository has token exceptions.
 */
export async function readLoginBlock(
  t: OktaTransport,
  adoptions: ReadonlyMap<string, Adoption>,
): Promise<LoginBlockRead> {
  const accounts = [...adoptions].flatMap(([name, a]) =>
    a.serviceAccount ? [[name, a.serviceAccount] as const] : [],
  );
  if (!accounts.length) return { users: new Map() };
  const [groups, policies, users] = await Promise.all([
    t.list(RawGroup, `/api/v1/groups?q=${enc(LOGIN_GROUP)}&limit=200`),
    t
      .call<unknown[]>("GET", `/api/v1/policies?type=OKTA_SIGN_ON`)
      .then(({ json }) => z.array(RawPolicy).parse(json)),
    Promise.all(
      accounts.map(async ([name, login]) => {
        const u = await t.getOptional(RawUser, `/api/v1/users/${enc(login)}`);
        // The account's admin roles, read as an app's client roles are (one call each).
        const roles = u
          ? z
              .array(RawRoleAssignment)
              .parse((await t.call<unknown[]>("GET", `/api/v1/users/${u.id}/roles`)).json)
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
      ? t
          .list(RawUser, `/api/v1/groups/${group.id}/users?limit=200`)
          .then((us) => new Set(us.map((u) => u.id)))
      : Promise.resolve(new Set<string>()),
    policy
      ? t
          .call<unknown[]>("GET", `/api/v1/policies/${policy.id}/rules`)
          .then(({ json }) => z.array(RawRule).parse(json))
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
