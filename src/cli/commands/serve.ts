// `okta-gitops serve` (and `npm start`): runs the GitHub App. Reads Probot's settings and
// OKTA_GITOPS_REPOSITORY from the environment, checked with zod (an error names the variable and
// never repeats a secret), opens the Okta session as the other commands do (OKTA_*, or the local
// org), and serves the App's webhook endpoint until interrupted. With REDIS_URL the work is queued
// in Redis, shared by every replica; on SIGTERM it stops taking deliveries, finishes or hands back
// the running job, closes Okta and exits 0.
import { readFileSync } from "node:fs";
import { createPrivateKey } from "node:crypto";
import { parseArgs } from "node:util";
import type { DestinationStream } from "pino";
import type { Logger, ProbotOctokit } from "probot";
import { z } from "zod";
import { OKTA_ENV } from "../../okta/settings.js";
import { memoryQueueFor, type AppLog } from "../../github/app.js";
import type { Timer } from "../../github/jobs/drift.js";
import { OUTSIDE_CACHE_MS, queueCheck, queueStuckMs, type Check } from "../../github/health.js";
import { appLogger, createLogger } from "../../github/log.js";
import { createMetrics, observers, type AppMetrics } from "../../github/metrics.js";
import type { Observer } from "../../github/observe.js";
import { startAppServer, DEFAULT_WEBHOOK_PATH, type AppServer } from "../../github/server.js";
import { redisClaim } from "../../github/work/claim.js";
import {
  durableWorkQueue,
  type DurableQueueOptions,
  type DurableWorkQueue,
} from "../../github/work/durable-queue.js";
import type { WorkQueue } from "../../github/work/types.js";
import { redisSettings, type RedisSettings } from "../../redis/connection.js";
import { guarded, openOkta, processIo, UserError, type ReconcileIo } from "../reconcile-support.js";

export const SERVE_HELP = `Usage: okta-gitops serve

Runs the okta-gitops GitHub App: checks and plans every pull request (okta-gitops/policy, the
plan comment, okta-gitops/identity-approval), applies the configured repository's default
branch to Okta on every push, and compares it with Okta every bot.drift.interval (the first check
a minute after start). Settings come from the environment:

  APP_ID                  the GitHub App's id (from its settings page)
  PRIVATE_KEY             the App's private key (PEM; or base64 of it), or
  PRIVATE_KEY_PATH        the file holding it (exactly one of the two)
  WEBHOOK_SECRET          the App's webhook secret: every delivery's signature is checked with it,
                          and a delivery that does not match is refused (required, no default)
  PORT                    port to listen on (default 3000; 0 picks a free one)
  HOST                    address to listen on (default 127.0.0.1: put a proxy in front)
  WEBHOOK_PATH            path of the webhook endpoint (default ${DEFAULT_WEBHOOK_PATH})
  LOG_LEVEL               trace, debug, info (default), warn, error or fatal: JSON lines on
                          stdout (keys, tokens and secrets redacted), one line per job
  GHE_HOST                GitHub Enterprise Server's host (e.g. ghe.example.com, or host:port):
                          the API is then at GHE_PROTOCOL://GHE_HOST/api/v3
  GHE_PROTOCOL            https (default) or http, for GHE_HOST
  OKTA_GITOPS_REPOSITORY  owner/name: the one repository whose default branch changes Okta;
                          installed on any other repository the App checks and plans, and never
                          applies (none set: it applies nowhere)
  OKTA_ORG_URL, OKTA_CLIENT_ID, OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE, OKTA_KEY_ID, OKTA_SCOPES
                          the bot's Okta, as for plan and apply; with none set, the local Okta
                          org under .okta-gitops/ (exceptions still need the Identity approval)
  REDIS_URL               redis:// or rediss:// address (it may hold a password: never printed).
                          Not set: one process, its work in memory (lost on a restart). Set: the
                          work is queued in Redis and shared by every replica using it (each pull
                          request's and branch's jobs in order, a redelivery done once, a killed
                          replica's job taken over), the drift check runs once across replicas,
                          applies hold one lock per Okta org in Redis, the Okta rate budget is
                          shared, and Probot's GitHub throttling uses it too
  OKTA_GITOPS_REDIS_PREFIX
                          the first part of every Redis key the bot writes (default okta-gitops):
                          one Redis may serve several bots with different prefixes
  OKTA_GITOPS_QUEUE_STUCK_SECONDS
                          /readyz fails when the oldest unfinished job was queued this long ago
                          (default 900)
  OKTA_GITOPS_JOB_LOCK_SECONDS
                          with REDIS_URL: a running job's lock, renewed while its replica lives;
                          a replica killed in the middle of a job loses it to another within about
                          twice this (default 30; 1 to 600)

Besides the webhook endpoint it serves GET /healthz (200 while the process serves), GET /readyz
(200 when Redis (if REDIS_URL is set), GitHub and Okta answer and the queue is not stuck, else 503;
JSON naming each check and why it failed; GitHub and Okta are asked at most every 30 s) and
GET /metrics (Prometheus; the proxy in front should not expose it publicly).

On SIGTERM it stops taking deliveries, lets the running job finish (with Redis, one that does not
finish within 20 s is handed back to another replica), closes Okta and exits 0.

Keys and secrets are never printed.`;

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

const Settings = z.object({
  APP_ID: z.string({ error: "APP_ID is required" }).regex(/^[1-9][0-9]{0,15}$/, {
    error: "APP_ID must be the App's numeric id",
  }),
  PRIVATE_KEY: z.string().min(1).optional(),
  PRIVATE_KEY_PATH: z.string().min(1).optional(),
  WEBHOOK_SECRET: z
    .string({ error: "WEBHOOK_SECRET is required: the secret set in the App's webhook settings" })
    .min(1, { error: "WEBHOOK_SECRET is required: the secret set in the App's webhook settings" }),
  PORT: z
    .string()
    .regex(/^[0-9]{1,5}$/, { error: "PORT must be a port number" })
    .transform(Number)
    .refine((p) => p <= 65535, { error: "PORT must be a port number" })
    .default(3000),
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, { error: "HOST must be an address or host name" })
    .default("127.0.0.1"),
  WEBHOOK_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, {
      error: "WEBHOOK_PATH must be a path such as /api/github/webhooks",
    })
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` })
    .default("info"),
  GHE_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/, {
      error: "GHE_HOST must be a host name, or host:port",
    })
    .optional(),
  GHE_PROTOCOL: z
    .enum(["https", "http"], { error: "GHE_PROTOCOL must be https or http" })
    .default("https"),
  OKTA_GITOPS_REPOSITORY: z
    .string()
    .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, {
      error: "OKTA_GITOPS_REPOSITORY must be owner/name",
    })
    .optional(),
});

export interface ServeSettings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  port: number;
  host: string;
  webhookPath?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  baseUrl?: string;
  repository?: { owner: string; repo: string };
}

/** The settings from the environment, or a UserError naming each variable at fault (and never
 * any part of a key or secret). */
export function serveSettings(env: Record<string, string | undefined>): ServeSettings {
  const given = Object.fromEntries(
    Object.keys(Settings.shape)
      .map((k) => [k, env[k]])
      .filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = Settings.safeParse(given);
  if (!parsed.success)
    throw new UserError(
      `the App's settings are not usable: ${[...new Set(parsed.error.issues.map((i) => i.message))].join("; ")}`,
    );
  const s = parsed.data;
  if (!!s.PRIVATE_KEY === !!s.PRIVATE_KEY_PATH)
    throw new UserError("set exactly one of PRIVATE_KEY and PRIVATE_KEY_PATH");
  let key: string;
  if (s.PRIVATE_KEY_PATH) {
    try {
      key = readFileSync(s.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      throw new UserError(
        `PRIVATE_KEY_PATH: the file cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  } else key = s.PRIVATE_KEY!;
  const privateKey = pemOf(key, s.PRIVATE_KEY_PATH ? "PRIVATE_KEY_PATH" : "PRIVATE_KEY");
  const [owner, repo] = s.OKTA_GITOPS_REPOSITORY?.split("/") ?? [];
  return {
    appId: Number(s.APP_ID),
    privateKey,
    webhookSecret: s.WEBHOOK_SECRET,
    port: s.PORT,
    host: s.HOST,
    ...(s.WEBHOOK_PATH ? { webhookPath: s.WEBHOOK_PATH } : {}),
    logLevel: s.LOG_LEVEL,
    ...(s.GHE_HOST ? { baseUrl: `${s.GHE_PROTOCOL}://${s.GHE_HOST}/api/v3` } : {}),
    ...(owner && repo ? { repository: { owner, repo } } : {}),
  };
}

/** A PEM private key from the variable's text (PEM, PEM with \n escapes, or base64 of a PEM),
 * checked by parsing it; the error names the variable, never the key. */
function pemOf(text: string, variable: string): string {
  let pem = text.replace(/\\n/g, "\n").trim();
  if (!pem.startsWith("-----BEGIN")) {
    const decoded = Buffer.from(pem, "base64").toString("utf8").trim();
    if (decoded.startsWith("-----BEGIN")) pem = decoded;
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
  } catch {
    throw new UserError(`${variable}: not an RSA private key in PEM form (as GitHub issues one)`);
  }
  return pem;
}

const JobLock = z
  .string()
  .regex(/^[0-9]{1,3}$/, { error: "OKTA_GITOPS_JOB_LOCK_SECONDS must be 1 to 600 seconds" })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 600, {
    error: "OKTA_GITOPS_JOB_LOCK_SECONDS must be 1 to 600 seconds",
  });

/** OKTA_GITOPS_JOB_LOCK_SECONDS in ms, or undefined (BullMQ's 30 s). */
function jobLockMs(env: Record<string, string | undefined>): number | undefined {
  const v = env.OKTA_GITOPS_JOB_LOCK_SECONDS;
  if (!v) return undefined;
  const r = JobLock.safeParse(v);
  if (!r.success)
    throw new UserError(`the App's settings are not usable: ${r.error.issues[0]!.message}`);
  return r.data * 1000;
}

/** Test seams: the same server with another Octokit class and loggers. */
export interface ServeHooks {
  Octokit?: typeof ProbotOctokit;
  probotLog?: Logger;
  log?: AppLog;
  clock?: () => Date;
  driftTimer?: Timer;
  /** Told of each job's end and each reconcile. */
  observer?: Observer;
  /** With REDIS_URL: the durable queue's timings (tests shorten the stalled-job takeover). */
  queue?: Omit<DurableQueueOptions, "settings" | "log">;
  /** Where the JSON log lines go (stdout when not given; unused with probotLog). */
  logDestination?: DestinationStream;
  /** Epoch ms for the readiness cache and the metrics' "seconds since" (tests move it). */
  now?: () => number;
}

export interface RunningApp extends AppServer {
  settings: ServeSettings;
  /** REDIS_URL and the key prefix, when set. */
  redis?: RedisSettings;
  /** The App's work queue (its stats: depth and oldest job). */
  work(): WorkQueue | undefined;
  metrics: AppMetrics;
}

/** Opens Okta and starts the App's server; `close()` stops both. */
export async function startServe(io: ReconcileIo, hooks: ServeHooks = {}): Promise<RunningApp> {
  const settings = serveSettings(io.env);
  let redis: RedisSettings | undefined;
  let stuckMs: number;
  try {
    redis = redisSettings(io.env);
    stuckMs = queueStuckMs(io.env);
  } catch (error) {
    throw new UserError(`the App's settings are not usable: ${(error as Error).message}`);
  }
  // Probot's own logger is this one: its lines, Octokit's and the App's come out as one stream.
  const logger = hooks.probotLog ?? createLogger(settings.logLevel, hooks.logDestination);
  const logs = appLogger(logger);
  const lockMs = jobLockMs(io.env);
  let work: WorkQueue | undefined;
  const stats = async () => {
    if (!work) throw new Error("the work queue has not started");
    return work.stats();
  };
  const metrics = createMetrics({ stats, ...(hooks.now ? { now: hooks.now } : {}) });
  const observer = observers(
    metrics.observer,
    logs.observer,
    ...(hooks.observer ? [hooks.observer] : []),
  );
  const okta = await openOkta(io, { observe: (e) => metrics.pacerObserve(e) });
  const repository = settings.repository;
  const durable = (r: RedisSettings, log: AppLog): DurableWorkQueue =>
    durableWorkQueue({
      settings: r,
      ...(lockMs ? { lockDurationMs: lockMs, stalledIntervalMs: lockMs } : {}),
      ...hooks.queue,
      log,
    });
  const checks: Check[] = [
    ...(redis
      ? [
          {
            name: "redis",
            probe: async () => {
              const client = (work as DurableWorkQueue | undefined)?.redis;
              if (!client) throw new Error("the work queue has not started");
              // Lost (or never made): said at once. Still connecting: PING waits for it, as
              // long as the probe's bound allows.
              if (["reconnecting", "close", "end"].includes(client.status))
                throw new Error(`the connection to Redis is ${client.status}`);
              if ((await client.ping()) !== "PONG") throw new Error("Redis did not answer PONG");
            },
          },
        ]
      : []),
    {
      name: "okta",
      cacheMs: OUTSIDE_CACHE_MS,
      // One network zone: the bot reads zones for every plan, so the scope is always there.
      probe: async () => void (await okta.adapter.call("GET", "/api/v1/zones?limit=1")),
    },
    queueCheck(stats, stuckMs),
  ];
  try {
    const server = await startAppServer({
      appId: settings.appId,
      privateKey: settings.privateKey,
      webhookSecret: settings.webhookSecret,
      port: settings.port,
      host: settings.host,
      logLevel: settings.logLevel,
      ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
      ...(settings.webhookPath ? { webhookPath: settings.webhookPath } : {}),
      ...(hooks.Octokit ? { Octokit: hooks.Octokit } : {}),
      probotLog: logger,
      observer,
      metrics,
      readiness: { checks, ...(hooks.now ? { now: hooks.now } : {}) },
      ...(redis ? { redisConfig: redis.url } : {}),
      deps: {
        okta: async () => okta,
        repository,
        sandbox: OKTA_ENV.every((k) => !io.env[k]),
        clock: hooks.clock ?? (() => new Date()),
        ...(hooks.driftTimer ? { driftTimer: hooks.driftTimer } : {}),
        log: hooks.log ?? logs.appLog,
        observer,
        ...(redis
          ? {
              work: (log: AppLog) => {
                const q = durable(redis, log);
                work = q;
                return q;
              },
              driftClaim: async (ttlMs: number) => {
                const q = work as DurableWorkQueue | undefined;
                if (!q || !repository) return false;
                const key = `${redis.prefix}:drift:${repository.owner}/${repository.repo}`;
                return redisClaim(q.redis, key.toLowerCase())(ttlMs);
              },
            }
          : {
              // In memory too the queue is built here, so that its figures reach the metrics
              // and /readyz.
              work: (log: AppLog) => (work = memoryQueueFor(log)),
            }),
      },
    });
    return {
      ...server,
      settings,
      ...(redis ? { redis } : {}),
      work: () => work,
      metrics,
      close: async () => {
        try {
          await server.close();
        } finally {
          await okta.close();
        }
      },
    };
  } catch (error) {
    await okta.close();
    throw error;
  }
}

export const serveCommand = {
  summary: "run the GitHub App (pull-request checks, plan comments, apply on merge)",
  run: async (argv: string[]) => {
    const code = await runServe(argv, processIo());
    // Probot's GitHub throttling keeps its own Redis connection open (it has no close): once the
    // App has stopped, nothing is left to do, so the process ends here.
    if (processIo().env.REDIS_URL && !argv.includes("--help") && !argv.includes("-h"))
      process.exit(code);
    return code;
  },
};

export async function runServe(argv: string[], io: ReconcileIo): Promise<number> {
  return guarded("serve", io, async () => {
    const args = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: { help: { type: "boolean", short: "h" } },
    });
    if (args.values.help) {
      io.stdout(SERVE_HELP + "\n");
      return 0;
    }
    const app = await startServe(io);
    io.stderr(
      `okta-gitops serve: listening on ${app.url}${app.settings.webhookPath ?? DEFAULT_WEBHOOK_PATH}` +
        (app.settings.repository
          ? `; applies ${app.settings.repository.owner}/${app.settings.repository.repo}'s default branch\n`
          : "; OKTA_GITOPS_REPOSITORY is not set, so it applies nowhere\n"),
    );
    const signal = await new Promise<string>((resolve) => {
      process.once("SIGINT", () => resolve("SIGINT"));
      process.once("SIGTERM", () => resolve("SIGTERM"));
    });
    io.stderr(
      `okta-gitops serve: ${signal}: stopping (no new delivery; the running job finishes)\n`,
    );
    await app.close();
    io.stderr("okta-gitops serve: stopped\n");
    return 0;
  });
}
