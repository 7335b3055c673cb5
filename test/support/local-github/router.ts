// Routes a request to its resource handler by GitHub's own path templates: the description finds
// the operation (method + template), the route table maps it to a handler. A route whose
// operation the description lacks would be a local invention, so the server refuses to start.
import type { Handler } from "./context.js";
import type { GitHubSpec } from "./spec.js";

export interface Route {
  method: string;
  /** The description's path template, e.g. /repos/{owner}/{repo}/check-runs. */
  template: string;
  /** `jwt`: the App's own endpoints; otherwise an installation token is required. */
  auth?: "jwt" | "installation";
  handler: Handler;
}

export interface Match {
  route: Route;
  operationId: string;
  params: Record<string, string>;
}

export class Router {
  private readonly byKey = new Map<string, Route>();

  constructor(
    private readonly spec: GitHubSpec,
    routes: readonly Route[],
  ) {
    for (const route of routes) {
      const key = `${route.method} ${route.template}`;
      const probe = route.template.replace(/\{[^}]+\}/g, "x");
      if (spec.matchOperation(route.method, probe)?.template !== route.template)
        throw new Error(`local GitHub: ${key} is not an operation of GitHub's description`);
      this.byKey.set(key, route);
    }
  }

  /** The route of a request below /api/v3; undefined when the description has no such operation
   * or the local GitHub does not serve it. */
  match(method: string, path: string): Match | undefined {
    const op = this.spec.matchOperation(method, path);
    if (!op) return undefined;
    const route = this.byKey.get(`${method.toUpperCase()} ${op.template}`);
    return route && { route, operationId: op.operationId, params: op.params };
  }
}
