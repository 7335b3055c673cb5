import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jwkThumbprint, rsaModulusBits } from "../../src/policy/jwk.js";
import type { PublicJwk } from "../../src/model/index.js";

// RFC 7638, section 3.1: the example key and its thumbprint.
const RFC7638_KEY: PublicJwk = {
  kty: "RSA",
  n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
  e: "AQAB",
  alg: "RS256",
  kid: "2011-04-29",
};

describe("jwkThumbprint", () => {
  it("gives RFC 7638's own example its published thumbprint", () => {
    expect(jwkThumbprint(RFC7638_KEY)).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  });

  it("ignores kid, alg and use: the same key under another kid is the same key", () => {
    expect(jwkThumbprint({ ...RFC7638_KEY, kid: "renamed", alg: "RS512", use: "sig" })).toBe(
      jwkThumbprint(RFC7638_KEY),
    );
  });

  it("agrees with node:crypto's own JWK thumbprint for an EC key", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const exported = publicKey.export({ format: "jwk" });
    const jwk: PublicJwk = {
      kty: "EC",
      kid: "ec",
      crv: "P-256",
      x: String(exported.x),
      y: String(exported.y),
    };
    const { calculateJwkThumbprint } = await import("jose");
    expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(exported, "sha256"));
  });
});

describe("rsaModulusBits", () => {
  it("measures the RFC example key as 2048 bits", () => {
    expect(rsaModulusBits(RFC7638_KEY.kty === "RSA" ? RFC7638_KEY.n : "")).toBe(2048);
  });

  it.each([1024, 2048, 3072])("measures a generated %i-bit key", (bits) => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    expect(rsaModulusBits(String(publicKey.export({ format: "jwk" }).n))).toBe(bits);
  });

  it("does not count leading zero bytes", () => {
    expect(rsaModulusBits(Buffer.from([0, 0, 0x01, 0xff]).toString("base64url"))).toBe(9);
  });
});
