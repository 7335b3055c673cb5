// Who is calling, and may they: the token endpoint (client credentials with a private_key_jwt
// assertion, DPoP-bound when the app asks for it), and the check of every API call's credential
// (SSWS, Bearer or DPoP) and of the scopes that the spec's `security` lists for the operation.
import { createHash, randomBytes } from "node:crypto";
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  importJWK,
  jwtVerify,
  type JWK,
} from "jose";
import type { Clock } from "./clock.js";
import { errors, OAuthError } from "./errors.js";
import type { Principal } from "./context.js";
import { allowedFrom } from "./network.js";
import type { OrgState } from "./store.js";

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TOKEN_TTL_S = 3600;
/** How far a DPoP proof's iat may be from now. */
const PROOF_SKEW_S = 300;
const NONCE_TTL_MS = 24 * 3600_000;

interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
  /** The thumbprint of the DPoP key the token is bound to. */
  jkt?: string;
}

export interface TokenRequest {
  form: URLSearchParams;
  dpop: string | undefined;
  /** The URL the client addressed, for `aud` and `htu`. */
  tokenUrls: string[];
  /** The caller's address, for the app's network condition. */
  ip?: string;
}

export const sha256hex = (s: string) => createHash("sha256").update(s).digest("hex");

export class Auth {
  private tokens = new Map<string, IssuedToken>();
  /** Single-use ids (assertion and proof jti) until they expire. */
  private usedJti = new Map<string, number>();
  private nonces = new Map<string, number>();

  constructor(
    private state: () => OrgState,
    private clock: Clock,
  ) {}

  private nowS(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private useOnce(kind: string, jti: unknown, until: number): boolean {
    if (typeof jti !== "string" || !jti) return false;
    const key = `${kind}:${jti}`;
    this.prune(this.usedJti, (exp) => exp);
    if (this.usedJti.has(key)) return false;
    this.usedJti.set(key, until);
    return true;
  }

  /** Drops expired entries once a map grows large, so that a long-running org stays small. */
  private prune<V>(map: Map<string, V>, expiry: (v: V) => number): void {
    if (map.size < 10_000) return;
    const now = this.clock.now();
    for (const [k, v] of map) if (expiry(v) < now) map.delete(k);
  }

  private newNonce(): string {
    this.prune(this.nonces, (exp) => exp);
    const nonce = randomBytes(24).toString("base64url");
    this.nonces.set(nonce, this.clock.now() + NONCE_TTL_MS);
    return nonce;
  }

  /** POST /oauth2/v1/token. Answers the token response, or throws an OAuthError. */
  async token(req: TokenRequest): Promise<Record<string, unknown>> {
    const f = req.form;
    if (f.get("grant_type") !== "client_credentials") {
      throw new OAuthError(
        400,
        "unsupported_grant_type",
        "The authorization grant type is not supported by the authorization server.",
      );
    }
    const assertion = f.get("client_assertion");
    if (f.get("client_assertion_type") !== ASSERTION_TYPE || !assertion) {
      throw new OAuthError(
        401,
        "invalid_client",
        "Client authentication failed: a private_key_jwt client assertion is required.",
      );
    }
    let claims: ReturnType<typeof decodeJwt>;
    let kid: string | undefined;
    try {
      claims = decodeJwt(assertion);
      kid = decodeProtectedHeader(assertion).kid;
    } catch {
      throw new OAuthError(401, "invalid_client", "The client_assertion is not a valid JWT.");
    }
    const clientId = typeof claims.sub === "string" ? claims.sub : "";
    const app = this.state().apps[clientId];
    if (!app || app.status !== "ACTIVE" || app.tokenEndpointAuthMethod !== "private_key_jwt") {
      throw new OAuthError(
        401,
        "invalid_client",
        "The client_assertion token has an invalid client id.",
      );
    }
    const keys = app.jwks.filter((k) => k.status === "ACTIVE" && (!kid || k.kid === kid));
    if (keys.length === 0)
      throw new OAuthError(
        401,
        "invalid_client",
        "The client_assertion signature key is not registered for the client.",
      );
    let verified = false;
    let failure = "The client_assertion signature is invalid.";
    for (const k of keys) {
      try {
        const { id: _id, status: _s, created: _c, lastUpdated: _l, _links: _x, ...jwk } = k;
        const key = await importJWK(jwk as JWK, (jwk.alg as string | undefined) ?? "RS256");
        await jwtVerify(assertion, key, {
          audience: req.tokenUrls,
          issuer: clientId,
          subject: clientId,
          currentDate: new Date(this.clock.now()),
          requiredClaims: ["exp", "jti"],
        });
        verified = true;
        break;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "ERR_JWT_EXPIRED") failure = "The client_assertion token is expired.";
        else if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED")
          failure = `The client_assertion token is invalid: ${(e as Error).message}.`;
      }
    }
    if (!verified) throw new OAuthError(401, "invalid_client", failure);
    if (!this.useOnce("assertion", claims.jti, ((claims.exp ?? 0) + 60) * 1000)) {
      throw new OAuthError(
        401,
        "invalid_client",
        "The client_assertion token has already been used (jti replay).",
      );
    }

    if (!allowedFrom(this.state(), app.network, req.ip)) {
      throw new OAuthError(
        400,
        "access_denied",
        "The client may not request tokens from this network (network zone policy).",
      );
    }

    let jkt: string | undefined;
    if (app.dpop) {
      const proof = await this.verifyProof(req.dpop, "POST", req.tokenUrls, undefined, true);
      jkt = proof.jkt;
    }

    const granted = new Set(
      Object.values(this.state().grants)
        .filter((g) => g.appId === app.id)
        .map((g) => g.scopeId),
    );
    const requested = (f.get("scope") ?? "").split(" ").filter(Boolean);
    if (requested.length === 0)
      throw new OAuthError(
        400,
        "invalid_scope",
        "The authorization request must include at least one scope.",
      );
    const missing = requested.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      throw new OAuthError(
        400,
        "invalid_scope",
        `The following scopes are not granted to the client: ${missing.join(" ")}.`,
      );
    }
    this.prune(this.tokens, (t) => t.expiresAt);
    const accessToken = randomBytes(32).toString("base64url");
    this.tokens.set(accessToken, {
      clientId: app.id,
      scopes: requested,
      expiresAt: this.clock.now() + TOKEN_TTL_S * 1000,
      jkt,
    });
    return {
      token_type: jkt ? "DPoP" : "Bearer",
      expires_in: TOKEN_TTL_S,
      access_token: accessToken,
      scope: requested.join(" "),
    };
  }

  /**
   * Verifies a DPoP proof (RFC 9449 §4.3): signature by its embedded key, htm, htu, iat, single-use
   * jti, `ath` for an access token; at the token endpoint a server nonce is required.
   */
  private async verifyProof(
    proof: string | undefined,
    method: string,
    urls: string[],
    accessToken: string | undefined,
    atTokenEndpoint: boolean,
  ): Promise<{ jkt: string }> {
    const fail = (description: string): never => {
      if (atTokenEndpoint) throw new OAuthError(400, "invalid_dpop_proof", description);
      throw errors.invalidToken(
        description,
        `DPoP error="invalid_dpop_proof", error_description="${description}"`,
      );
    };
    if (!proof) return fail("The DPoP proof JWT header is missing.");
    let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
    let jwk: JWK | undefined;
    try {
      const result = await jwtVerify(proof, EmbeddedJWK, {
        typ: "dpop+jwt",
        currentDate: new Date(this.clock.now()),
      });
      payload = result.payload;
      jwk = result.protectedHeader.jwk;
    } catch (e) {
      return fail(`The DPoP proof JWT is invalid: ${(e as Error).message}`);
    }
    if (!jwk || "d" in jwk) return fail("The DPoP proof JWT must carry a public jwk header.");
    if (payload.htm !== method) return fail("'htm' claim in the DPoP proof JWT is invalid.");
    if (typeof payload.htu !== "string" || !urls.includes(payload.htu.split(/[?#]/)[0] ?? "")) {
      return fail("'htu' claim in the DPoP proof JWT is invalid.");
    }
    const iat = typeof payload.iat === "number" ? payload.iat : NaN;
    if (!(Math.abs(iat - this.nowS()) <= PROOF_SKEW_S))
      return fail("'iat' claim in the DPoP proof JWT is invalid.");
    if (accessToken !== undefined) {
      const ath = createHash("sha256").update(accessToken).digest("base64url");
      if (payload.ath !== ath) return fail("'ath' claim in the DPoP proof JWT is invalid.");
    }
    if (atTokenEndpoint) {
      const nonce = payload.nonce;
      const expires = typeof nonce === "string" ? this.nonces.get(nonce) : undefined;
      if (expires === undefined || expires < this.clock.now()) {
        throw new OAuthError(
          400,
          "use_dpop_nonce",
          "Authorization server requires nonce in DPoP proof.",
          {
            "DPoP-Nonce": this.newNonce(),
          },
        );
      }
    }
    // The jti is spent only by a proof that passed every other check, so that the nonce challenge
    // does not burn the client's proof (it sends a new one with the nonce anyway).
    if (!this.useOnce("proof", payload.jti, (iat + PROOF_SKEW_S + 60) * 1000)) {
      return fail("The DPoP proof JWT has already been used (jti replay).");
    }
    return { jkt: await calculateJwkThumbprint(jwk) };
  }

  /** The principal behind an API call's Authorization header; throws E0000011 when there is none. */
  async authenticate(
    authorization: string | undefined,
    dpop: string | undefined,
    method: string,
    urls: string[],
    ip?: string,
  ): Promise<Principal> {
    if (!authorization) throw errors.invalidToken("The request has no Authorization header.");
    const space = authorization.indexOf(" ");
    const scheme = authorization.slice(0, space).toLowerCase();
    const credential = authorization.slice(space + 1).trim();
    if (scheme === "ssws") {
      const hash = sha256hex(credential);
      const token = Object.values(this.state().apiTokens).find((t) => t.secretHash === hash);
      if (!token || Date.parse(token.expiresAt) < this.clock.now()) throw errors.invalidToken();
      const user = this.state().users[token.userId];
      if (user && user.status !== "ACTIVE")
        throw errors.invalidToken("The token's user is not active.");
      if (!allowedFrom(this.state(), token.network, ip)) {
        throw errors.forbidden(
          "The API token may not be used from this network (its network condition).",
        );
      }
      return { type: "SSWS_TOKEN", id: token.id };
    }
    if (scheme !== "bearer" && scheme !== "dpop") throw errors.invalidToken();
    const issued = this.tokens.get(credential);
    if (!issued || issued.expiresAt < this.clock.now()) {
      throw errors.invalidToken(
        undefined,
        `${scheme === "dpop" ? "DPoP" : "Bearer"} error="invalid_token"`,
      );
    }
    if (issued.jkt) {
      if (scheme !== "dpop")
        throw errors.invalidToken(
          "A DPoP-bound access token must be presented with the DPoP scheme.",
        );
      const { jkt } = await this.verifyProof(dpop, method, urls, credential, false);
      if (jkt !== issued.jkt)
        throw errors.invalidToken("The DPoP proof key does not match the access token.");
    } else if (scheme === "dpop") {
      throw errors.invalidToken("The access token is not DPoP-bound.");
    }
    const app = this.state().apps[issued.clientId];
    if (!app || app.status !== "ACTIVE") throw errors.invalidToken("The client is not active.");
    return { type: "OAUTH_CLIENT", id: issued.clientId, scopes: issued.scopes };
  }

  /** The spec lists, per operation, scopes any one of which suffices. SSWS tokens skip scopes. */
  checkScopes(principal: Principal, required: readonly string[]): void {
    if (!principal.scopes || required.length === 0) return;
    if (!required.some((s) => principal.scopes?.includes(s)))
      throw errors.insufficientScope(required);
  }

  /** Forgets issued tokens (a restart does too): clients must fetch new ones. */
  revokeAll(): void {
    this.tokens.clear();
  }
}
