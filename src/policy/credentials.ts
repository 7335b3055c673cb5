// The app's public keys: RSA moduli of at least 2048 bits, one kid per key, each number written in
// its one canonical form (so that no key can pass as two). (Private members are
// refused by the schema and loader; the same key in two integrations is a repository rule.)
import type { Finding } from "../model/index.js";
import { jwkEncodingProblems, rsaModulusBits } from "./jwk.js";
import { report, type IntegrationCheck } from "./report.js";

export const MIN_RSA_BITS = 2048;

export const checkCredentials: IntegrationCheck = (li) => {
  if (li.integration.kind !== "ServiceApp") return [];
  const findings: Finding[] = [];
  const kids = new Set<string>();
  li.integration.spec.credentials.jwks.forEach((jwk, i) => {
    const path = ["spec", "credentials", "jwks", i];
    if (kids.has(jwk.kid)) {
      findings.push(
        report(
          li,
          "credentials.duplicate-kid",
          [...path, "kid"],
          `kid "${jwk.kid}" is used by an earlier key: give each key its own kid.`,
        ),
      );
    }
    kids.add(jwk.kid);
    for (const { member, problem } of jwkEncodingProblems(jwk)) {
      findings.push(
        report(
          li,
          "credentials.non-canonical",
          [...path, member],
          `Key "${jwk.kid}": ${member} ${problem}. Commit the public JWK exactly as your key tool exports it.`,
        ),
      );
    }
    if (jwk.kty === "RSA") {
      const bits = rsaModulusBits(jwk.n);
      if (bits < MIN_RSA_BITS) {
        findings.push(
          report(
            li,
            "credentials.weak-key",
            [...path, "n"],
            `Key "${jwk.kid}" is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required: generate a new key pair (3072 bits recommended).`,
          ),
        );
      }
    }
  });
  return findings;
};
