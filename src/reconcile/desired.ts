// Desired state: what each validated integration means in Okta, as plain canonical data. Only
// ServiceApp integrations are reconciled; an ApiTokenException is reported as not yet reconciled
// by the caller (tokens cannot be created through the API, see the report of issue 4).
import type { Config, ServiceApp } from "../model/index.js";
import {
  objectName,
  ownerDescription,
  type DesiredIntegration,
  type RoleAssignmentState,
} from "./model.js";
import { canonicalGateways, canonicalJwks, canonicalResources, sortedUnique } from "./normalise.js";

export function desiredIntegration(app: ServiceApp, config: Config): DesiredIntegration {
  const { name } = app.metadata;
  const { spec } = app;
  const label = objectName(name);
  const custom = spec.role.custom;
  const role: RoleAssignmentState = custom
    ? { type: "CUSTOM", role: label, resourceSet: label }
    : { type: spec.role.standard! };
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
    role,
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
