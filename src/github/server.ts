// The App's HTTP server: Probot (its authentication as the App and its installations, its event
// routing) behind a small node:http front that takes webhook deliveries only. A delivery's
// signature is verified (Probot's webhooks.verify, HMAC-SHA256 of the raw body with the webhook
// secret) before anything of it is parsed; a forged one is answered 401 and leaves exactly one log
// line, the refusal, with nothing taken from the request (its payload, headers and delivery id are
// the forger's). Bodies are bounded (GitHub caps a payload at 25 MB).
import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot, ProbotOctokit, type Logger } from "probot";
import { terminalText } from "../render/escape.js";
import { oktaGitopsApp, type AppDeps, type AppLog } from "./app.js";
import { OUTSIDE_CACHE_MS, readiness, readinessBody, type Check } from "./health.js";
import type { Observer } from "./observe.js";

export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";
/** GitHub caps a webhook payload at 25 MB. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface AppServerOptions {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  port: number;
  host: string;
  /** The REST API's address, e.g. https://ghe.example.com/api/v3 (github.com when not set). */
  baseUrl?: string;
  webhookPath?: string;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  /** A logger in pino's shape for Probot's own lines (Probot makes one when not given). */
  probotLog?: Logger;
  /** Another Octokit class (tests turn off retries and throttling). */
  Octokit?: typeof ProbotOctokit;
  /** REDIS_URL: Probot's GitHub throttling is then shared by the replicas through Redis. */
  redisConfig?: string;
  deps: AppDeps;
  /** Told of every GitHub request the App makes (its answer's status). */
  observer?: Observer;
  /** Served at GET /metrics (absent: 404). */
  metrics?: { metrics(): Promise<string>; contentType: string };
  /** What GET /readyz checks besides GitHub (GET /app as the App, which the server adds):
   * Redis, Okta, the queue. `now` is the clock of the cached answers. */
  readiness?: { checks: Check[]; now?: () => number };
}

export interface AppServer {
  url: string;
  port: number;
  /** Resolves when every delivery's work is done. */
  idle(): Promise<void>;
  /** Stops taking deliveries, then stops the App (see OktaGitopsApp.close). */
  close(): Promise<void>;
}

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.probotLog ? { log: options.probotLog } : {}),
    ...(options.Octokit || options.observer
      ? {
          Octokit: options.observer
            ? (options.Octokit ?? ProbotOctokit).plugin(requestCounter(options.observer))
            : options.Octokit,
        }
      : {}),
    ...(options.redisConfig ? { redisConfig: options.redisConfig } : {}),
  });
  const app = oktaGitopsApp(options.deps);
  await probot.load(app);
  const log: AppLog = options.deps.log ?? {
    info: (m) => probot.log.info(m),
    warn: (m) => probot.log.warn(m),
    error: (m) => probot.log.error(m),
  };
  const path = options.webhookPath ?? DEFAULT_WEBHOOK_PATH;
  // GitHub answers when it authenticates the App: GET /app with the App's JWT (no installation
  // token is spent), at most every 30 s.
  const github: Check = {
    name: "github",
    cacheMs: OUTSIDE_CACHE_MS,
    probe: async () => {
      const octokit = (await probot.auth()) as unknown as {
        request(route: string): Promise<unknown>;
      };
      await octokit.request("GET /app");
    },
  };
  const ready = readiness([...(options.readiness?.checks ?? []), github], {
    ...(options.readiness?.now ? { now: options.readiness.now } : {}),
  });

  const server: HttpServer = createServer((req, res) => {
    const answer = (status: number, body: string) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body + "\n");
    };
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/ping") return answer(200, "PONG");
    // Alive: the process serves HTTP (nothing outside it is asked).
    if (req.method === "GET" && url.pathname === "/healthz") return answer(200, "OK");
    if (req.method === "GET" && url.pathname === "/readyz") {
      void ready.check().then(
        (report) => {
          if (res.headersSent) return;
          res
            .writeHead(report.ready ? 200 : 503, {
              "content-type": "application/json; charset=utf-8",
              "cache-control": "no-store",
            })
            .end(readinessBody(report) + "\n");
        },
        (error: unknown) => answer(503, `not ready: ${messageOf(error)}`),
      );
      return;
    }
    if (req.method === "GET" && url.pathname === "/metrics" && options.metrics) {
      const m = options.metrics;
      void m.metrics().then(
        (text) => {
          if (res.headersSent) return;
          res
            .writeHead(200, { "content-type": m.contentType, "cache-control": "no-store" })
            .end(text);
        },
        (error: unknown) => answer(500, `metrics: ${messageOf(error)}`),
      );
      return;
    }
    if (url.pathname !== path) return answer(404, "Not found");
    if (req.method !== "POST") return answer(405, "Only POST");
    void (async () => {
      const event = header(req, "x-github-event");
      const id = header(req, "x-github-delivery");
      const signature = header(req, "x-hub-signature-256");
      const body = await readBody(req);
      if (body === undefined) return answer(413, "Payload too large");
      if (!event || !id || !signature)
        return answer(400, "Missing X-GitHub-Event, X-GitHub-Delivery or X-Hub-Signature-256");
      if (!(await probot.webhooks.verify(body, signature).catch(() => false))) {
        log.warn("refused a webhook delivery: its signature does not match WEBHOOK_SECRET");
        return answer(401, "Bad signature");
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        return answer(400, "Not JSON");
      }
      try {
        // The handlers only parse, filter and queue: answered as soon as the work is queued.
        await probot.receive({ id, name: event, payload } as Parameters<Probot["receive"]>[0]);
        answer(202, "Accepted");
      } catch (error) {
        log.error(`${safeName(event)} ${safeName(id)}: ${messageOf(error)}`);
        answer(500, "The event could not be handled");
      }
    })().catch((error: unknown) => {
      log.error(`webhook delivery: ${messageOf(error)}`);
      answer(500, "Error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    idle: () => app.idle(),
    close: async () => {
      // No new delivery (connections kept alive by a proxy are closed once idle), then the App.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await app.close();
      await app.idle();
    },
  };
}

/** An Octokit plugin that tells `observer` of each answer to a request made through it (and of
 * each request that got none). Added last, it wraps the other plugins' request hooks: a request
 * retried by Octokit's retry plugin counts once, with its final answer. */
export function requestCounter(observer: Observer) {
  return (octokit: Parameters<Parameters<(typeof ProbotOctokit)["plugin"]>[0]>[0]): void => {
    octokit.hook.wrap("request", async (request, options) => {
      try {
        const response = await request(options);
        observer.githubRequest(response.status);
        return response;
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        observer.githubRequest(typeof status === "number" ? status : 0);
        throw error;
      }
    });
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" && v.length <= 200 ? v : undefined;
}

/** The body as text, or undefined once it passes MAX_BODY_BYTES (the rest is not read). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** An event or delivery name as written to the log: short, and nothing but safe characters. */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, "?").slice(0, 64);
}

function messageOf(error: unknown): string {
  const m = error instanceof Error ? error.message : String(error);
  // Control characters (escape sequences, carriage returns, bidi controls) never reach the log.
  return terminalText(m.split("\n")[0]!).slice(0, 500);
}
