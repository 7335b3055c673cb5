// Reading what an adoption must know before the plan lets it take an object over (who else uses
// it). Only for objects being adopted: a plan without adoptions costs nothing more.
import { z } from "zod";
import type { Adoption, ActualIntegration, Usage } from "../reconcile/model.js";
import { RawApp } from "./kinds/app.js";
import { RawIamObject } from "./kinds/custom-role.js";
import { POLICY_TYPES, RawGroup, RawPolicy, RawRule } from "./kinds/login-block.js";
import { memberUsage, RawMember } from "./kinds/resource-set.js";
import { RawNetwork, RawToken } from "./kinds/token.js";
import { RawUser } from "./kinds/user.js";
import { enc, type OktaTransport } from "./transport.js";

/**
 * What an adoption must know before the plan lets it take an object over: who else uses each
 * zone, custom role and resource set an import line names (apps, API tokens and policies on a
 * zone; principals bound to a role or resource set), and whose a registered API token is. Read
 * only for objects being adopted, so a plan without adoptions costs nothing more.
 */
export async function readAdoptionFacts(
  t: OktaTransport,
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
          ? t.getOptional(RawUser, `/api/v1/users/${enc(id)}`).then((u) => u?.profile?.login)
          : t.getOptional(RawGroup, `/api/v1/groups/${enc(id)}`).then((g) => g?.profile.name),
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
    const note = (n: RawNetwork | undefined, use: Usage) => {
      for (const id of new Set([...(n?.include ?? []), ...(n?.exclude ?? [])]))
        usage.get(id)?.push(use);
    };
    const [apps, tokens, policies] = await Promise.all([
      t.list(RawApp, `/api/v1/apps?limit=200`),
      t.list(RawToken, `/api/v1/api-tokens`),
      Promise.all(
        POLICY_TYPES.map((type) =>
          t.call<unknown[]>("GET", `/api/v1/policies?type=${type}`).then(
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
        const { json } = await t.call<unknown[]>("GET", `/api/v1/policies/${p.id}/rules`);
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
      ? (await t.listIam(RawIamObject, `/api/v1/iam/resource-sets`, "resource-sets")).map(
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
        const bound = await t.listIam(
          z.looseObject({ id: z.string() }),
          `/api/v1/iam/resource-sets/${setId}/bindings`,
          "roles",
        );
        for (const { id: roleId } of bound) {
          if (!roleIds.has(roleId) && !adoptedSets.has(setId)) continue;
          const members = await t.listIam(
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
    for (const x of sets) work.push(named(bySet.get(x.id) ?? []).then((u) => void (x.usedBy = u)));
  }
  await Promise.all(work);
}
