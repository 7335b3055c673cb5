// What the plan, apply, drift and import commands share: the terminal, the repository's files on
// disk (the workflows' file source), connecting to Okta (from OKTA_* variables, or the local org
// under .okta-gitops/) and its lock, the progress bar, and the shared arguments. Adapters only; the
// jobs themselves are in src/workflows, the decisions in src/reconcile.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { IMPORT_LINE, parseImportLine } from "../load/import-line.js";
import { readDirectorySources } from "../load/source-directory.js";
import { connectOkta, type OktaConnection } from "../okta/adapter.js";
import { OKTA_ENV, oktaSettingsFromEnv, type OktaSettings } from "../okta/settings.js";
import { FORMATS, type Format } from "../reconcile/render/index.js";
import type { Adoption } from "../reconcile/model.js";
import { FileLock, OktaLock, type Lock } from "../okta/lock.js";
import type { PacerOptions } from "../okta/pacer.js";
import { answered } from "../redis/answer.js";
import { RedisBucketStore } from "../redis/bucket-store.js";
import { connectRedis, redisSettings, type RedisSettings } from "../redis/connection.js";
import { LOCK_LEASE_MS, LOCK_WAIT_MS, RedisLock } from "../redis/lock.js";
import { terminalChunk } from "../render/escape.js";
import { loadWorkspace, type FileSource, type Workspace } from "../workflows/workspace.js";
import type { Progress } from "../workflows/plan.js";
import { WorkflowError as UserError } from "../workflows/errors.js";

export interface ReconcileIo {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout(s: string): void;
  stderr(s: string): void;
  /** Progress bars only on a terminal. */
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  confirm(question: string): Promise<boolean>;
  /** YYYY-MM-DD. */
  today: string;
}

export function processIo(): ReconcileIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    // Whatever a command prints may quote Okta or a file: no control character reaches the
    // terminal (or a CI log) from them.
    stdout: (s) => void process.stdout.write(terminalChunk(s)),
    stderr: (s) => void process.stderr.write(terminalChunk(s)),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    confirm: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(question)).trim());
      } finally {
        rl.close();
      }
    },
    today: new Date().toISOString().slice(0, 10),
  };
}

/** A refusal the user must see: printed as one line, exit code 1 (the workflows' refusal). */
export { UserError };

/** The line `okta-gitops import` writes at the top of a file it made, naming the Okta objects the
 * bot is to adopt: `# okta-gitops import: app=0oa… zone=nzo… customRole=cr0… resourceSet=iam…`.
 * It must stand in the comment block before the document (read by the loader, see
 * src/load/import-line.ts; the policy flags it as needing approval). */
export { IMPORT_LINE };

/** The objects a file's import line names (none when any entry of it is unusable). */
export function importLine(text: string): Adoption | undefined {
  const line = parseImportLine(text);
  if (!line || line.invalid.length || !Object.keys(line.ids).length) return undefined;
  return { ...line.ids };
}

// --- Okta ----------------------------------------------------------------------------------------

export interface OktaSession extends OktaConnection {
  settings: OktaSettings;
  /** Set when the local org is used: where its data is. */
  localDir?: string;
  lock(): Lock;
  close(): Promise<void>;
}

export const LOCAL_DIR = ".okta-gitops";

/** Runs `body` with an Okta session, and closes it (and a local org it started) afterwards. */
export async function withOkta<T>(
  io: ReconcileIo,
  body: (okta: OktaSession) => Promise<T>,
): Promise<T> {
  const okta = await openOkta(io);
  try {
    return await body(okta);
  } finally {
    await okta.close();
  }
}

export interface OpenOktaOptions {
  rateShare?: number;
  /** Hears of every Okta request, 429 and wait, per bucket (metrics). */
  observe?: PacerOptions["observe"];
}

/** Okta from OKTA_* variables; with none set, the local Okta org kept under .okta-gitops/. With
 * REDIS_URL set, the lock per org and the rate budget are kept in Redis, shared by every replica
 * (the lease on a network zone in Okta is then not used). */
export async function openOkta(
  io: ReconcileIo,
  options: OpenOktaOptions = {},
): Promise<OktaSession> {
  const settings = oktaSettingsFromEnv(io.env);
  const shared = await openShared(io.env);
  const connect = (s: OktaSettings) =>
    connectOkta(s, {
      ...(options.rateShare !== undefined ? { rateShare: options.rateShare } : {}),
      ...(options.observe ? { observe: options.observe } : {}),
      ...(shared ? { store: shared.store(s.orgUrl) } : {}),
    });
  if (settings) {
    try {
      const connection = await connect(settings);
      return {
        ...connection,
        settings,
        lock: () =>
          shared?.lock(settings.orgUrl) ?? new OktaLock(connection.adapter, leaseMs(io.env)),
        close: async () => shared?.close(),
      };
    } catch (error) {
      await shared?.close();
      throw error;
    }
  }
  const dataDir = path.resolve(io.cwd, LOCAL_DIR, "local-org");
  // The folder holds the bot's private key and the org's state: the owner's alone (0700), also
  // when an earlier version made it readable to all.
  const { openLocalOrg, BOT_SCOPES } = await import("../local-org/index.js");
  let org: Awaited<ReturnType<typeof openLocalOrg>>;
  try {
    for (const dir of [path.dirname(dataDir), dataDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
    org = await openLocalOrg({ dataDir, env: io.env, cwd: io.cwd });
  } catch (error) {
    await shared?.close();
    throw error;
  }
  io.stderr(
    `Using the local Okta org in ${path.relative(io.cwd, dataDir) || dataDir} (${org.url}): no OKTA_* settings are set.\n`,
  );
  const c = org.credentials;
  const local: OktaSettings = {
    orgUrl: org.url,
    clientId: c.clientId,
    privateKey: JSON.stringify(c.privateKeyJwk),
    keyId: c.keyId,
    scopes: [...BOT_SCOPES],
  };
  try {
    const connection = await connect(local);
    return {
      ...connection,
      settings: local,
      localDir: dataDir,
      lock: () =>
        shared?.lock(local.orgUrl) ?? new FileLock(path.join(path.dirname(dataDir), "apply.lock")),
      close: async () => {
        await shared?.close();
        await org.close();
      },
    };
  } catch (error) {
    await shared?.close();
    await org.close();
    throw error;
  }
}

/** With REDIS_URL: one client for the session, its rate budget and its lock per org. */
async function openShared(env: Record<string, string | undefined>): Promise<
  | {
      store(orgUrl: string): RedisBucketStore;
      lock(orgUrl: string): RedisLock;
      close(): Promise<void>;
    }
  | undefined
> {
  let settings: RedisSettings | undefined;
  try {
    settings = redisSettings(env);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  if (!settings) return undefined;
  const redis = connectRedis(settings);
  // ioredis reports a lost connection as an 'error' event (printed when nobody listens) and
  // reconnects; the commands waiting on it are what fail or wait, and say so.
  redis.on("error", () => undefined);
  // QUIT waits for Redis like any command: bounded, so that closing never hangs a run.
  const close = async () => {
    await answered(redis.quit(), 2000, "quit").catch(() => undefined);
    redis.disconnect();
  };
  // Every Okta call waits on Redis: an unreachable one is said up front, not a silent hang.
  const reached = await Promise.race([
    redis.ping().then(
      () => true,
      () => false,
    ),
    sleep(REDIS_PING_MS, false, { ref: false }),
  ]);
  if (!reached) {
    redis.disconnect();
    throw new UserError(`cannot reach Redis at REDIS_URL within ${REDIS_PING_MS / 1000} s`);
  }
  const { prefix } = settings;
  return {
    store: (orgUrl) => new RedisBucketStore(redis, prefix, orgUrl),
    lock: (orgUrl) =>
      new RedisLock(redis, prefix, orgUrl, {
        leaseMs: seconds(env.OKTA_GITOPS_LOCK_LEASE_SECONDS, LOCK_LEASE_MS),
        waitMs: seconds(env.OKTA_GITOPS_LOCK_WAIT_SECONDS, LOCK_WAIT_MS),
      }),
    close,
  };
}

const REDIS_PING_MS = 10_000;

// --- progress --------------------------------------------------------------------------------

/** A progress bar on stderr, on a terminal only; silent otherwise. */
export function progressBar(
  io: ReconcileIo,
  label: string,
): {
  update(done: number, total: number): void;
  end(): void;
} {
  if (!io.stderrIsTTY) return { update: () => {}, end: () => {} };
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : width;
      io.stderr(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
      shown = true;
    },
    end() {
      if (shown) io.stderr("\n");
    },
  };
}

/** `--flag a,b --flag c` → {a, b, c}. */
export function listOption(values: string[] | undefined): Set<string> {
  return new Set(
    (values ?? [])
      .flatMap((v) => v.split(","))
      .map((v) => v.trim())
      .filter(Boolean),
  );
}

/** The repository's files on disk, under the current folder, and today's date. */
export function workspacePorts(io: ReconcileIo): { files: FileSource; today: string } {
  return {
    files: {
      read: (paths) => readDirectorySources(paths, { root: io.cwd }),
      has: (file) => existsSync(path.resolve(io.cwd, file)),
    },
    today: io.today,
  };
}

/** The progress a workflow reports, shown on a terminal: the calls made while reading Okta. */
export function progressOf(io: ReconcileIo, okta: OktaSession, label = "Applying"): Progress {
  if (!io.stderrIsTTY) return {};
  let shown: ReturnType<typeof setInterval> | undefined;
  let bar: ReturnType<typeof progressBar> | undefined;
  return {
    reading(active) {
      if (active) {
        shown ??= setInterval(
          () => io.stderr(`\rReading Okta: ${okta.executor.requests} calls`),
          250,
        );
        return;
      }
      if (!shown) return;
      clearInterval(shown);
      shown = undefined;
      io.stderr(`\rRead Okta: ${okta.executor.requests} calls\n`);
    },
    applying(done, total) {
      bar ??= progressBar(io, label);
      bar.update(done, total);
      if (done === total) bar.end();
    },
  };
}

/** Runs a command: a refusal or failure is one line on stderr and exit code 1, never a stack. */
export async function guarded(
  name: string,
  io: ReconcileIo,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`okta-gitops ${name}: ${message.split("\n")[0]}\n`);
    if (io.env.OKTA_GITOPS_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return 1;
  }
}

/** The Okta lock's lease: OKTA_GITOPS_LOCK_LEASE_SECONDS, a minute by default. */
function leaseMs(env: Record<string, string | undefined>): number {
  return seconds(env.OKTA_GITOPS_LOCK_LEASE_SECONDS, 60_000);
}

/** A number of seconds from the environment, in ms; the default when unset or unusable. */
function seconds(value: string | undefined, defaultMs: number): number {
  const n = Number(value ?? Number.NaN);
  return Number.isFinite(n) && n > 0 ? n * 1000 : defaultMs;
}

// --- arguments shared by plan, apply and drift -------------------------------------------------

export const WORKSPACE_OPTIONS = {
  format: { type: "string", default: "text" },
  approved: { type: "string", multiple: true },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The repository a command's arguments name: its files, settings and approvals. */
export function workspaceFromArgs(
  io: ReconcileIo,
  args: { positionals: string[]; values: { config?: string; approved?: string[] } },
): Workspace {
  return loadWorkspace(workspacePorts(io), {
    paths: args.positionals,
    configPath: args.values.config,
    approved: listOption(args.values.approved),
    // Against the local org (a sandbox, with no Identity team) every exception counts as approved
    // too, and the commands say which (`sandboxApproved`).
    sandbox: OKTA_ENV.every((k) => !io.env[k]),
  });
}

export function formatOf(value: string | undefined): Format {
  const format = (value ?? "text") as Format;
  if (!FORMATS.includes(format))
    throw new UserError(`unknown format '${value}': use one of ${FORMATS.join(", ")}`);
  return format;
}
