// Test integrations: a valid ServiceApp, varied by overrides.
import { generateKeyPairSync } from "node:crypto";
import { ServiceApp, type ServiceApp as ServiceAppT } from "../../src/model/index.js";

const publicJwk = (() => {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  return { kty: "RSA" as const, kid: "k1", n: jwk.n, e: jwk.e };
})();

export type SpecOverrides = Partial<ServiceAppT["spec"]>;

export function serviceApp(name: string, spec: SpecOverrides = {}): ServiceAppT {
  return ServiceApp.parse({
    apiVersion: "okta-gitops/v1",
    kind: "ServiceApp",
    metadata: {
      name,
      owner: "@acme/people-eng",
      purpose: "Reads users and groups to mirror the directory",
      request: "https://tracker.example.com/ACCESS-1",
    },
    spec: {
      scopes: ["okta.users.read", "okta.groups.read"],
      role: { standard: "READ_ONLY_ADMIN" },
      credentials: { jwks: [publicJwk] },
      dpop: true,
      tokenExchange: false,
      network: { allow: ["203.0.113.10/32"] },
      rateLimit: { percent: 25 },
      ...spec,
    },
  });
}

export const customRole = {
  custom: {
    permissions: ["okta.users.read", "okta.groups.read"],
    resources: ["groups/00g1hr000000000000", "groups/00g1hr000000000000/users"],
  },
};
