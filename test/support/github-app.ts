// Runs the GitHub App as `okta-gitops serve` does (the same settings parsing, Okta session and
// server), over HTTP on 127.0.0.1, against a local GitHub (GHE_HOST) and a local Okta org; what it
// logs is captured, so a test can assert what reached the log.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LocalOrg } from "../../src/local-org/index.js";
import { startServe, type RunningApp } from "../../src/cli/commands/serve.js";
import { envFor, testIo } from "../reconcile/harness.js";
import type { LocalGitHub } from "./local-github/index.js";
import type { Timer } from "../../src/github/jobs/drift.js";
import type { Observer } from "../../src/github/observe.js";
import type { ServeHooks } from "../../src/cli/commands/serve.js";
import { captureLogger, TestOctokit } from "./probot.js";

export { captureLogger, TestOctokit };

export interface StartedApp {
  /** The App's base address, http://127.0.0.1:PORT. */
  url: string;
  /** Where GitHub delivers webhooks. */
  webhookUrl: string;
  /** The webhook secret the App checks signatures with. */
  secret: string;
  /** Every line the App and Probot logged, in order. */
  logs: string[];
  /** Resolves when every delivery's work is done. */
  idle(): Promise<void>;
  close(): Promise<void>;
  app: RunningApp;
}

/** A timer that never fires. */
const NEVER: Timer = { setTimeout: () => undefined, clearTimeout: () => {} };

export async function startApp(options: {
  github: LocalGitHub;
  okta: LocalOrg;
  /** OKTA_GITOPS_REPOSITORY (default: none). */
  repository?: string;
  env?: Record<string, string>;
  clock?: () => Date;
  /** The drift schedule's timer: a test fires it by hand. */
  driftTimer?: Timer;
  /** The App's own pino logger writes its JSON lines here (instead of the capturing logger). */
  logDestination?: { write(line: string): void };
  /** The clock of the readiness cache and the metrics. */
  now?: () => number;
  /** Told of each job's end and each reconcile. */
  observer?: Observer;
  /** With REDIS_URL in env: the durable queue's timings. */
  queue?: ServeHooks["queue"];
}): Promise<StartedApp> {
  const { github, okta } = options;
  const secret = randomBytes(16).toString("hex");
  const cwd = mkdtempSync(path.join(tmpdir(), "okta-gitops-app-"));
  const env: Record<string, string> = {
    APP_ID: String(github.appId),
    PRIVATE_KEY: github.privateKey,
    WEBHOOK_SECRET: secret,
    PORT: "0",
    HOST: "127.0.0.1",
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    ...envFor(okta),
    ...(options.repository ? { OKTA_GITOPS_REPOSITORY: options.repository } : {}),
    ...options.env,
  };
  const logs: string[] = [];
  const logger = captureLogger(logs);
  const io = testIo(cwd, env);
  const app = await startServe(io, {
    Octokit: TestOctokit,
    ...(options.logDestination
      ? { logDestination: options.logDestination }
      : {
          probotLog: logger,
          log: {
            info: (m) => logs.push(`info: ${m}`),
            warn: (m) => logs.push(`warn: ${m}`),
            error: (m) => logs.push(`error: ${m}`),
          },
        }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
    // A test's App checks drift only when the test fires the timer: a check on the process's own
    // clock would write to GitHub in the middle of another test's assertions.
    driftTimer: options.driftTimer ?? NEVER,
  });
  return {
    url: app.url,
    webhookUrl: `${app.url}/api/github/webhooks`,
    secret,
    logs,
    idle: () => app.idle(),
    close: async () => {
      try {
        await app.close();
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
    app,
  };
}
