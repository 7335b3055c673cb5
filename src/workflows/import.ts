// Import: the integration file of an app that exists in Okta (its keys, DPoP and token-exchange
// settings, scope grants, admin role, network zone and rate share), so that the plan right after
// shows no change of any setting. Changes nothing in Okta: the file's import line names the objects
// the bot adopts when the file is applied. Writing the file is the caller's.
import { stringify } from "yaml";
import { API_VERSION, IntegrationName, ServiceApp } from "../model/index.js";
import { IMPORT_LINE } from "../load/import-line.js";
import type { ImportedApp, OktaAdapter } from "../okta/adapter.js";
import { WorkflowError } from "./errors.js";

/** The app `ref` (an id or a label) names, and the integration name it gets (`name`, or one made
 * from its label). Refuses an app the bot already manages, and a name that cannot be one. */
export async function appToImport(
  okta: { adapter: Pick<OktaAdapter, "describeApp"> },
  ref: string,
  name?: string,
): Promise<{ app: ImportedApp; name: string }> {
  const app = await okta.adapter.describeApp(ref);
  if (app.managedAs)
    throw new WorkflowError(`app ${app.id} is already managed by okta-gitops as ${app.managedAs}`);
  const chosen = name ?? slug(app.label);
  const named = IntegrationName.safeParse(chosen);
  if (!named.success)
    throw new WorkflowError(
      `"${chosen}" cannot be an integration name (${named.error.issues[0]?.message}): pass --name`,
    );
  return { app, name: chosen };
}

/** The integration file of an imported app: the header with the import line, then the document. */
export function integrationFile(
  app: ImportedApp,
  name: string,
  meta: { owner: string; purpose: string; request: string; today: string },
): { text: string; adopt: string } {
  if (app.roles.length !== 1)
    throw new WorkflowError(
      `app ${app.id} holds ${app.roles.length} admin roles; an integration has exactly one: fix the assignments in Okta first`,
    );
  if (app.network !== "ZONE" || !app.zone)
    throw new WorkflowError(
      `app ${app.id} can be used from anywhere; the policy requires a network zone: assign one in Okta first`,
    );
  if (!app.scopes.length) throw new WorkflowError(`app ${app.id} has no scope grants`);
  const role = app.roles[0]!;
  const jwks = app.jwks.map((k) => {
    const key: Record<string, unknown> = {};
    for (const m of ["kid", "kty", "alg", "use", "crv", "x", "y", "e", "n"])
      if (typeof k[m] === "string") key[m] = k[m];
    if (!key.kid)
      throw new WorkflowError(`a key of app ${app.id} has no kid; the file needs one per key`);
    return key;
  });
  const doc = {
    apiVersion: API_VERSION,
    kind: "ServiceApp",
    metadata: { name, owner: meta.owner, purpose: meta.purpose, request: meta.request },
    spec: {
      ...(app.label !== name ? { label: app.label } : {}),
      scopes: app.scopes,
      role: "standard" in role ? { standard: role.standard } : { custom: role.custom },
      credentials: { jwks },
      dpop: app.dpop,
      tokenExchange: app.tokenExchange,
      network: { allow: app.zone.gateways },
      rateLimit: { percent: app.rateLimitPercent ?? 50 },
    },
  };
  // Shape only: the policy (validate, plan) judges the settings as it judges any file.
  const parsed = ServiceApp.safeParse(doc);
  if (!parsed.success)
    throw new WorkflowError(
      `app ${app.id} cannot be written as an integration file: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const ids = [
    `app=${app.id}`,
    `zone=${app.zone.id}`,
    ...("custom" in role ? [`customRole=${role.roleId}`, `resourceSet=${role.resourceSetId}`] : []),
  ];
  const header = [
    "# yaml-language-server: $schema=../schemas/integration.schema.json",
    `${IMPORT_LINE} ${ids.join(" ")}`,
    `# Imported from Okta on ${meta.today}. The line above names the objects the bot adopts (puts its`,
    "# ownership marker on) when this file is applied; until then they are left as they are.",
  ];
  return {
    text: header.join("\n") + "\n" + stringify(doc, { lineWidth: 0 }),
    adopt: ids.join(", "),
  };
}

export function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/^[^a-z]+/, "")
    .slice(0, 50)
    .replace(/-+$/, "");
}
