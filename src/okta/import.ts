// Import: an existing app by id or label, with what it holds, in the file's terms (for
// `okta-gitops import`). Reads only; the file it becomes is written by the CLI.
import { hasTokenExchange, sortedUnique } from "../reconcile/normalise.js";
import { activeKeys, clientIdOf, markerOf, oidcAppsLike, RawApp } from "./kinds/app.js";
import { readPermissions } from "./kinds/custom-role.js";
import { readGrants } from "./kinds/grant.js";
import { rateLimitsOf, RawRateLimit } from "./kinds/rate-limit.js";
import { readResources } from "./kinds/resource-set.js";
import { RawRoleAssignment } from "./kinds/role-assignment.js";
import { RawZone } from "./kinds/zone.js";
import type { OktaTransport } from "./transport.js";

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

/** An app by id, or by its exact label, with what it holds: for `okta-gitops import`. */
export async function describeApp(t: OktaTransport, ref: string): Promise<ImportedApp> {
  let app: RawApp | undefined;
  if (/^0oa[A-Za-z0-9]{5,}$/.test(ref)) app = await t.getOptional(RawApp, `/api/v1/apps/${ref}`);
  if (!app) {
    const found = (await t.list(RawApp, oidcAppsLike(ref))).filter((a) => a.label === ref);
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
    readGrants(t, app.id),
    t.getArray(RawRoleAssignment, `/oauth2/v1/clients/${clientId}/roles`),
    t.list(RawRateLimit, rateLimitsOf(clientId)),
  ]);
  const zoneId = oc.network?.connection === "ZONE" ? oc.network.include?.[0] : undefined;
  const zone = zoneId ? await t.getOptional(RawZone, `/api/v1/zones/${zoneId}`) : undefined;
  const describedRoles: ImportedApp["roles"] = [];
  for (const r of roles) {
    if (r.type !== "CUSTOM") {
      describedRoles.push({ standard: r.type });
      continue;
    }
    const [permissions, resources] = await Promise.all([
      readPermissions(t, `${r.role}`),
      readResources(t, `${r["resource-set"]}`),
    ]);
    describedRoles.push({
      custom: {
        permissions: sortedUnique(permissions),
        resources: sortedUnique(Object.keys(resources)),
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
    jwks: activeKeys(app),
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
