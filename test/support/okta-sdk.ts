// Okta SDK clients for tests against a local org. Every setting is passed explicitly: the SDK also
// reads ~/.okta/okta.yaml, ./okta.yaml and OKTA_CLIENT_* variables, which must not leak into tests.
//
// DPoP: @okta/okta-sdk-nodejs 8.1.0 cannot complete Okta's nonce challenge on its own: its
// Http.errorFilter throws on the 400 `use_dpop_nonce` answer before the code that would retry with
// the DPoP-Nonce header runs. `withDpopNonceRetry` catches that 400 and retries once with the nonce,
// which is what the SDK means to do (and what a client needs against Okta itself).
import { Client, DefaultRequestExecutor } from "@okta/okta-sdk-nodejs";

export interface OrgLike {
  url: string;
  credentials: {
    clientId: string;
    keyId: string;
    scopes: readonly string[];
    privateKeyJwk: object;
    sswsToken: string;
  };
}

interface OAuthLike {
  isDPoP: boolean;
  getAccessToken(nonce?: string | null): Promise<unknown>;
}

export function withDpopNonceRetry(client: Client): Client {
  const oauth = (client as unknown as { oauth?: OAuthLike }).oauth;
  if (!oauth) return client;
  const original = oauth.getAccessToken.bind(oauth);
  oauth.getAccessToken = async (nonce?: string | null) => {
    try {
      return await original(nonce);
    } catch (e) {
      const err = e as { status?: number; headers?: { get(name: string): string | null } };
      const challenge = err.status === 400 ? err.headers?.get("dpop-nonce") : null;
      if (!challenge || nonce) throw e;
      oauth.isDPoP = true;
      return await original(challenge);
    }
  };
  return client;
}

export interface ClientOptions {
  scopes?: readonly string[];
  /** Retries of a 429 by the SDK's executor (2 by default); 0 surfaces the 429 at once. */
  maxRetries?: number;
  privateKey?: object | string;
  token?: string;
}

const common = (org: OrgLike, opts: ClientOptions) => ({
  orgUrl: org.url,
  // The SDK takes maxRetries only through its executor's constructor.
  requestExecutor: new DefaultRequestExecutor({
    maxRetries: opts.maxRetries ?? 2,
    requestTimeout: 0,
  }),
  cacheMiddleware: null,
  userAgent: "okta-gitops-tests",
  httpsProxy: undefined,
});

/** PrivateKey mode with DPoP: how the bot itself calls Okta. */
export function privateKeyClient(org: OrgLike, opts: ClientOptions = {}): Client {
  const client = new Client({
    ...common(org, opts),
    authorizationMode: "PrivateKey",
    clientId: org.credentials.clientId,
    scopes: [...(opts.scopes ?? org.credentials.scopes)],
    privateKey: opts.privateKey ?? JSON.stringify(org.credentials.privateKeyJwk),
    keyId: org.credentials.keyId,
    // Accepted by the SDK's types; 8.1.0 turns DPoP on only after the nonce challenge.
    ...({ dpop: true } as object),
  } as ConstructorParameters<typeof Client>[0]);
  return withDpopNonceRetry(client);
}

/** SSWS mode: an API token. */
export function sswsClient(org: OrgLike, opts: ClientOptions = {}): Client {
  return new Client({
    ...common(org, opts),
    authorizationMode: "SSWS",
    token: opts.token ?? org.credentials.sswsToken,
  } as ConstructorParameters<typeof Client>[0]);
}
