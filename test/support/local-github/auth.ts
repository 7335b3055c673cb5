// How GitHub authenticates an App: a JWT signed with the App's private key (RS256; `iss` is the
// App's id; at most 10 minutes long) for the /app endpoints, then installation access tokens
// (an hour long) for everything else.
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import { GitHubError } from "./context.js";

const MAX_JWT_LIFETIME_S = 600;
/** GitHub tolerates some clock drift on `iat`; Octokit back-dates it by 30 s. */
const CLOCK_SKEW_S = 60;
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

let keyPair: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
/** One RSA key pair per process: making one takes a while, and every test starts a server. */
function appKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  keyPair ??= generateKeyPairSync("rsa", { modulusLength: 2048 });
  return keyPair;
}

export interface InstallationToken {
  token: string;
  installationId: number;
  expiresAt: Date;
}

export class AppAuth {
  readonly privateKey: string;
  private readonly publicKey: KeyObject;
  private readonly tokens = new Map<string, InstallationToken>();

  constructor(
    readonly appId: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    const pair = appKeyPair();
    this.privateKey = pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    this.publicKey = pair.publicKey;
  }

  /** The bearer credential of an Authorization header, whatever its scheme word. */
  static credential(header: string | undefined): string | undefined {
    const m = /^(?:bearer|token)\s+(\S+)$/i.exec(header?.trim() ?? "");
    return m?.[1];
  }

  /** Checks a JWT as GitHub does; throws GitHub's 401 with the reason. */
  verifyJwt(jwt: string | undefined): void {
    const fail = (why: string): never => {
      throw new GitHubError(401, `A JSON web token could not be decoded: ${why}`);
    };
    if (!jwt) return fail("no credentials");
    const parts = jwt.split(".");
    if (parts.length !== 3) return fail("not a JWT");
    const [h, p, s] = parts as [string, string, string];
    let header: { alg?: unknown };
    let payload: { iss?: unknown; iat?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
      payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    } catch {
      return fail("malformed");
    }
    if (header.alg !== "RS256") return fail("alg must be RS256");
    const ok = verify(
      "RSA-SHA256",
      Buffer.from(`${h}.${p}`),
      this.publicKey,
      Buffer.from(s, "base64url"),
    );
    if (!ok) return fail("bad signature");
    if (String(payload.iss) !== String(this.appId)) return fail("'iss' is not this App's id");
    const nowS = Math.floor(this.now().getTime() / 1000);
    if (typeof payload.exp !== "number" || typeof payload.iat !== "number")
      return fail("'exp' and 'iat' are required");
    if (payload.exp <= nowS) return fail("'exp' is in the past");
    if (payload.iat > nowS + CLOCK_SKEW_S) return fail("'iat' is in the future");
    if (payload.exp - payload.iat > MAX_JWT_LIFETIME_S + CLOCK_SKEW_S)
      return fail("'exp' is too far in the future");
  }

  issueToken(installationId: number): InstallationToken {
    const t: InstallationToken = {
      token: `ghs_${randomBytes(18).toString("base64url")}`,
      installationId,
      expiresAt: new Date(this.now().getTime() + TOKEN_LIFETIME_MS),
    };
    this.tokens.set(t.token, t);
    return t;
  }

  /** The installation a token belongs to; throws GitHub's 401 otherwise. */
  verifyToken(token: string | undefined): InstallationToken {
    const t = token === undefined ? undefined : this.tokens.get(token);
    if (!t || t.expiresAt.getTime() <= this.now().getTime())
      throw new GitHubError(401, "Bad credentials");
    return t;
  }

  /** Expires every token issued so far (tests of the App's token refresh). */
  revokeTokens(): void {
    this.tokens.clear();
  }
}
