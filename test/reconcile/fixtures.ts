// Test integrations: a valid ServiceApp, varied by overrides.
import { randomBytes } from "node:crypto";
import {
  ApiTokenException,
  ServiceApp,
  type ApiTokenException as ApiTokenExceptionT,
  type ServiceApp as ServiceAppT,
} from "../../src/model/index.js";

// Each integration has its own key (the policy refuses a key shared by two integrations).
const keys = new Map<string, { kty: "RSA"; kid: string; n: string; e: string }>();
export function publicJwk(name: string) {
  let key = keys.get(name);
  if (!key) {
    // A 2048-bit modulus of random bits: a distinct public key for the policy and for Okta, made
    // without the cost of a key pair (these keys never sign anything).
    const n = randomBytes(256);
    n[0] = n[0]! | 0x80;
    key = { kty: "RSA", kid: `${name}-k1`, n: n.toString("base64url"), e: "AQAB" };
    keys.set(name, key);
  }
  return key;
}

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
      credentials: { jwks: [publicJwk(name)] },
      dpop: true,
      tokenExchange: false,
      network: { allow: ["203.0.113.10/32"] },
      rateLimit: { percent: 25 },
      ...spec,
    },
  });
}

/** A custom role on one group and its members (plan tests: no Okta to hold the group). */
export const customRole = customRoleOn("00g1hr000000000000");

/** A custom role on a group that exists in the org (resources must exist at plan time). */
export function customRoleOn(groupId: string) {
  return {
    custom: {
      permissions: ["okta.users.read", "okta.groups.read"],
      resources: [`groups/${groupId}`, `groups/${groupId}/users`],
    },
  };
}

export interface TokenExceptionOptions {
  /** The service account's login before @acme.example. */
  login?: string;
  percent?: number;
  role?: ApiTokenExceptionT["spec"]["role"];
}

/** A valid ApiTokenException registering `tokenId` for a payroll connector. */
export function tokenException(
  name: string,
  tokenId: string,
  {
    login = "svc-payroll",
    percent = 10,
    role = { standard: "READ_ONLY_ADMIN" },
  }: TokenExceptionOptions = {},
): ApiTokenExceptionT {
  return ApiTokenException.parse({
    apiVersion: "okta-gitops/v1",
    kind: "ApiTokenException",
    metadata: {
      name,
      owner: "@acme/payroll",
      purpose: "The payroll vendor's connector reads users",
      request: "https://tracker.example.com/ACCESS-77",
    },
    spec: {
      justification: "The payroll vendor's connector supports only SSWS tokens",
      expires: "2027-03-01",
      serviceAccount: { login: `${login}@acme.example` },
      token: { id: tokenId },
      role,
      network: { allow: ["192.0.2.44/32"] },
      rateLimit: { percent },
    },
  });
}
