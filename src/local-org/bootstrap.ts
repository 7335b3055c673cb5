// A new local org is usable at once: it has the bot's own API Service App (DPoP on, private_key_jwt
// with a fresh RSA key pair, scope grants for what the bot manages, and the one admin role it
// needs, BOT_ROLE), an admin user with an SSWS token for tests, the Everyone group and the default
// sign-on policy. With a data folder the
// private key is written with mode 0600 and the credentials file says where everything is.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { exportJWK, exportPKCS8, generateKeyPair, type JWK } from "jose";
import { newId, PREFIX } from "./ids.js";
import { appFromBody } from "./resources/apps.js";
import { seedApiToken } from "./resources/api-tokens.js";
import { createUser } from "./resources/directory.js";
import { seedDefaultPolicy } from "./resources/policies.js";
import type { OrgState } from "./store.js";

/** The scopes the bot needs: read and manage of everything it reconciles. */
export const BOT_SCOPES: readonly string[] = [
  "apps",
  "appGrants",
  "roles",
  "networkZones",
  "apiTokens",
  "principalRateLimits",
  "users",
  "groups",
  "policies",
].flatMap((s) => [`okta.${s}.read`, `okta.${s}.manage`]);

/**
 * The bot's admin role, and nothing more. The bot assigns admin roles to other apps and to service
 * accounts, and creates custom roles and resource sets: Okta lets only a super admin add or remove
 * administrators ("Add, remove, and view administrators": Super Admin only, in Okta's table of
 * standard admin permissions), and a principal with a custom role can never assign SUPER_ADMIN. No
 * narrower role does the bot's job; integrations/okta-gitops.yaml says the same, as an exception.
 */
export const BOT_ROLE = "SUPER_ADMIN";

/** The test admin's role: the first administrator of an Okta org is a super admin. */
export const ADMIN_ROLE = "SUPER_ADMIN";

export const BOT_APP_LABEL = "okta-gitops (local org bot)";
export const KEY_FILE = "bot-private-key.pem";
export const CREDENTIALS_FILE = "credentials.json";

export interface Credentials {
  /** The bot app's client id. */
  clientId: string;
  /** The kid of the bot's key, as registered in its app. */
  keyId: string;
  scopes: readonly string[];
  /** The bot's private key, PKCS#8 PEM. */
  privateKeyPem: string;
  /** The same key as a JWK (with kid and alg), the form the Okta SDK takes most reliably. */
  privateKeyJwk: JWK;
  /** Where the private key is written, for a file-backed org. */
  privateKeyPath?: string;
  /** An SSWS token of the org's admin, for tests. */
  sswsToken: string;
  sswsTokenId: string;
  adminUserId: string;
  /** API tokens created from a seed file, with their secrets (shown once, as Okta does). */
  seededApiTokens?: { id: string; name: string; token: string }[];
}

export async function bootstrap(
  state: OrgState,
  origin: string,
  now: number,
): Promise<Credentials> {
  const iso = new Date(now).toISOString();
  const everyoneId = newId(PREFIX.group);
  state.groups[everyoneId] = {
    id: everyoneId,
    type: "BUILT_IN",
    profile: { name: "Everyone", description: "All users in your organization" },
    members: [],
    created: iso,
    lastUpdated: iso,
    lastMembershipUpdated: iso,
  };
  seedDefaultPolicy(state, iso);

  const admin = createUser(
    state,
    {
      profile: {
        login: "admin@local-org.example",
        email: "admin@local-org.example",
        firstName: "Local",
        lastName: "Admin",
      },
    },
    iso,
    true,
  );
  const adminRoleId = newId(PREFIX.roleAssignment);
  state.userRoles[adminRoleId] = {
    id: adminRoleId,
    type: ADMIN_ROLE,
    userId: admin.id,
    created: iso,
    lastUpdated: iso,
  };
  const ssws = seedApiToken(state, now, {
    name: "local-org-tests",
    userId: admin.id,
    ttlDays: 3650,
  });

  const { publicKey, privateKey } = await generateKeyPair("RS256", {
    extractable: true,
    modulusLength: 2048,
  });
  const keyId = `local-${iso.slice(0, 10)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid: keyId, alg: "RS256", use: "sig" };
  const privateKeyJwk: JWK = { ...(await exportJWK(privateKey)), kid: keyId, alg: "RS256" };
  const app = appFromBody(
    state,
    {
      name: "oidc_client",
      label: BOT_APP_LABEL,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
          dpop_bound_access_tokens: true,
          jwks: { keys: [publicJwk] },
        },
      },
      profile: { "okta-gitops": { managedBy: "okta-gitops", integration: "okta-gitops" } },
    },
    iso,
  );
  state.apps[app.id] = app;
  for (const scopeId of BOT_SCOPES) {
    const id = newId(PREFIX.grant);
    state.grants[id] = {
      id,
      appId: app.id,
      issuer: origin,
      scopeId,
      created: iso,
      lastUpdated: iso,
      createdBy: { id: admin.id, type: "User" },
    };
  }
  const botRoleId = newId(PREFIX.roleAssignment);
  state.clientRoles[botRoleId] = {
    id: botRoleId,
    type: BOT_ROLE,
    clientId: app.id,
    created: iso,
    lastUpdated: iso,
  };
  return {
    clientId: app.id,
    keyId,
    scopes: BOT_SCOPES,
    privateKeyPem: await exportPKCS8(privateKey),
    privateKeyJwk,
    sswsToken: ssws.token,
    sswsTokenId: ssws.id,
    adminUserId: admin.id,
  };
}

/** Writes the private key (0600) into the data folder, once, when the org is created. */
export function writePrivateKey(dataDir: string, creds: Credentials): Credentials {
  const keyPath = path.join(dataDir, KEY_FILE);
  writeFileSync(keyPath, creds.privateKeyPem, { mode: 0o600 });
  return { ...creds, privateKeyPath: keyPath };
}

/**
 * Writes credentials.json (0600): the bot's client id, key id and key path, its scopes and the SSWS
 * token: what stays true as long as the org exists. Never the private key itself, and never a URL:
 * the port changes between runs, and the server that is running (if any) is in server.json.
 */
export function writeCredentialsFile(dataDir: string, creds: Credentials): string {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const { privateKeyPem: _pem, privateKeyJwk: _jwk, ...rest } = creds;
  writeFileSync(file, JSON.stringify(rest, null, 2) + "\n", { mode: 0o600 });
  return file;
}
