// A realistic, compliant ServiceApp document as YAML text, unique per index: name, group ids, key
// and addresses differ, so that a repository of many of them breaks no uniqueness rule. Shared by
// the loader tests and bench/validate.ts.
import { randomBytes } from "node:crypto";

export function integrationName(i: number): string {
  return `svc-${i.toString(36).padStart(4, "0")}-sync`;
}

/** A 2048-bit RSA public key: a random modulus with the top bit set is well-formed and unique. */
export function rsaModulus(): string {
  const n = randomBytes(256);
  n[0] = n[0]! | 0x80;
  return n.toString("base64url");
}

export function serviceAppYaml(i: number, name = integrationName(i), n = rsaModulus()): string {
  const group = `00g${i.toString(36).padStart(17, "0")}`;
  return `# yaml-language-server: $schema=../schemas/integration.schema.json
apiVersion: okta-gitops/v1
kind: ServiceApp
metadata:
  name: ${name}
  owner: "@acme/people-eng"
  purpose: Reads users and groups to mirror the directory into the HR system
  request: https://tracker.example.com/ACCESS-${1000 + i}
spec:
  scopes: [okta.users.read, okta.groups.read]
  role:
    custom:
      permissions: [okta.users.read, okta.groups.read]
      resources: [groups/${group}, groups/${group}/users]
  credentials:
    jwks:
      - kid: "2026-11"
        kty: RSA
        e: AQAB
        n: ${n}
  dpop: true
  tokenExchange: false
  network:
    allow: [203.0.113.${i % 256}/32, 198.51.100.${Math.floor(i / 256) % 256}/32]
  rateLimit: { percent: 25 }
`;
}
