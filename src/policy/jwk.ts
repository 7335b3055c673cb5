// Public JWK arithmetic: the RFC 7638 thumbprint (a key's identity whatever its kid) and the size
// of an RSA modulus. Synchronous and pure (node:crypto's sha256 only).
import { createHash } from "node:crypto";
import type { PublicJwk } from "../model/index.js";

/** RFC 7638: SHA-256 over the JSON of the key's required members, in lexicographic order, with no
 * whitespace; base64url without padding. */
export function jwkThumbprint(jwk: PublicJwk): string {
  const canonical =
    jwk.kty === "RSA"
      ? JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash("sha256").update(canonical, "utf8").digest("base64url");
}

/** The bit length of an RSA modulus given as base64url (leading zero bytes do not count). */
export function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, "base64url");
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const top = bytes[i];
  if (top === undefined) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(top));
}
