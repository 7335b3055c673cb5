// Where the bot's Okta is: from the environment (validated), or, with none of the variables set,
// the local Okta org kept under .okta-gitops/ in the working directory.
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
  if (e.OKTA_PRIVATE_KEY_FILE) {
    try {
      privateKey = readFileSync(e.OKTA_PRIVATE_KEY_FILE, "utf8");
    } catch (error) {
      throw new Error(
        `Okta settings: cannot read OKTA_PRIVATE_KEY_FILE ${e.OKTA_PRIVATE_KEY_FILE}: ${(error as Error).message}`,
      );
    }
  }
  return {
    orgUrl: e.OKTA_ORG_URL,
    clientId: e.OKTA_CLIENT_ID,
    privateKey: privateKey!,
    ...(e.OKTA_KEY_ID ? { keyId: e.OKTA_KEY_ID } : {}),
    scopes: e.OKTA_SCOPES,
  };
}
