// References between objects: apply resolves "the zone of this integration" to an Okta id through
// these keys (`app:<integration>`, `zone:<zone name>`, ...), filled from the actual state and from
// what each create returns.
import type { Refs } from "../reconcile/apply.js";
import type { ActualState } from "../reconcile/model.js";

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

/** The id behind a reference; a 400-like error when an earlier step did not make the object. */
export function need(refs: Refs, key: string): string {
  const id = refs.get(key);
  if (!id)
    throw Object.assign(new Error(`${key} is not in Okta (an earlier step failed)`), {
      status: 400,
    });
  return id;
}
