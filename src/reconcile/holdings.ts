// What Okta holds under an integration's marker, in words: said for an integration the bot leaves
// alone (a refused or unreadable file, an expired exception kept by `onExpiry: report`), so that a
// refusal never hides live access.
import type { ActualIntegration, RoleAssignmentState } from "./model.js";

const roleWords = (r: RoleAssignmentState): string =>
  "role" in r ? `CUSTOM ${r.role} on ${r.resourceSet}` : r.type;

/** One phrase per object, in dependency order; empty when Okta holds nothing of it. */
export function holdingsOf(a: ActualIntegration | undefined): string[] {
  if (!a) return [];
  const out: string[] = [];
  if (a.app)
    out.push(
      `app "${a.app.state.label}" (${a.app.id}, ${a.app.state.status}) with ${a.grants.length} scope grant${a.grants.length === 1 ? "" : "s"}` +
        (a.grants.length ? ` (${a.grants.map((g) => g.scope).join(", ")})` : ""),
    );
  for (const id of a.duplicateApps ?? []) out.push(`app ${id}`);
  if (a.token) out.push(`API token ${a.token.id} (${a.token.state.name})`);
  if (a.serviceAccount)
    out.push(`service account ${a.serviceAccount.login ?? a.serviceAccount.id}`);
  for (const r of a.roles) out.push(`admin role ${roleWords(r.state)} (${r.id})`);
  if (a.customRole) out.push(`custom role ${a.customRole.state.label} (${a.customRole.id})`);
  if (a.resourceSet) out.push(`resource set ${a.resourceSet.state.label} (${a.resourceSet.id})`);
  if (a.zone) out.push(`zone ${a.zone.state.name} (${a.zone.id})`);
  if (a.rateLimit) out.push(`rate limit ${a.rateLimit.percent}%`);
  return out;
}

/** "Okta still holds: …", or that it holds nothing under the marker. */
export function holdingsSentence(a: ActualIntegration | undefined): string {
  const h = holdingsOf(a);
  return h.length
    ? `Okta still holds ${h.join("; ")}`
    : "Okta holds nothing under its okta-gitops marker";
}
