// The HTTP pipeline of the local org, in Okta's order: authentication (from the headers alone),
// rate limit, concurrency, faults (when injected), scope, body, admin role, handler. A caller that
// does not authenticate holds no concurrency slot and has no body read, so that unauthenticated
// (or slow) callers cannot starve an admin; a body is bounded in size, nesting and read time.
// Every answer carries the rate-limit headers and an X-Okta-Request-Id; every exchange goes to the
// request log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { Auth } from "./auth.js";
import { authorize, confine } from "./authz.js";
import { isoAt, type Clock } from "./clock.js";
import type { Ctx, Principal, Reply } from "./context.js";
import { errors, OAuthError, OktaError } from "./errors.js";
import { FaultInjector, type Fault } from "./faults.js";
import { newId, PREFIX } from "./ids.js";
import { callerAddress } from "./network.js";
import { familyOf, RateLimiter } from "./ratelimit.js";
import { RequestLog } from "./requestlog.js";
import { principalShare } from "./resources/principal-rate-limits.js";
import { Router } from "./router.js";
import type { Store } from "./store.js";

const MAX_BODY = 1024 * 1024;
const TOKEN_PATH = "/oauth2/v1/token";

export interface PipelineDeps {
  store: Store;
  clock: Clock;
  auth: Auth;
  limiter: RateLimiter;
  faults: FaultInjector;
  log: RequestLog;
  router: Router;
  /** The public address attributed to callers on loopback (see network.ts). */
  egressAddress?: string;
  /** How long a request body may take to arrive (DEFAULT_BODY_TIMEOUT_MS). */
  bodyTimeoutMs?: number;
}

class Dropped extends Error {}
/** A 5xx that fault injection asked for, told apart from a real failure in the log. */
class Injected extends OktaError {
  constructor() {
    super(500, "E0000009", "Internal Server Error");
  }
}

/** The token endpoint's form is small: a client assertion and a few fields. */
const MAX_TOKEN_BODY = 64 * 1024;
/** How deep a JSON body may nest. Okta's own bodies nest a few levels; a deeper one is hostile and
 * would overflow the stack of whatever walks it next (validation, the log, the state file). */
export const MAX_JSON_DEPTH = 64;
/** How long a body may take to arrive. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Reads a request body, at most `max` bytes and within `timeoutMs`; answers Okta's errors. */
function readBody(req: IncomingMessage, max: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: OktaError) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max)
        done(
          new OktaError(413, "E0000001", "Api validation failed: the request body is too large"),
        );
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () => done(errors.malformed("The request body could not be read."));
    const timer = setTimeout(
      () =>
        done(
          new OktaError(408, "E0000003", "The request body was not well-formed.", [
            `The request body did not arrive within ${Math.round(timeoutMs / 1000)} s.`,
          ]),
        ),
      timeoutMs,
    );
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

/** Refuses JSON nested deeper than MAX_JSON_DEPTH before it is parsed (one pass, no recursion). */
function checkDepth(raw: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH)
        throw errors.malformed(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

function parseJson(raw: string, contentType: string | undefined): unknown {
  if (!raw.trim()) return undefined;
  if (contentType && !contentType.includes("json")) {
    throw new OktaError(415, "E0000001", "Api validation failed: Unsupported Media Type", [
      "Content-Type must be application/json",
    ]);
  }
  checkDepth(raw);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw errors.malformed("The request body is not valid JSON.");
  }
}

export function createOrgServer(deps: PipelineDeps, orgUrl: () => string): Server {
  const { store, clock, auth, limiter, faults, log, router, egressAddress } = deps;
  const bodyTimeoutMs = deps.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;

  async function handle(req: IncomingMessage, res: ServerResponse, fault: Fault) {
    const started = performance.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://local");
    const base = req.headers.host ? `http://${req.headers.host}` : orgUrl();
    // The client may address 127.0.0.1 or localhost: htu and aud may name either form.
    const urlsFor = (p: string) => [...new Set([`${base}${p}`, `${orgUrl()}${p}`])];
    const headers: Record<string, string> = { "X-Okta-Request-Id": newId(PREFIX.request) };
    const ip = callerAddress(req.socket.remoteAddress, egressAddress);
    let template = url.pathname;
    let principal: Principal | undefined;
    let requestBody: unknown;
    let reply: Reply;
    let injected = false;
    // A request holds a concurrency slot from the moment it is authenticated until its answer is
    // written, injected latency and its body included: that is what a concurrent request costs Okta.
    let entered = false;
    const enter = () => {
      entered = limiter.enter();
      if (!entered) throw errors.rateLimited();
    };
    const leave = () => {
      if (entered) limiter.leave();
      entered = false;
    };
    res.once("close", leave);

    try {
      if (url.pathname === TOKEN_PATH) {
        template = TOKEN_PATH;
        const decision = limiter.take("token", undefined, undefined);
        Object.assign(headers, decision.headers);
        if (!decision.allowed) throw errors.rateLimited();
        if (method !== "POST") throw errors.methodNotAllowed();
        // The token endpoint authenticates by its body: read it (small, bounded in time) first, so
        // that a slow client assertion holds no slot either.
        const raw = await readBody(req, MAX_TOKEN_BODY, bodyTimeoutMs);
        enter();
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.kind === "drop" && fault.when === "before") throw new Dropped();
        const form = new URLSearchParams(raw);
        if (log.keepBodies)
          requestBody = Object.fromEntries(
            [...form].map(([k, v]) => [k, k === "client_assertion" ? "…" : v]),
          );
        const dpop = req.headers.dpop;
        const body = await auth.token({
          form,
          dpop: typeof dpop === "string" ? dpop : undefined,
          tokenUrls: urlsFor(TOKEN_PATH),
          ip,
        });
        reply = { status: 200, body, headers: { "Cache-Control": "no-store", Pragma: "no-cache" } };
        if (fault.kind === "error") throw new Injected();
        if (fault.kind === "drop") throw new Dropped();
      } else {
        const match = router.match(method, url.pathname);
        if (match && "route" in match) template = match.route.template;
        // Refused credentials count against the bucket too, as at Okta; a 429 wins over a 401.
        let authError: unknown;
        const dpop = req.headers.dpop;
        principal = await auth
          .authenticate(
            req.headers.authorization,
            typeof dpop === "string" ? dpop : undefined,
            method,
            urlsFor(url.pathname),
            ip,
          )
          .catch((e: unknown) => {
            authError = e;
            return undefined;
          });
        const share = principal ? principalShare(store.state, principal.id) : undefined;
        const decision = limiter.take(
          familyOf(url.pathname),
          principal?.id,
          share?.defaultPercentage,
        );
        Object.assign(headers, decision.headers);
        if (!decision.allowed) throw errors.rateLimited();
        if (principal) {
          // The principal's share of the concurrency limit, held like the org's slot.
          const id = principal.id;
          if (!limiter.enterPrincipal(id, share?.defaultConcurrencyPercentage))
            throw errors.rateLimited();
          res.once("close", () => limiter.leavePrincipal(id));
        }
        // Refused before any slot is taken or any body byte is read.
        if (authError) throw authError;
        if (!principal) throw errors.invalidToken();
        enter();
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.kind === "drop" && fault.when === "before") throw new Dropped();
        if (!match) throw errors.notFound(url.pathname, "ApiEndpoint");
        if (!("route" in match)) throw errors.methodNotAllowed();
        auth.checkScopes(principal, match.route.scopes);
        const body = parseJson(
          await readBody(req, MAX_BODY, bodyTimeoutMs),
          req.headers["content-type"],
        );
        requestBody = body;
        const reach = authorize(store.state, principal, match.route, match.params);
        if (fault.kind === "error" && fault.when === "before") throw new Injected();
        const ctx: Ctx = {
          method,
          baseUrl: base,
          path: url.pathname,
          query: url.searchParams,
          params: match.params,
          body,
          state: store.state,
          clock,
          now: isoAt(clock),
          principal,
        };
        reply = confine(await match.route.handler(ctx), reach, store.state, match.route);
        if (method !== "GET") store.changed();
        if (fault.kind === "error") throw new Injected();
        if (fault.kind === "drop") throw new Dropped();
      }
    } catch (e) {
      injected = e instanceof Injected;
      if (e instanceof Dropped) {
        req.socket.destroy();
        log.add({
          time: isoAt(clock),
          method,
          url: req.url ?? "",
          template,
          status: 0,
          durationMs: performance.now() - started,
          principal: principal?.id,
          fault: "drop",
        });
        return;
      }
      if (e instanceof OktaError) reply = { status: e.status, body: e.body(), headers: e.headers };
      else if (e instanceof OAuthError)
        reply = { status: e.status, body: e.body(), headers: e.headers };
      else {
        process.stderr.write(
          `local org: ${method} ${url.pathname}: ${(e as Error).stack ?? String(e)}\n`,
        );
        const err = errors.internal();
        reply = { status: err.status, body: err.body() };
      }
    }

    // A body left unread (a refused caller's) is not waited for: the connection closes after the answer.
    if (!req.complete) res.setHeader("Connection", "close");
    const payload =
      reply.body === undefined || reply.status === 204 ? undefined : JSON.stringify(reply.body);
    res.statusCode = reply.status;
    // The Date header comes from the org's clock: the SDK's 429 wait is X-Rate-Limit-Reset - Date.
    res.setHeader("Date", new Date(clock.now()).toUTCString());
    for (const [k, v] of Object.entries({ ...headers, ...reply.headers })) res.setHeader(k, v);
    if (payload !== undefined) {
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Content-Length", Buffer.byteLength(payload));
    }
    log.add({
      time: isoAt(clock),
      method,
      url: req.url ?? "",
      template,
      status: reply.status,
      durationMs: performance.now() - started,
      principal: principal?.id,
      fault: injected ? "error" : undefined,
      ...(log.keepBodies ? { requestBody, responseBody: reply.body } : {}),
    });
    if (payload !== undefined && fault.slowBodyMs > 0 && payload.length > 1) {
      const half = Math.floor(payload.length / 2);
      res.write(payload.slice(0, half));
      await sleep(fault.slowBodyMs);
      res.end(payload.slice(half));
    } else {
      res.end(payload);
    }
  }

  return createServer((req, res) => {
    const fault = faults.decide((req.method ?? "GET").toUpperCase());
    handle(req, res, fault).catch((e: unknown) => {
      process.stderr.write(`local org: ${(e as Error).stack ?? String(e)}\n`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}
