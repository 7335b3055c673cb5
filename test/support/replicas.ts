// Several `okta-gitops serve` processes as an operator runs them behind a load balancer: the real
// bin (bin/okta-gitops.js over dist/: `npm run build` first), each a child process with its own
// working folder, all sharing one Redis (REDIS_URL, a key prefix of their own), one local GitHub
// (GHE_HOST, http) and one local Okta org served over HTTP by the test process (envFor(org)). Each
// listens on a free port (PORT=0) whose address is read from its output. A test delivers webhooks
// to any of them, stops them with SIGTERM or kills them with SIGKILL, and reads what they printed.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LocalOrg } from "../../src/local-org/index.js";
import { envFor } from "../reconcile/harness.js";
import { BIN } from "./cli-process.js";
import type { LocalGitHub } from "./local-github/index.js";
import { deliver, type Delivery } from "./local-github/webhooks.js";

/** How long a replica may take to start listening. */
const START_MS = 30_000;
/** How long a replica may take to stop after SIGTERM before it is killed. */
const STOP_MS = 20_000;

/** One line of a replica's structured log ("job": one per job, with its outcome). */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface Replica {
  /** "r0", "r1", ... */
  readonly name: string;
  readonly child: ChildProcess;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Everything it printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Its output's JSON lines (pino), in order. */
  logLines(): LogLine[];
  /** The lines saying a job ended ({ msg: "job", kind, key, delivery, outcome, ms }). */
  jobLines(): LogLine[];
  /** Whether the process is still running. */
  readonly running: boolean;
  /** Resolves with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits (bounded) until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** POSTs a signed delivery to this replica's webhook endpoint. */
  deliver(
    event: string,
    payload: unknown,
    opts?: { deliveryId?: string; badSignature?: boolean },
  ): Promise<Delivery>;
}

export interface ReplicaSet {
  /** The webhook secret all replicas share. */
  readonly secret: string;
  /** OKTA_GITOPS_REDIS_PREFIX of this set. */
  readonly prefix: string;
  readonly replicas: Replica[];
  /** Starts one more replica of the same settings (`env` added to them). */
  start(env?: Record<string, string>): Promise<Replica>;
  /** Every replica's output, for a failing test's message. */
  output(): string;
  /** SIGTERM to each replica still running (SIGKILL after a bound), then removes their folders. */
  close(): Promise<void>;
}

export interface ReplicaOptions {
  github: LocalGitHub;
  org: LocalOrg;
  /** REDIS_URL; without it the replicas keep their work in memory (one replica's baseline). */
  redisUrl?: string;
  /** OKTA_GITOPS_REDIS_PREFIX (a fresh one per test). */
  prefix?: string;
  /** Replicas started now (more with start()). */
  count: number;
  /** OKTA_GITOPS_REPOSITORY, for every replica (or per replica, by index). */
  repository?: string | ((index: number) => string | undefined);
  /** Further variables for every replica. */
  env?: Record<string, string>;
}

export async function startReplicas(options: ReplicaOptions): Promise<ReplicaSet> {
  const secret = randomBytes(16).toString("hex");
  const prefix = options.prefix ?? `test-${randomBytes(6).toString("hex")}`;
  const replicas: Replica[] = [];
  const folders: string[] = [];

  const baseEnv = (index: number): Record<string, string> => {
    const repository =
      typeof options.repository === "function" ? options.repository(index) : options.repository;
    return {
      NO_COLOR: "1",
      PATH: process.env.PATH ?? "",
      APP_ID: String(options.github.appId),
      PRIVATE_KEY: options.github.privateKey,
      WEBHOOK_SECRET: secret,
      PORT: "0",
      HOST: "127.0.0.1",
      GHE_HOST: options.github.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      ...envFor(options.org),
      ...(options.redisUrl
        ? { REDIS_URL: options.redisUrl, OKTA_GITOPS_REDIS_PREFIX: prefix }
        : {}),
      ...(repository ? { OKTA_GITOPS_REPOSITORY: repository } : {}),
      ...options.env,
    };
  };

  const start = async (env: Record<string, string> = {}): Promise<Replica> => {
    const index = replicas.length;
    const cwd = mkdtempSync(path.join(tmpdir(), `okta-gitops-replica-${index}-`));
    folders.push(cwd);
    const replica = spawnReplica(`r${index}`, cwd, { ...baseEnv(index), ...env }, secret);
    replicas.push(replica.replica);
    await replica.listening;
    return replica.replica;
  };

  const set: ReplicaSet = {
    secret,
    prefix,
    replicas,
    start,
    output: () => replicas.map((r) => `--- ${r.name}\n${r.output()}`).join("\n"),
    close: async () => {
      await Promise.all(replicas.filter((r) => r.running).map((r) => r.stop("SIGTERM")));
      for (const f of folders) rmSync(f, { recursive: true, force: true });
    },
  };
  try {
    // One after the other: two cores, and each start loads the whole program.
    for (let i = 0; i < options.count; i++) await start();
  } catch (error) {
    await set.close();
    throw error;
  }
  return set;
}

function spawnReplica(
  name: string,
  cwd: string,
  env: Record<string, string>,
  secret: string,
): { replica: Replica; listening: Promise<void> } {
  const child = spawn(process.execPath, [BIN, "serve"], { cwd, env });
  let out = "";
  let running = true;
  let url = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start listening within ${START_MS} ms:\n${out}`));
    }, START_MS);
    const seen = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      url = m[1]!;
      resolve();
    };
    child.stdout!.on("data", seen);
    child.stderr!.on("data", seen);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  const logLines = (): LogLine[] => {
    const lines: LogLine[] = [];
    for (const line of out.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const v = JSON.parse(line) as unknown;
        if (v && typeof v === "object" && !Array.isArray(v)) lines.push(v as LogLine);
      } catch {
        // A line cut by a kill, or not JSON: not a log line.
      }
    }
    return lines;
  };
  const replica: Replica = {
    name,
    child,
    get url() {
      return url;
    },
    output: () => out,
    logLines,
    jobLines: () => logLines().filter((l) => l.msg === "job"),
    get running() {
      return running;
    },
    exited,
    stop: async (signal = "SIGTERM") => {
      if (!running) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    deliver: (event, payload, opts = {}) => {
      if (!url) throw new Error(`${name} is not listening`);
      return deliver(url, event, payload, secret, opts);
    },
  };
  return { replica, listening };
}

/** Polls `condition` every 50 ms until it holds; fails after `ms`, naming `what`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until neither GitHub nor Okta has been called for `quietMs` (bounded by `ms`): the
 * replicas have nothing more under way that talks to them. */
export async function settled(
  github: LocalGitHub,
  org: LocalOrg,
  quietMs = 1500,
  ms = 60_000,
): Promise<void> {
  // Counters, not the request log: the log keeps only its latest entries.
  const count = () =>
    github.requests().length + Object.values(org.counters()).reduce((n, c) => n + c.calls, 0);
  let last = count();
  let since = Date.now();
  await until(
    `GitHub and Okta to go quiet for ${quietMs} ms`,
    () => {
      const now = count();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= quietMs;
    },
    ms,
  );
}
