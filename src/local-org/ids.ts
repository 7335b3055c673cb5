// Okta IDs are a three-character type prefix followed by 17 base-62 characters (20 in all); the
// prefixes follow Okta's so that logs and fixtures read like a real org's.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export const PREFIX = {
  app: "0oa",
  user: "00u",
  group: "00g",
  zone: "nzo",
  role: "cr0",
  resourceSet: "iam",
  resource: "ire",
  grant: "oag",
  roleAssignment: "irb",
  policy: "00p",
  rule: "0pr",
  apiToken: "00T",
  principalRateLimit: "0lr",
  jwk: "pks",
  error: "oae",
  request: "req",
} as const;

export function randomChars(n: number): string {
  const bytes = randomBytes(n);
  let out = "";
  for (let i = 0; i < n; i++) out += ALPHABET[(bytes[i] ?? 0) % ALPHABET.length];
  return out;
}

export function newId(prefix: string): string {
  return prefix + randomChars(20 - prefix.length);
}

/** A secret that is handed out once; only its hash is stored. */
export function newSecret(length = 42): string {
  return randomChars(length);
}
