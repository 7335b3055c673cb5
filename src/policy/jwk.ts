// Public JWK arithmetic: the RFC 7638 thumbprint (a key's identity whatever its kid or however its
// numbers are written), the canonical encoding of a key's members, and the size of an RSA modulus.
// Synchronous and pure (node:crypto's sha256 only).
import { createHash } from "node:crypto";
import type { PublicJwk } from "../model/index.js";

/** Bytes of one coordinate of each curve's points (RFC 7518 §6.2.1.2: x and y are exactly this). */
const EC_COORDINATE_BYTES: Record<string, number> = { "P-256": 32, "P-384": 48, "P-521": 66 };

/** RFC 7638: SHA-256 over the JSON of the key's required members, in lexicographic order, with no
 * whitespace; base64url without padding. The members are taken from the decoded numbers, written
 * again in their one canonical form, so one key written two ways (unused bits in the last
 * base64url character, leading zero bytes) still has one thumbprint. */
export function jwkThumbprint(jwk: PublicJwk): string {
  const canonical =
    jwk.kty === "RSA"
      ? JSON.stringify({ e: unsignedInt(jwk.e), kty: jwk.kty, n: unsignedInt(jwk.n) })
      : JSON.stringify({
          crv: jwk.crv,
          kty: jwk.kty,
          x: coordinate(jwk.x, jwk.crv),
          y: coordinate(jwk.y, jwk.crv),
        });
  return createHash("sha256").update(canonical, "utf8").digest("base64url");
}

/** A big-endian unsigned integer in its minimal form (RFC 7518 §2, Base64urlUInt). */
function unsignedInt(value: string): string {
  return stripZeros(Buffer.from(value, "base64url")).toString("base64url");
}

/** A curve coordinate at the curve's full width. */
function coordinate(value: string, crv: string): string {
  const bytes = stripZeros(Buffer.from(value, "base64url"));
  const size = EC_COORDINATE_BYTES[crv] ?? bytes.length;
  if (bytes.length >= size) return bytes.toString("base64url");
  return Buffer.concat([Buffer.alloc(size - bytes.length), bytes]).toString("base64url");
}

function stripZeros(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

export interface EncodingProblem {
  member: "n" | "e" | "x" | "y";
  problem: string;
}

/** Why a key's members are not in their one canonical form (empty when they are). Okta, other
 * tools and the thumbprint each read a non-canonical member in their own way, so it is refused. */
export function jwkEncodingProblems(jwk: PublicJwk): EncodingProblem[] {
  const problems: EncodingProblem[] = [];
  const members =
    jwk.kty === "RSA"
      ? ([
          ["n", jwk.n],
          ["e", jwk.e],
        ] as const)
      : ([
          ["x", jwk.x],
          ["y", jwk.y],
        ] as const);
  for (const [member, value] of members) {
    const bytes = Buffer.from(value, "base64url");
    if (bytes.toString("base64url") !== value) {
      problems.push({
        member,
        problem:
          value.length % 4 === 1
            ? "has a length no base64url text can have (a character too many or too few)"
            : "sets unused bits in its last base64url character, so it reads as another text of the same number",
      });
      continue;
    }
    if (jwk.kty === "RSA") {
      if (bytes.length > 1 && bytes[0] === 0)
        problems.push({
          member,
          problem:
            "starts with a zero byte; write the number without leading zeros (RFC 7518 §6.3.1)",
        });
      else if (bytes.every((b) => b === 0))
        problems.push({ member, problem: "is zero, which is not an RSA key" });
    } else {
      const size = EC_COORDINATE_BYTES[jwk.crv]!;
      if (bytes.length !== size)
        problems.push({
          member,
          problem: `is ${bytes.length} bytes; a ${jwk.crv} coordinate is exactly ${size} bytes (RFC 7518 §6.2.1.2)`,
        });
    }
  }
  return problems;
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
