// Desired state: what each validated integration means in Okta, as plain canonical data.
// An ApiTokenException reconciles its zone, the token's name (the marker) and network, its rate
// share, the interactive-login block of its service account and the account's admin role.
import type { ApiTokenException, Config, Role, ServiceApp } from "../model/index.js";
import {
  objectName,
  ownerDescription,
  type DesiredIntegration,
  type DesiredToken,
  type RoleAssignmentState,
} from "./model.js";
import { canonicalGateways, canonicalJwks, canonicalResources, sortedUnique } from "./normalise.js";

/** The admin role of an integration (an app's or a token's service account's): a standard type,
 * or a custom role and resource set of its own, both labelled with the bot's marker. */
export function desiredRole(
  name: string,
  spec: Role,
): Pick<DesiredIntegration, "role" | "customRole" | "resourceSet"> {
  const label = objectName(name);
  const custom = spec.custom;
  const role: RoleAssignmentState = custom
    ? { type: "CUSTOM", role: label, resourceSet: label }
    : { type: spec.standard! };
  return {
    role,
    ...(custom
      ? {
          customRole: {
            label,
            description: ownerDescription(name),
            permissions: sortedUnique(custom.permissions),
          },
          resourceSet: {
            label,
            description: ownerDescription(name),
            resources: canonicalResources(custom.resources),
          },
        }
      : {}),
  };
}

export function desiredIntegration(app: ServiceApp, config: Config): DesiredIntegration {
  const { name } = app.metadata;
  const { spec } = app;
  const label = objectName(name);
  return {
    name,
    zone: { name: label, gateways: canonicalGateways(spec.network.allow), status: "ACTIVE" },
    app: {
      label: spec.label ?? name,
      jwks: canonicalJwks(spec.credentials.jwks as unknown as Record<string, unknown>[]),
      dpop: spec.dpop,
      tokenExchange: spec.tokenExchange,
      network: { connection: "ZONE", zone: label },
      status: "ACTIVE",
    },
    scopes: sortedUnique(spec.scopes),
    ...desiredRole(name, spec.role),
    rateLimitPercent: spec.rateLimit?.percent ?? config.policy.rateLimit.defaultPercent,
  };
}

/** The desired state of every ServiceApp, by name. */
export function desiredState(
  integrations: readonly { integration: { kind: string } }[],
  config: Config,
): Map<string, DesiredIntegration> {
  const out = new Map<string, DesiredIntegration>();
  for (const { integration } of integrations) {
    if (integration.kind !== "ServiceApp") continue;
    const d = desiredIntegration(integration as ServiceApp, config);
    out.set(d.name, d);
  }
  return out;
}

export function desiredToken(exception: ApiTokenException, config: Config): DesiredToken {
  const { name } = exception.metadata;
  const label = objectName(name);
  return {
    name,
    tokenId: exception.spec.token.id,
    serviceAccount: exception.spec.serviceAccount.login,
    loginPattern: config.policy.serviceAccounts.loginPattern,
    zone: {
      name: label,
      gateways: canonicalGateways(exception.spec.network.allow),
      status: "ACTIVE",
    },
    token: { name: label, network: { connection: "ZONE", zone: label } },
    ...desiredRole(name, exception.spec.role),
    rateLimitPercent: exception.spec.rateLimit?.percent ?? config.policy.rateLimit.defaultPercent,
  };
}
