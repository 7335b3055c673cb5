// Routes a request to its handler by the spec's path template, and tells the scopes that the
// spec's `security` lists for it (from the generated catalogue, never from the spec at run time).
import { OKTA_OPERATIONS } from "../okta-facts/catalogue.generated.js";
import type { Handler } from "./context.js";
import { errors } from "./errors.js";
import { apiTokenRoutes } from "./resources/api-tokens.js";
import { appRoutes } from "./resources/apps.js";
import { clientRoleRoutes } from "./resources/client-roles.js";
import { directoryRoutes } from "./resources/directory.js";
import { grantRoutes } from "./resources/grants.js";
import { groupRoleRoutes } from "./resources/group-roles.js";
import { iamRoutes } from "./resources/iam.js";
import { policyRoutes } from "./resources/policies.js";
import { principalRateLimitRoutes } from "./resources/principal-rate-limits.js";
import { userRoleRoutes } from "./resources/user-roles.js";
import { zoneRoutes } from "./resources/zones.js";

export interface Route {
  method: string;
  template: string;
  operationId: string;
  scopes: readonly string[];
  handler: Handler;
  regex: RegExp;
  names: string[];
  literals: number;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

const operations = new Map(OKTA_OPERATIONS.map((o) => [`${o.method} ${o.path}`, o]));

function compile(method: string, template: string, handler: Handler): Route {
  const op = operations.get(`${method} ${template}`);
  // A route outside the spec would be a local invention: refuse to start rather than serve it.
  if (!op)
    throw new Error(`local org: ${method} ${template} is not an operation of the Management API`);
  const names: string[] = [];
  const segments = template.split("/").filter(Boolean);
  const pattern = segments.map((s) => {
    if (s.startsWith("{")) {
      names.push(s.slice(1, -1));
      return "([^/]+)";
    }
    return s.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  });
  return {
    method,
    template,
    operationId: op.operationId,
    scopes: op.scopes,
    handler,
    regex: new RegExp(`^/${pattern.join("/")}/?$`),
    names,
    literals: segments.filter((s) => !s.startsWith("{")).length,
  };
}

/** A path parameter, %-decoded; a malformed escape (say `%zz`) is the caller's error, not a 500. */
function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw errors.validation(["path: a path segment holds a malformed %-escape"], "path");
  }
}

export class Router {
  private routes: Route[];

  constructor() {
    const all = [
      ...appRoutes,
      ...grantRoutes,
      ...clientRoleRoutes,
      ...userRoleRoutes,
      ...groupRoleRoutes,
      ...iamRoutes,
      ...zoneRoutes,
      ...apiTokenRoutes,
      ...directoryRoutes,
      ...policyRoutes,
      ...principalRateLimitRoutes,
    ];
    // Most literal segments first, so that /users/{id}/groups never reads as /users/{id}.
    this.routes = all.map(([m, t, h]) => compile(m, t, h)).sort((a, b) => b.literals - a.literals);
  }

  get operations(): readonly Route[] {
    return this.routes;
  }

  /** The route of `method path`, or, when the path exists with other methods, those methods. */
  match(method: string, path: string): Match | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodePathSegment(m[i + 1] ?? "")));
      return { route, params };
    }
    return allowed.length ? { allowed } : undefined;
  }
}
