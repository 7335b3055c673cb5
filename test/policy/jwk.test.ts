import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jwkEncodingProblems, jwkThumbprint, rsaModulusBits } from "../../src/policy/jwk.js";
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

describe("one key written two ways", () => {
  const rsa = RFC7638_KEY.kty === "RSA" ? RFC7638_KEY : undefined;
  // The modulus is 256 bytes: its last base64url character carries 2 bits and 4 unused ones.
  const unusedBits = rsa!.n.slice(0, -1) + "x"; // "w" (110000) → "x" (110001): same bytes
  const zeroLedE = Buffer.from([0, 1, 0, 1]).toString("base64url"); // AAEAAQ, 65537 again

  it("has one thumbprint: unused bits in n, or a leading zero byte in e, do not make a new key", () => {
    expect(Buffer.from(unusedBits, "base64url")).toEqual(Buffer.from(rsa!.n, "base64url"));
    const published = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    expect(jwkThumbprint({ ...rsa!, n: unusedBits })).toBe(published);
    expect(jwkThumbprint({ ...rsa!, e: zeroLedE })).toBe(published);
    const zeroLedN = Buffer.concat([Buffer.from([0]), Buffer.from(rsa!.n, "base64url")]);
    expect(jwkThumbprint({ ...rsa!, n: zeroLedN.toString("base64url") })).toBe(published);
  });

  it("refuses each non-canonical member, naming it", () => {
    expect(jwkEncodingProblems(RFC7638_KEY)).toEqual([]);
    expect(jwkEncodingProblems({ ...rsa!, n: unusedBits }).map((p) => p.member)).toEqual(["n"]);
    expect(jwkEncodingProblems({ ...rsa!, e: zeroLedE })).toEqual([
      { member: "e", problem: expect.stringContaining("zero byte") },
    ]);
    expect(jwkEncodingProblems({ ...rsa!, e: "AQABA" })[0]?.problem).toContain("length");
  });

  it("gives an EC key with a short coordinate the thumbprint of its full-width form, and refuses it", async () => {
    const { calculateJwkThumbprint } = await import("jose");
    // Find a P-256 key whose x starts with a zero byte, then write x without it.
    for (let i = 0; i < 2000; i++) {
      const exported = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
        format: "jwk",
      });
      const x = Buffer.from(String(exported.x), "base64url");
      if (x[0] !== 0) continue;
      const short: PublicJwk = {
        kty: "EC",
        kid: "ec",
        crv: "P-256",
        x: x.subarray(1).toString("base64url"),
        y: String(exported.y),
      };
      expect(jwkThumbprint(short)).toBe(await calculateJwkThumbprint(exported, "sha256"));
      expect(jwkEncodingProblems(short).map((p) => p.member)).toEqual(["x"]);
      return;
    }
    throw new Error("no key with a leading zero byte in 2000 tries");
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
