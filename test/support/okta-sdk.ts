// Okta SDK clients for tests against a local org. Every setting is passed explicitly: the SDK also
// reads ~/.okta/okta.yaml, ./okta.yaml and OKTA_CLIENT_* variables, which must not leak into tests.
//
// DPoP: the SDK completes Okta's use_dpop_nonce challenge by itself. (Its token request skips
// Http.errorFilter, since oauth.js reads `Http.errorFilter` off the module object, where it is
// undefined; so the 400 challenge reaches the nonce retry, and a failed token request is swallowed.)
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
  return new Client({
    ...common(org, opts),
    authorizationMode: "PrivateKey",
    clientId: org.credentials.clientId,
    scopes: [...(opts.scopes ?? org.credentials.scopes)],
    privateKey: opts.privateKey ?? JSON.stringify(org.credentials.privateKeyJwk),
    keyId: org.credentials.keyId,
    // 8.1.0 ignores this setting: DPoP turns on when the token endpoint answers use_dpop_nonce.
    ...({ dpop: true } as object),
  } as ConstructorParameters<typeof Client>[0]);
}

/** SSWS mode: an API token. */
export function sswsClient(org: OrgLike, opts: ClientOptions = {}): Client {
  return new Client({
    ...common(org, opts),
    authorizationMode: "SSWS",
    token: opts.token ?? org.credentials.sswsToken,
  } as ConstructorParameters<typeof Client>[0]);
}
