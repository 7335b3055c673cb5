// The HTTP pipeline of the local GitHub: the API under /api/v3 (as GitHub Enterprise Server
// serves it) and the archive downloads the tarball endpoint redirects to. Every API request and
// every answer is checked against GitHub's description and each violation recorded; a request
// body that breaks the description is refused with 422 as GitHub does, before any handler runs.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AppAuth } from "./auth.js";
import { GitHubError, type Caller, type Ctx, type Reply } from "./context.js";
import type { AppIdentity, Site } from "./objects.js";
import type { Router } from "./router.js";
import type { GitHubSpec } from "./spec.js";
import type { Store } from "./store.js";
import { tarballOf } from "./tarball.js";

export const API_PREFIX = "/api/v3";
const CODELOAD_PREFIX = "/_codeload/";
/** A check run's 50 annotations of 64 KB each, and some room. */
const MAX_BODY = 8 * 1024 * 1024;
const API_VERSION = "2022-11-28";
const MAX_CACHED_ARCHIVES = 16;
/** GitHub's primary rate limit of an installation token, per hour. */
export const DEFAULT_RATE_LIMIT = 5000;
/** GitHub's archive links of private repositories expire after five minutes. */
const DOWNLOAD_TTL_MS = 5 * 60 * 1000;

export interface RequestRecord {
  method: string;
  /** With the query string. */
  path: string;
  status: number;
  /** The description's operationId; "codeload" for an archive download; undefined if none. */
  operationId: string | undefined;
  /** Who called: `app` (JWT), the installation's bot login, or undefined (refused). */
  caller: string | undefined;
  /** Answered by an injected fault (see LocalGitHub.failNext), not by the resource. */
  injected?: boolean;
}

/** Faults the test asked for: operationId -> the status to answer, so many more times. */
export type Faults = Map<string, { status: number; times: number }>;

export interface PipelineDeps {
  store: Store;
  spec: GitHubSpec;
  router: Router;
  auth: AppAuth;
  app: AppIdentity;
  site: () => Site;
  requests: RequestRecord[];
  violations: string[];
  faults: Faults;
  /** Requests per installation token before GitHub's 403 "API rate limit exceeded". */
  rateLimit?: number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.pause();
        reject(new BodyTooLarge());
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function startServer(deps: PipelineDeps): Promise<Server> {
  const downloadKey = randomBytes(32);
  const used = new Map<string, number>();
  const archives = new Map<string, Buffer>();
  const signDownload = (path: string, now = Date.now()): string => {
    const exp = now + DOWNLOAD_TTL_MS;
    const mac = createHmac("sha256", downloadKey).update(`${path}\n${exp}`).digest("base64url");
    return `${exp}.${mac}`;
  };
  const downloadOk = (path: string, token: string | null): boolean => {
    const [exp, mac] = (token ?? "").split(".");
    if (!exp || !mac || Number(exp) < Date.now()) return false;
    const want = createHmac("sha256", downloadKey).update(`${path}\n${exp}`).digest();
    const got = Buffer.from(mac, "base64url");
    return got.length === want.length && timingSafeEqual(got, want);
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
      "content-length": String(Buffer.byteLength(text)),
    });
    res.end(text);
  };

  const codeload = async (url: URL, res: ServerResponse): Promise<number> => {
    const m = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(url.pathname);
    const repo = m ? deps.store.repo(`${m[1]}/${m[2]}`) : undefined;
    const c = m ? deps.store.commit(m[3]!) : undefined;
    if (!repo || !c || (repo.private && !downloadOk(url.pathname, url.searchParams.get("token")))) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("404: Not Found");
      return 404;
    }
    const key = `${repo.fullName}@${c.sha}`;
    // A commit never changes, so neither does its archive: packed once (5,000 files take a while).
    let gz = archives.get(key);
    if (!gz) {
      gz = await tarballOf(repo, c);
      archives.set(key, gz);
      if (archives.size > MAX_CACHED_ARCHIVES) archives.delete(archives.keys().next().value!);
    }
    res.writeHead(200, {
      "content-type": "application/x-gzip",
      "content-length": String(gz.length),
      "content-disposition": `attachment; filename=${repo.owner}-${repo.name}-${c.sha.slice(0, 7)}.tar.gz`,
    });
    res.end(gz);
    return 200;
  };

  const api = async (req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const apiPath = url.pathname.slice(API_PREFIX.length) || "/";
    const full = `${apiPath}${url.search}`;
    const record: RequestRecord = {
      method,
      path: full,
      status: 0,
      operationId: undefined,
      caller: undefined,
    };
    deps.requests.push(record);
    const headers: Record<string, string> = {
      "x-github-api-version-selected": String(req.headers["x-github-api-version"] ?? API_VERSION),
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": randomUUID(),
    };
    let status: number;
    let body: unknown;
    try {
      const raw = await readBody(req);
      let parsed: unknown;
      if (raw.length > 0) {
        try {
          parsed = JSON.parse(raw.toString("utf8"));
        } catch {
          deps.violations.push(`${method} ${apiPath}: the request body is not JSON`);
          throw new GitHubError(400, "Problems parsing JSON");
        }
      }
      const match = deps.router.match(method, full);
      const checked = deps.spec.checkRequest(method, full, parsed);
      deps.violations.push(...checked.params, ...checked.body);
      if (!match) throw new GitHubError(404, "Not Found");
      record.operationId = match.operationId;
      const credential = AppAuth.credential(req.headers.authorization);
      let caller: Caller;
      if (match.route.auth === "jwt") {
        deps.auth.verifyJwt(credential);
        caller = { kind: "app", login: deps.app.slug };
      } else {
        deps.auth.verifyToken(credential);
        caller = { kind: "installation", login: `${deps.app.slug}[bot]` };
        const limit = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
        const n = (used.get(credential!) ?? 0) + 1;
        used.set(credential!, n);
        Object.assign(headers, {
          "x-ratelimit-limit": String(limit),
          "x-ratelimit-remaining": String(Math.max(0, limit - n)),
          "x-ratelimit-used": String(Math.min(n, limit)),
          "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
          "x-ratelimit-resource": "core",
        });
        if (n > limit)
          throw new GitHubError(
            403,
            `API rate limit exceeded for installation ID ${deps.app.installationId}.`,
          );
      }
      record.caller = caller.kind === "app" ? "app" : caller.login;
      const fault = deps.faults.get(match.operationId);
      if (fault && fault.times > 0) {
        fault.times -= 1;
        record.injected = true;
        throw new GitHubError(
          fault.status,
          fault.status >= 500 ? "Server Error" : "Injected fault",
        );
      }
      if (checked.body.length > 0)
        throw new GitHubError(
          422,
          "Invalid request.",
          checked.body.map((m) => ({ code: "invalid", message: m })),
        );
      const ctx: Ctx = {
        store: deps.store,
        site: deps.site(),
        app: deps.app,
        method,
        path: apiPath,
        params: match.params,
        query: url.searchParams,
        body: parsed,
        caller,
        signDownload: (p) => signDownload(p),
      };
      const reply: Reply = match.route.handler(ctx);
      status = reply.status;
      body = reply.body;
      Object.assign(headers, reply.headers ?? {});
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        status = 413;
        body = {
          message: "Request body too large",
          documentation_url: "https://docs.github.com/rest",
        };
      } else if (e instanceof GitHubError) {
        status = e.status;
        body = e.body();
      } else {
        status = 500;
        body = { message: "Server Error" };
        deps.violations.push(
          `${method} ${apiPath}: the local GitHub failed: ${(e as Error).stack ?? String(e)}`,
        );
      }
    }
    record.status = status;
    // An injected fault is the test's doing, not the local GitHub's: its answer is not checked.
    if (record.operationId && !record.injected)
      deps.violations.push(...deps.spec.validateResponse(method, full, status, body));
    send(res, status, body, headers);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const done = (p: Promise<unknown>) =>
      p.catch((e: unknown) => {
        deps.violations.push(
          `${req.method} ${url.pathname}: the local GitHub failed: ${String(e)}`,
        );
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    if (url.pathname.startsWith(CODELOAD_PREFIX) && req.method === "GET") {
      const record: RequestRecord = {
        method: "GET",
        path: `${url.pathname}${url.search}`,
        status: 0,
        operationId: "codeload",
        caller: undefined,
      };
      deps.requests.push(record);
      done(codeload(url, res).then((s) => (record.status = s)));
      return;
    }
    if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
      done(api(req, url, res));
      return;
    }
    deps.requests.push({
      method: req.method ?? "GET",
      path: `${url.pathname}${url.search}`,
      status: 404,
      operationId: undefined,
      caller: undefined,
    });
    deps.violations.push(
      `${req.method} ${url.pathname}: not under ${API_PREFIX}, where GitHub Enterprise Server serves its API`,
    );
    req.resume();
    send(res, 404, { message: "Not Found" }, {});
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}
