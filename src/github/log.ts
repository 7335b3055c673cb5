// The App's log: pino, the logger Probot itself uses, so that Probot's lines, Octokit's and the
// App's own come out as one stream of JSON lines. Keys, tokens and secrets are redacted by path
// (an object logged with a private key or an Authorization header never shows it), and each job
// ends with exactly one line saying what it was, how it ended and how long it took.
import { pino, type DestinationStream, type Level, type Logger } from "pino";
import { terminalText } from "../render/escape.js";
import type { AppLog } from "./runtime.js";
import type { Observer } from "./observe.js";

/** Field names that hold credentials, wherever they appear (top level, one or two levels down,
 * and in the request and error objects Octokit and Probot log). */
const SECRET_FIELDS = [
  "privateKey",
  "private_key",
  "PRIVATE_KEY",
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "secret",
  "webhookSecret",
  "WEBHOOK_SECRET",
  "clientSecret",
  "client_secret",
  "client_assertion",
  "password",
  "authorization",
  "Authorization",
  "cookie",
  "jwt",
  "dpop",
  "DPoP",
  "apiToken",
];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  // Octokit's request options and its errors (RequestError carries the request it made).
  ...["headers", "request.headers", "err.request.headers", "error.request.headers", "req.headers"]
    .flatMap((p) => [p, `*.${p}`])
    .flatMap((p) => [
      `${p}.authorization`,
      `${p}.Authorization`,
      `${p}.cookie`,
      `${p}["x-hub-signature-256"]`,
    ]),
  "*.auth",
  "options.auth",
];

export const REDACTED = "[redacted]";

export interface AppLogger {
  logger: Logger;
  /** The App's own lines, through the same logger. */
  appLog: AppLog;
  /** Writes one line per ended job. */
  observer: Observer;
}

/** pino with the redaction paths, at `level`, writing JSON lines to `destination` (stdout when
 * not given). */
export function createLogger(level: Level, destination?: DestinationStream): Logger {
  const options = {
    level,
    name: "okta-gitops",
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The App's lines and job lines, through `logger`. */
export function appLogger(logger: Logger): AppLogger {
  return {
    logger,
    appLog: {
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
    observer: {
      jobEnded(e) {
        const line: Record<string, unknown> = {
          kind: e.kind,
          key: e.key,
          ...(e.delivery ? { delivery: e.delivery } : {}),
          outcome: e.outcome,
          ms: Math.round(e.ms),
          // The message may quote GitHub or a file: no control character reaches the log.
          ...(e.error ? { error: terminalText(e.error.split("\n")[0]!).slice(0, 1000) } : {}),
        };
        if (e.outcome === "failed") logger.error(line, "job");
        else logger.info(line, "job");
      },
      reconciled() {},
      githubRequest() {},
    },
  };
}
