// Okta's rate limits: a bucket per endpoint family with a limit per window (a minute by default),
// shared by the org, of which each principal (an OAuth client or an API token) may use its
// percentage (principal rate limits; 50% by default), and a cap on concurrent requests. Every
// answer carries X-Rate-Limit-Limit/Remaining/Reset (epoch seconds of the window's end).
import type { Clock } from "./clock.js";

export type Family =
  | "token"
  | "apps"
  | "clients"
  | "iam"
  | "zones"
  | "apiTokens"
  | "users"
  | "groups"
  | "policies"
  | "principalRateLimits"
  | "default";

export interface RateLimitOptions {
  /** Requests per window for every family, or per family (the rest take `default`). */
  perMinute?: number | Partial<Record<Family, number>>;
  /** The window's length; a minute unless a test wants a shorter one. */
  windowMs?: number;
  /** Concurrent requests the org serves at once; more get a 429. */
  concurrency?: number;
  /** The share of a principal that has no principal rate limit entity. */
  defaultPercentage?: number;
}

export const DEFAULT_PER_MINUTE: Record<Family, number> = {
  token: 600,
  apps: 600,
  clients: 600,
  iam: 600,
  zones: 600,
  apiTokens: 600,
  users: 600,
  groups: 600,
  policies: 600,
  principalRateLimits: 600,
  default: 600,
};

export function familyOf(path: string): Family {
  if (path === "/oauth2/v1/token") return "token";
  if (path.startsWith("/oauth2/v1/clients")) return "clients";
  const m = /^\/api\/v1\/([^/]+)/.exec(path);
  switch (m?.[1]) {
    case "apps":
      return "apps";
    case "iam":
      return "iam";
    case "zones":
      return "zones";
    case "api-tokens":
      return "apiTokens";
    case "users":
      return "users";
    case "groups":
      return "groups";
    case "policies":
      return "policies";
    case "principal-rate-limits":
      return "principalRateLimits";
    default:
      return "default";
  }
}

export interface Decision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  private counts = new Map<string, { window: number; used: number }>();
  private inFlight = 0;
  private inFlightBy = new Map<string, number>();
  private options: Required<Omit<RateLimitOptions, "perMinute">> & {
    perMinute: Record<Family, number>;
  };

  constructor(
    private clock: Clock,
    options: RateLimitOptions = {},
  ) {
    this.options = RateLimiter.resolve(options);
  }

  private static resolve(options: RateLimitOptions) {
    const perMinute = { ...DEFAULT_PER_MINUTE };
    if (typeof options.perMinute === "number")
      for (const k of Object.keys(perMinute)) perMinute[k as Family] = options.perMinute;
    else if (options.perMinute) Object.assign(perMinute, options.perMinute);
    return {
      perMinute,
      windowMs: options.windowMs ?? 60_000,
      concurrency: options.concurrency ?? 75,
      defaultPercentage: options.defaultPercentage ?? 50,
    };
  }

  configure(options: RateLimitOptions): void {
    this.options = RateLimiter.resolve(options);
    this.counts.clear();
  }

  /**
   * Counts one request of `principal` (undefined: anonymous, such as the token endpoint) against
   * the family's bucket and the principal's share of it.
   */
  take(family: Family, principal: string | undefined, percentage: number | undefined): Decision {
    const { windowMs } = this.options;
    const now = this.clock.now();
    const window = Math.floor(now / windowMs);
    const reset = Math.ceil(((window + 1) * windowMs) / 1000);
    const orgLimit = this.options.perMinute[family];
    const share = principal ? (percentage ?? this.options.defaultPercentage) : 100;
    const limit = Math.max(1, Math.floor((orgLimit * share) / 100));
    const org = this.bump(`${family}`, window);
    const own = principal ? this.bump(`${family}|${principal}`, window) : org;
    const allowed = org.used <= orgLimit && own.used <= limit;
    if (!allowed) {
      // A refused request does not use up the bucket.
      org.used--;
      if (own !== org) own.used--;
    }
    const remaining = Math.max(0, Math.min(orgLimit - org.used, limit - own.used));
    return {
      allowed,
      headers: {
        "X-Rate-Limit-Limit": String(limit),
        "X-Rate-Limit-Remaining": String(remaining),
        "X-Rate-Limit-Reset": String(reset),
      },
    };
  }

  private bump(key: string, window: number) {
    let c = this.counts.get(key);
    if (!c || c.window !== window) {
      c = { window, used: 0 };
      this.counts.set(key, c);
    }
    c.used++;
    return c;
  }

  /** Starts a request; false when the org already serves its maximum of concurrent requests. */
  enter(): boolean {
    if (this.inFlight >= this.options.concurrency) return false;
    this.inFlight++;
    return true;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** Starts a request of a principal, within its share of the concurrency limit. */
  enterPrincipal(principal: string, percentage: number | undefined): boolean {
    const share = percentage ?? this.options.defaultPercentage;
    const cap = Math.max(1, Math.floor((this.options.concurrency * share) / 100));
    const n = this.inFlightBy.get(principal) ?? 0;
    if (n >= cap) return false;
    this.inFlightBy.set(principal, n + 1);
    return true;
  }

  leavePrincipal(principal: string): void {
    const n = (this.inFlightBy.get(principal) ?? 1) - 1;
    if (n <= 0) this.inFlightBy.delete(principal);
    else this.inFlightBy.set(principal, n);
  }
}
