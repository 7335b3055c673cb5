// Where the bot's Okta is: from the environment (validated), or, with none of the variables set,
// the local Okta org kept under .okta-gitops/ in the working directory.
import {
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

export const OKTA_ENV = [
  "OKTA_ORG_URL",
  "OKTA_CLIENT_ID",
  "OKTA_PRIVATE_KEY",
  "OKTA_PRIVATE_KEY_FILE",
  "OKTA_KEY_ID",
  "OKTA_SCOPES",
] as const;

export interface OktaSettings {
  orgUrl: string;
  clientId: string;
  /** PEM (PKCS#1 or PKCS#8) or a JWK as JSON text. */
  privateKey: string;
  keyId?: string;
  scopes: string[];
}

const Env = z
  .object({
    OKTA_ORG_URL: z
      .url({ error: "OKTA_ORG_URL must be the org's URL, e.g. https://acme.okta.com" })
      .transform((u) => u.replace(/\/+$/, "")),
    OKTA_CLIENT_ID: z.string().min(1, { error: "OKTA_CLIENT_ID is required" }),
    OKTA_PRIVATE_KEY: z.string().min(1).optional(),
    OKTA_PRIVATE_KEY_FILE: z.string().min(1).optional(),
    OKTA_KEY_ID: z.string().min(1).optional(),
    OKTA_SCOPES: z
      .string()
      .min(1, { error: "OKTA_SCOPES is required: the scopes granted to the bot, space separated" })
      .transform((s) => s.split(/[\s,]+/).filter(Boolean)),
  })
  .refine((e) => !!e.OKTA_PRIVATE_KEY !== !!e.OKTA_PRIVATE_KEY_FILE, {
    error: "set exactly one of OKTA_PRIVATE_KEY and OKTA_PRIVATE_KEY_FILE",
  });

/** The settings from the environment; undefined when none of the variables is set (use the local
 * org); an Error naming the variable when they are set but incomplete or malformed. */
export function oktaSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): OktaSettings | undefined {
  if (OKTA_ENV.every((k) => !env[k])) return undefined;
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.path.length && i.code === "invalid_type" ? `${String(i.path[0])} is required` : i.message,
    );
    throw new Error(`Okta settings: ${issues.join("; ")}`);
  }
  const e = parsed.data;
  let privateKey = e.OKTA_PRIVATE_KEY;
  let source = "OKTA_PRIVATE_KEY";
  if (e.OKTA_PRIVATE_KEY_FILE) {
    source = `OKTA_PRIVATE_KEY_FILE (${e.OKTA_PRIVATE_KEY_FILE})`;
    try {
      privateKey = readFileSync(e.OKTA_PRIVATE_KEY_FILE, "utf8");
    } catch (error) {
      throw new Error(
        `Okta settings: cannot read OKTA_PRIVATE_KEY_FILE ${e.OKTA_PRIVATE_KEY_FILE}: ${(error as Error).message}`,
      );
    }
  }
  const problem = privateKeyProblem(privateKey!);
  if (problem) throw new Error(`Okta settings: ${source} ${problem} (the key's text is not shown)`);
  return {
    orgUrl: e.OKTA_ORG_URL,
    clientId: e.OKTA_CLIENT_ID,
    privateKey: privateKey!,
    ...(e.OKTA_KEY_ID ? { keyId: e.OKTA_KEY_ID } : {}),
    scopes: e.OKTA_SCOPES,
  };
}

/**
 * What is wrong with the bot's private key, in words that quote none of it, or undefined when it is
 * a usable private key. Checked before the SDK sees it: the SDK's and JSON.parse's own errors quote
 * the text they choke on, which would put key material on stderr and in CI logs.
 */
export function privateKeyProblem(text: string): string | undefined {
  const key = text.trim();
  if (key.startsWith("{")) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(key);
    } catch {
      return "is not valid JSON: a private JWK (or a PEM private key) is expected";
    }
    if (!jwk || typeof jwk !== "object" || Array.isArray(jwk)) return "is not a JWK object";
    const { kty, d } = jwk as { kty?: unknown; d?: unknown };
    if (kty !== "RSA" && kty !== "EC") return 'is a JWK whose kty is not "RSA" or "EC"';
    if (typeof d !== "string") return "is a public JWK (no d): the bot needs its private key";
    const numbers = kty === "RSA" ? ["n", "e", "d", "p", "q", "dp", "dq", "qi"] : ["x", "y", "d"];
    const bad = numbers.filter((m) => {
      const v = (jwk as Record<string, unknown>)[m];
      return v !== undefined && (typeof v !== "string" || !/^[A-Za-z0-9_-]+$/.test(v));
    });
    if (bad.length)
      return `is a JWK whose ${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} not base64url`;
    try {
      if (!signsAndVerifies(createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" })))
        return `is a ${kty} JWK whose members do not form one key pair (a signature does not verify)`;
    } catch {
      return `is a ${kty} JWK whose members do not form a valid private key`;
    }
    return undefined;
  }
  if (/^-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    try {
      if (!signsAndVerifies(createPrivateKey(key)))
        return "is a PEM private key whose parts do not form one key pair (a signature does not verify)";
    } catch {
      return "is a PEM block that does not hold a readable private key";
    }
    return undefined;
  }
  return "is neither a PEM private key (-----BEGIN PRIVATE KEY-----) nor a private JWK as JSON";
}

/** Node accepts RSA numbers that do not belong together (the CRT parts are not checked); a
 * signature made and verified once shows the key can sign what Okta will verify. */
function signsAndVerifies(key: KeyObject): boolean {
  const data = Buffer.from("okta-gitops key check");
  const signature = sign("sha256", data, key);
  return verify("sha256", data, createPublicKey(key), signature);
}
