// What plan, apply, drift and import share: reading the repository (files, settings, findings),
// connecting to Okta (from OKTA_* variables, or the local org under .okta-gitops/), the lock that
// keeps one apply per org, and the progress bar. Adapters only; the decisions are in src/reconcile.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { compareFindings, isBlocking, type Config, type Finding } from "../model/index.js";
import { CONFIG_FILE, loadConfig } from "../load/config.js";
import { IMPORT_LINE, parseImportLine } from "../load/import-line.js";
import { readDirectorySources } from "../load/source-directory.js";
import type { LoadedIntegration, SourceFile } from "../load/types.js";
import { validate } from "../validate.js";
import { connectOkta, type OktaConnection } from "../okta/adapter.js";
import { OKTA_ENV, oktaSettingsFromEnv, type OktaSettings } from "../okta/settings.js";
import { FORMATS, type Format } from "../reconcile/render/index.js";
import { desiredIntegration, desiredToken } from "../reconcile/desired.js";
import type {
  ActualState,
  Adoption,
  DesiredIntegration,
  DesiredToken,
  Operation,
  Plan,
} from "../reconcile/model.js";
import { holdingsOf, holdingsSentence } from "../reconcile/holdings.js";
import { didYouMean } from "../policy/nearest.js";
import { keepOwnKey, plan, removedIntegrations } from "../reconcile/plan.js";
import {
  missingResourceFindings,
  objectsOf,
  RESOURCE_EXISTS_RULE,
  resourcesToCheck,
} from "../reconcile/resources.js";
import { FileLock, OktaLock, type Lock } from "../okta/lock.js";
import { rateLimitLeftoverNote } from "../reconcile/plan-notes.js";
import { terminalChunk, terminalText } from "../render/escape.js";

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

/** A refusal the user must see: printed as one line, exit code 1. */
export class UserError extends Error {}

// --- the repository ----------------------------------------------------------------------------

export interface Workspace {
  integrations: LoadedIntegration[];
  config: Config;
  findings: Finding[];
  /** Desired state of the integrations that may be reconciled. */
  desired: Map<string, DesiredIntegration>;
  /** Integrations left alone, with the reason: policy errors, missing approvals. */
  refused: Map<string, string>;
  /** Desired state of the API token exceptions that may be reconciled. */
  tokens: Map<string, DesiredToken>;
  /** A file failed so badly that its integration's name is unknown: deletions are unsafe. */
  unnamedFailure: boolean;
  /** Okta objects that imported files name for adoption, by integration. */
  adoptions: Map<string, Adoption>;
  /** Integrations whose exceptions count as approved only because Okta is the local org (a
   * sandbox, where no Identity team approves): the commands say so. */
  sandboxApproved: string[];
  /** The bytes planned from: the integration files, and the settings file if one was read. */
  sources: SourceFile[];
  configSource?: SourceFile;
  /** Desired state of refused integrations whose files load: compared with Okta read-only, so
   * that their drift is reported (never corrected). */
  refusedDesired: Map<string, DesiredIntegration>;
  refusedTokens: Map<string, DesiredToken>;
  /** API token exceptions past their expiry under `bot.exceptions.onExpiry: revoke`, with the
   * expiry and the desired state the file says: their access ends (a removal, under the guard). */
  expired: Map<string, { expires: string; token: DesiredToken }>;
}

export interface WorkspaceOptions {
  paths: string[];
  configPath?: string;
  /** Integrations whose exceptions have the Identity team's approval (`all` for every one). */
  approved: Set<string>;
  /** Okta is the local org: exceptions without an approval count as approved, and are listed in
   * `sandboxApproved` (so that the quick start runs; real Okta never gets this). */
  sandbox?: boolean;
}

export function loadWorkspace(io: ReconcileIo, options: WorkspaceOptions): Workspace {
  const paths = options.paths.length ? options.paths : ["integrations/"];
  const configPath =
    options.configPath ?? (existsSync(path.resolve(io.cwd, CONFIG_FILE)) ? CONFIG_FILE : undefined);
  const sources = readDirectorySources(paths, { root: io.cwd });
  const configSources = configPath
    ? readDirectorySources([configPath], { root: io.cwd })
    : { files: [], findings: [] };
  const { config, findings: configFindings } = loadConfig(configSources.files[0]);
  if ([...configSources.findings, ...configFindings].some(isBlocking)) {
    const f = [...configSources.findings, ...configFindings].find(isBlocking)!;
    throw new UserError(
      `${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule}); nothing was planned`,
    );
  }
  const result = validate({ files: sources.files, config, today: io.today });
  const findings = [...sources.findings, ...result.findings].sort(compareFindings);

  // An exception past its expiry loses its access (the default) or is refused and reported
  // (`onExpiry: report`, through the api-token.expired finding).
  const expired = new Map<string, { expires: string; token: DesiredToken }>();
  if (config.bot.exceptions.onExpiry === "revoke")
    for (const { integration } of result.integrations)
      if (integration.kind === "ApiTokenException" && integration.spec.expires <= io.today)
        expired.set(integration.metadata.name, {
          expires: integration.spec.expires,
          token: desiredToken(integration, config),
        });
  const refused = new Map<string, string>();
  const sandboxApproved = new Set<string>();
  let unnamedFailure = false;
  for (const f of findings) {
    const needsApproval = f.requiresApproval && !options.approved.has("all");
    if (!isBlocking(f) && !needsApproval) continue;
    const name = f.integration ?? nameFromFile(f.file);
    if (needsApproval && !isBlocking(f) && options.approved.has(name ?? "")) continue;
    if (needsApproval && !isBlocking(f) && options.sandbox && name) {
      sandboxApproved.add(name);
      continue;
    }
    if (!name) {
      unnamedFailure = true;
      continue;
    }
    if (expired.has(name)) continue;
    if (!refused.has(name))
      refused.set(
        name,
        isBlocking(f)
          ? `fails the policy (${f.rule} at ${f.file}:${f.line})`
          : `needs the Identity team's approval (${f.rule} at ${f.file}:${f.line}); pass --approved ${name} once it has it`,
      );
  }
  const desired = new Map<string, DesiredIntegration>();
  const adoptions = new Map<string, Adoption>();
  for (const li of result.integrations) {
    const ids = li.importLine?.ids;
    if (ids && Object.keys(ids).length) adoptions.set(li.integration.metadata.name, { ...ids });
  }
  const tokens = new Map<string, DesiredToken>();
  const refusedDesired = new Map<string, DesiredIntegration>();
  const refusedTokens = new Map<string, DesiredToken>();
  for (const { integration } of result.integrations) {
    const name = integration.metadata.name;
    if (expired.has(name)) continue;
    const isRefused = refused.has(name);
    if (integration.kind === "ApiTokenException")
      (isRefused ? refusedTokens : tokens).set(name, desiredToken(integration, config));
    else (isRefused ? refusedDesired : desired).set(name, desiredIntegration(integration, config));
  }
  // A token exception registers its token by id: the bot adopts it (marks its name) on apply.
  for (const [name, t] of [
    ...tokens,
    ...refusedTokens,
    ...[...expired].map(([n, e]) => [n, e.token] as const),
  ])
    adoptions.set(name, {
      ...adoptions.get(name),
      token: t.tokenId,
      serviceAccount: t.serviceAccount,
    });
  return {
    integrations: result.integrations,
    config,
    findings,
    desired,
    refused,
    tokens,
    unnamedFailure,
    adoptions,
    sandboxApproved: [...sandboxApproved].filter((n) => !refused.has(n)).sort(),
    sources: sources.files,
    ...(configSources.files[0] ? { configSource: configSources.files[0] } : {}),
    refusedDesired,
    refusedTokens,
    expired,
  };
}

/** The line that says which exceptions were treated as approved against the local org, and why. */
export function sandboxApprovalLine(ws: Workspace): string | undefined {
  if (!ws.sandboxApproved.length) return undefined;
  return `Local org: the exceptions of ${ws.sandboxApproved.join(", ")} were treated as approved without the Identity team's approval, because Okta here is the local sandbox org (no OKTA_* settings); against Okta they need --approved.`;
}

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

/** integrations/<name>.yaml names the integration <name>. */
function nameFromFile(file: string): string | undefined {
  const m = /(?:^|\/)([a-z][a-z0-9-]*)\.ya?ml$/.exec(file);
  return m?.[1];
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

/** Okta from OKTA_* variables; with none set, the local Okta org kept under .okta-gitops/. */
export async function openOkta(
  io: ReconcileIo,
  options: { rateShare?: number } = {},
): Promise<OktaSession> {
  const settings = oktaSettingsFromEnv(io.env);
  if (settings) {
    const connection = await connectOkta(settings, options);
    return {
      ...connection,
      settings,
      lock: () => new OktaLock(connection.adapter, leaseMs(io.env)),
      close: async () => {},
    };
  }
  const dataDir = path.resolve(io.cwd, LOCAL_DIR, "local-org");
  // The folder holds the bot's private key and the org's state: the owner's alone (0700), also
  // when an earlier version made it readable to all.
  for (const dir of [path.dirname(dataDir), dataDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const { openLocalOrg, BOT_SCOPES } = await import("../local-org/index.js");
  const org = await openLocalOrg({ dataDir, env: io.env, cwd: io.cwd });
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
    const connection = await connectOkta(local, options);
    return {
      ...connection,
      settings: local,
      localDir: dataDir,
      lock: () => new FileLock(path.join(path.dirname(dataDir), "apply.lock")),
      close: () => org.close(),
    };
  } catch (error) {
    await org.close();
    throw error;
  }
}

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

// --- planning against Okta -------------------------------------------------------------------

export interface PlanRun {
  plan: Plan;
  actual: ActualState;
  /** Operations left out, and why (refused integrations, unsafe deletions). */
  notes: string[];
  /** Errors found while planning (a resource naming an object that is not in Okta): their
   * integrations are left out of the plan, and apply refuses them. */
  findings: Finding[];
  /** Integrations left alone although they are in scope, with what Okta holds for them and (for a
   * file that loads) the differences from it: reported, never corrected. */
  refused: RefusedReport[];
}

export interface RefusedReport {
  integration: string;
  reason: string;
  holds: string[];
  /** The operations that would bring Okta to the file: its drift, read-only. */
  drift: Operation[];
  /** The file loads (it is compared); otherwise only what Okta holds under its marker is known. */
  loaded: boolean;
}

export interface PlanOptions {
  /** Check that the resources of created or changed resource sets exist (not in a drift read). */
  checkResources?: boolean;
}

/**
 * Reads Okta (all of it, or only the `only` integrations) and plans. Integrations the workspace
 * refuses are left out entirely: neither changed nor deleted.
 */
export async function planAgainstOkta(
  ws: Workspace,
  okta: OktaSession,
  only?: Set<string>,
  io?: ReconcileIo,
  options: PlanOptions = {},
): Promise<PlanRun> {
  // A long read (a thousand integrations take a while at Okta's rate) shows its progress on a TTY.
  const shown = io?.stderrIsTTY
    ? setInterval(() => io.stderr(`\rReading Okta: ${okta.executor.requests} calls`), 250)
    : undefined;
  try {
    return await readAndPlan(ws, okta, only, options);
  } finally {
    if (shown) {
      clearInterval(shown);
      io!.stderr(`\rRead Okta: ${okta.executor.requests} calls\n`);
    }
  }
}

async function readAndPlan(
  ws: Workspace,
  okta: OktaSession,
  only: Set<string> | undefined,
  options: PlanOptions,
): Promise<PlanRun> {
  // Refused integrations are read too (read-only): what Okta holds for them, and their drift, is
  // reported; a refusal never hides live access. Expired exceptions are read as removals are.
  const allDesired = new Map([...ws.desired, ...ws.refusedDesired]);
  const allTokens = new Map([...ws.tokens, ...ws.refusedTokens]);
  const actual = only?.size
    ? await okta.adapter.readIntegrations(
        [...only].map((name) => {
          const adopt = ws.adoptions.get(name);
          return {
            name,
            // No file (a removal): no label to search by; the adapter finds the app by marker.
            ...(allDesired.has(name) ? { label: allDesired.get(name)!.app.label } : {}),
            ...(adopt ? { adopt } : {}),
          };
        }),
      )
    : await okta.adapter.readAll(
        new Map(
          [...ws.adoptions].filter(
            ([name]) => allDesired.has(name) || allTokens.has(name) || ws.expired.has(name),
          ),
        ),
      );
  if (only?.size) checkOnly(ws, only, actual);
  const inOnly = <T>(m: Map<string, T>) =>
    only?.size ? new Map([...m].filter(([name]) => only.has(name))) : m;
  const expired = new Set(inOnly(ws.expired).keys());
  const full = plan(inOnly(allDesired), actual, inOnly(allTokens), {
    expired,
    readOnly: new Set(ws.refused.keys()),
  });
  const notes: string[] = [];
  const leftOut = new Set([...ws.refused.keys()]);
  // Resources must exist: checked only for the resource sets this plan creates or changes.
  const findings: Finding[] = [];
  if (options.checkResources !== false) {
    const toCheck = resourcesToCheck({
      ...full,
      operations: full.operations.filter((o) => !ws.refused.has(o.integration)),
    });
    if (toCheck.size) {
      const missing = await okta.adapter.missingObjects(objectsOf(toCheck));
      findings.push(...missingResourceFindings(toCheck, missing, ws.integrations));
      for (const name of new Set(findings.map((f) => f.integration!))) {
        leftOut.add(name);
        notes.push(
          `${name}: refused, its resource set names objects that are not in Okta (${RESOURCE_EXISTS_RULE}); nothing of it is changed`,
        );
      }
    }
  }
  // SUPER_ADMIN goes only to the app the bot authenticates as. The policy allows it for
  // bot.integration by name; only Okta knows whether that name is the bot's own app: fail closed.
  for (const [name, d] of inOnly(ws.desired)) {
    if (d.role.type !== "SUPER_ADMIN" || name === actual.self || leftOut.has(name)) continue;
    const li = ws.integrations.find((f) => f.integration.metadata.name === name);
    findings.push({
      rule: "role.super-admin",
      severity: "error",
      message: `SUPER_ADMIN is granted only to the app the bot authenticates as, and ${name} is not it: nothing of it is changed`,
      file: li?.file ?? `integrations/${name}.yaml`,
      integration: name,
      ...(li ? li.locate(["spec", "role", "standard"]) : { line: 1, column: 1 }),
    });
    leftOut.add(name);
    notes.push(`${name}: refused, SUPER_ADMIN is only for the bot's own app (role.super-admin)`);
  }
  const removed = new Set(removedIntegrations(full));
  const inScope = (name: string) => actual.scope === "all" || actual.scope.has(name);
  const refused: RefusedReport[] = [];
  for (const [name, why] of ws.refused) {
    if (!inScope(name)) {
      notes.push(`${name}: refused, ${why}`);
      continue;
    }
    const drift = full.operations.filter((o) => o.integration === name);
    const loaded = ws.refusedDesired.has(name) || ws.refusedTokens.has(name);
    refused.push({
      integration: name,
      reason: why,
      holds: holdingsOf(actual.integrations.get(name)),
      drift,
      loaded,
    });
    notes.push(
      `${name}: refused, ${why}; left as it is: ${holdingsSentence(actual.integrations.get(name))}` +
        (loaded
          ? drift.length
            ? `; ${drift.length} difference${drift.length === 1 ? "" : "s"} from its file, not corrected`
            : "; it matches its file"
          : "; its file does not load, so it is not compared"),
    );
  }
  for (const [name, { expires }] of ws.expired) {
    if (!inScope(name)) continue;
    const a = actual.integrations.get(name);
    if (!a?.token)
      notes.push(
        `${name}: the exception expired on ${expires}: its access has ended (Okta holds no token of it); remove the file, or renew it with a new justification and expiry`,
      );
    else if (!a.token.adopt)
      notes.push(
        `${name}: the exception expired on ${expires} (bot.exceptions.onExpiry: revoke): its access ends: the token is revoked, the account's admin role unassigned and its zone removed; the account stays denied interactive sign-in`,
      );
    else {
      // The bot never took the token over: it does not touch it, and says so, failing.
      const why = `the exception expired on ${expires}, and its token never carried the okta-gitops marker, so the bot does not revoke it: revoke it in the Admin Console, then remove the file`;
      refused.push({
        integration: name,
        reason: why,
        holds: holdingsOf(a),
        drift: [],
        loaded: true,
      });
      notes.push(`${name}: ${why}; ${holdingsSentence(a)}`);
    }
  }
  // The planner keeps only the conflicts of such an integration: said, so no one waits for it.
  for (const name of new Set(
    full.operations.filter((o) => o.action === "conflict").map((o) => o.integration),
  ))
    if (!leftOut.has(name))
      notes.push(`${name}: left out, it has a conflict (see the plan); nothing of it is changed`);
  const tokens = inOnly(ws.tokens);
  for (const [name, t] of tokens)
    if (!actual.integrations.get(name)?.token)
      notes.push(
        `${name}: API token ${t.tokenId} is not in Okta: the service account creates it in the Admin Console (the API cannot); its zone is made ready meanwhile`,
      );
  for (const [name, t] of tokens)
    if (!actual.integrations.get(name)?.serviceAccount)
      notes.push(
        `${name}: service account ${t.serviceAccount} is not in Okta: its admin role and interactive-login block wait for it`,
      );
  if (ws.unnamedFailure && removed.size) {
    notes.push(
      `a file could not be read far enough to know its integration: no integration is deleted (${[...removed].join(", ")})`,
    );
    for (const r of removed) leftOut.add(r);
  }
  const operations = full.operations.filter((o) => !leftOut.has(o.integration));
  const leftover = rateLimitLeftoverNote({ operations, integrations: [] }, actual);
  if (leftover) notes.push(leftover);
  const self = actual.self ? ws.desired.get(actual.self) : undefined;
  if (self) {
    const kept = keepOwnKey(self, actual);
    const extra = [
      ...kept.app.jwks
        .filter((k) => !self.app.jwks.some((j) => j.kid === k.kid))
        .map((k) => `key ${k.kid}`),
      ...kept.scopes.filter((s) => !self.scopes.includes(s)),
    ];
    if (extra.length)
      notes.push(
        `${self.name}: the bot's own app keeps what the bot runs with although its file does not list it: ${extra.join(", ")}`,
      );
  }
  const refusedNames = [...new Set([...refused.map((r) => r.integration), ...leftOut])]
    .filter(inScope)
    .sort();
  return {
    plan: {
      operations,
      integrations: full.integrations.filter((n) => !leftOut.has(n)),
      refused: refusedNames,
    },
    actual,
    notes,
    findings,
    refused,
  };
}

/** `--only` names integrations: each must have a file or hold something in Okta (a removal);
 * anything else is a typo that would otherwise plan nothing and say "No changes". */
function checkOnly(ws: Workspace, only: Set<string>, actual: ActualState): void {
  const known = new Set([
    ...ws.desired.keys(),
    ...ws.tokens.keys(),
    ...ws.refused.keys(),
    ...ws.expired.keys(),
    ...ws.integrations.map((i) => i.integration.metadata.name),
  ]);
  for (const name of only) {
    if (known.has(name)) continue;
    const a = actual.integrations.get(name);
    if (a && holdingsOf(a).length) continue;
    throw new UserError(
      `--only ${name}: no integration file and nothing in Okta has that name.${didYouMean(name, known)}`,
    );
  }
}

/** A plan-time finding as one line: `file:line:column: error: message (rule)`. */
export function findingLine(f: Finding): string {
  return terminalText(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} (${f.rule})`);
}

export function hasChanges(p: Plan): boolean {
  return p.operations.some((o) => o.action !== "conflict");
}

export function hasConflicts(p: Plan): boolean {
  return p.operations.some((o) => o.action === "conflict");
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
  const seconds = Number(env.OKTA_GITOPS_LOCK_LEASE_SECONDS ?? 60);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
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
  return loadWorkspace(io, {
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
