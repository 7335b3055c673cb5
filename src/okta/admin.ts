// Okta as an administrator, for the one job the bot cannot do as itself: creating its own app
// (`okta-gitops bootstrap`). The credential is an admin's short-lived token: an SSWS API token or
// an OAuth access token (Bearer) for Okta's Management API. It is held in the SDK's default headers
// only while the connection is open and removed by forget(); no other part of the adapter changes:
// the same transport, pacing, reads and writers as apply.
import okta from "@okta/okta-sdk-nodejs";
import { OktaAdapter, type OktaConnection } from "./adapter.js";
import { PacedRequestExecutor } from "./client.js";
import { Pacer } from "./pacer.js";

const { Client } = okta;

export interface AdminToken {
  scheme: "SSWS" | "Bearer";
  value: string;
}

/** Longer than any Okta token (an access token JWT is a few KiB at most). */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** A JWT: three base64url parts (an Okta access token is one; an SSWS token never is). */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The token an admin typed or piped: `SSWS <token>`, `Bearer <token>`, or the bare token (a JWT is
 * an access token, anything else an API token). The reason it is refused never quotes it.
 */
export function parseAdminToken(text: string): AdminToken | { error: string } {
  const line = text.replace(/^\uFEFF/, "").trim();
  if (!line) return { error: "no token was given on stdin" };
  if (line.length > MAX_TOKEN_LENGTH)
    return { error: `the token is longer than ${MAX_TOKEN_LENGTH} characters` };
  const m = /^(SSWS|Bearer|DPoP)\s+(\S+)$/i.exec(line);
  const scheme = m?.[1]?.toLowerCase();
  if (scheme === "dpop")
    return {
      error:
        "a DPoP-bound access token cannot be used: it is bound to a key only its client holds; give an SSWS API token or a Bearer access token",
    };
  const value = m ? m[2]! : line;
  // Visible ASCII only: anything else could split the Authorization header or is not a token.
  if (!/^[\x21-\x7e]+$/.test(value))
    return {
      error:
        "the token holds spaces or characters outside visible ASCII: give one token on one line (optionally after SSWS or Bearer)",
    };
  if (scheme === "ssws") return { scheme: "SSWS", value };
  if (scheme === "bearer") return { scheme: "Bearer", value };
  return { scheme: JWT.test(value) ? "Bearer" : "SSWS", value };
}

export interface AdminConnection extends OktaConnection {
  /** Removes the token from the client; every later call is unauthenticated. */
  forget(): void;
}

/**
 * A connection to `orgUrl` authenticated by an admin's token. `bot` is what the reader takes the
 * bot's own app to be (its scopes and key id): the app does not exist yet, so no app is "self".
 */
export function connectAsAdmin(
  orgUrl: string,
  token: AdminToken,
  bot: { scopes: string[]; keyId?: string },
): AdminConnection {
  const pacer = new Pacer({ share: 1 });
  const executor = new PacedRequestExecutor(pacer);
  // Every setting explicit, as in client.ts (the SDK otherwise also reads okta.yaml files and
  // OKTA_CLIENT_* variables). SSWS mode sets the header; a Bearer token replaces it.
  const client = new Client({
    orgUrl,
    authorizationMode: "SSWS",
    token: token.value,
    cacheMiddleware: null,
    requestExecutor: executor,
  });
  const headers = (client as unknown as { http: { defaultHeaders: Record<string, string> } }).http
    .defaultHeaders;
  if (token.scheme === "Bearer") headers.Authorization = `Bearer ${token.value}`;
  const adapter = new OktaAdapter(client, pacer, {
    orgUrl,
    // No app is the bot's yet: an empty client id matches none.
    clientId: "",
    privateKey: "",
    scopes: bot.scopes,
    ...(bot.keyId ? { keyId: bot.keyId } : {}),
  });
  return {
    adapter,
    executor,
    pacer,
    forget() {
      delete headers.Authorization;
      (client as unknown as { apiToken?: string }).apiToken = undefined;
    },
  };
}
