// The repository as the workflows see it: its files read through a file source (a folder on disk
// for the CLI, a revision for the GitHub App), loaded, validated, and sorted into what may be
// reconciled and what is refused, and why (policy errors, approvals, the local org's sandbox
// approvals, expired exceptions). Pure but for the file source it is given.
import { compareFindings, isBlocking, type Config, type Finding } from "../model/index.js";
import { CONFIG_FILE, loadConfig } from "../load/config.js";
import type { LoadedIntegration, SourceFile } from "../load/types.js";
import { validate } from "../validate.js";
import { desiredIntegration, desiredToken } from "../reconcile/desired.js";
import type { Adoption, DesiredIntegration, DesiredToken } from "../reconcile/model.js";
import { WorkflowError } from "./errors.js";

/** Where the files come from: the shape of src/load/source-directory.ts's readDirectorySources. */
export interface FileSource {
  /** The files under these paths (repository-relative), with findings for those unreadable. */
  read(paths: string[]): { files: SourceFile[]; findings: Finding[] };
  /** Whether the repository has this file (the default settings file is read only if so). */
  has(path: string): boolean;
}

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
  /** How an integration gets the approval it lacks, said in its refusal (the CLI's default:
   * `pass --approved NAME once it has it`; the GitHub App says how approval works there). */
  approvalHint?: (name: string) => string;
}

export function loadWorkspace(
  ports: { files: FileSource; today: string },
  options: WorkspaceOptions,
): Workspace {
  const { files: source, today } = ports;
  const paths = options.paths.length ? options.paths : ["integrations/"];
  const configPath = options.configPath ?? (source.has(CONFIG_FILE) ? CONFIG_FILE : undefined);
  const sources = source.read(paths);
  const configSources = configPath ? source.read([configPath]) : { files: [], findings: [] };
  const { config, findings: configFindings } = loadConfig(configSources.files[0]);
  if ([...configSources.findings, ...configFindings].some(isBlocking)) {
    const f = [...configSources.findings, ...configFindings].find(isBlocking)!;
    throw new WorkflowError(
      `${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule}); nothing was planned`,
    );
  }
  const result = validate({ files: sources.files, config, today: today });
  const findings = [...sources.findings, ...result.findings].sort(compareFindings);
  return sortWorkspace(
    {
      integrations: result.integrations,
      config,
      findings,
      sources: sources.files,
      ...(configSources.files[0] ? { configSource: configSources.files[0] } : {}),
    },
    today,
    options,
  );
}

/** What loading and validating give, before approvals sort it. */
type Validated = Pick<
  Workspace,
  "integrations" | "config" | "findings" | "sources" | "configSource"
>;

/** The same files sorted again under other approvals (the GitHub App learns what is approved
 * from the exceptions the first sorting found): no file is read or validated again. */
export function withApprovals(
  ws: Workspace,
  today: string,
  options: Omit<WorkspaceOptions, "paths" | "configPath">,
): Workspace {
  const { integrations, config, findings, sources, configSource } = ws;
  return sortWorkspace(
    { integrations, config, findings, sources, ...(configSource ? { configSource } : {}) },
    today,
    options,
  );
}

/** Sorts validated files into what may be reconciled and what is refused, and why. */
function sortWorkspace(
  validated: Validated,
  today: string,
  options: Omit<WorkspaceOptions, "paths" | "configPath">,
): Workspace {
  const { config, findings } = validated;

  // An exception past its expiry loses its access (the default) or is refused and reported
  // (`onExpiry: report`, through the api-token.expired finding).
  const expired = new Map<string, { expires: string; token: DesiredToken }>();
  if (config.bot.exceptions.onExpiry === "revoke")
    for (const { integration } of validated.integrations)
      if (integration.kind === "ApiTokenException" && integration.spec.expires <= today)
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
          : `needs the Identity team's approval (${f.rule} at ${f.file}:${f.line}); ${(options.approvalHint ?? cliApprovalHint)(name)}`,
      );
  }
  const desired = new Map<string, DesiredIntegration>();
  const adoptions = new Map<string, Adoption>();
  for (const li of validated.integrations) {
    const ids = li.importLine?.ids;
    if (ids && Object.keys(ids).length) adoptions.set(li.integration.metadata.name, { ...ids });
  }
  const tokens = new Map<string, DesiredToken>();
  const refusedDesired = new Map<string, DesiredIntegration>();
  const refusedTokens = new Map<string, DesiredToken>();
  for (const { integration } of validated.integrations) {
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
    integrations: validated.integrations,
    config,
    findings,
    desired,
    refused,
    tokens,
    unnamedFailure,
    adoptions,
    sandboxApproved: [...sandboxApproved].filter((n) => !refused.has(n)).sort(),
    sources: validated.sources,
    ...(validated.configSource ? { configSource: validated.configSource } : {}),
    refusedDesired,
    refusedTokens,
    expired,
  };
}

const cliApprovalHint = (name: string) => `pass --approved ${name} once it has it`;

/** The line that says which exceptions were treated as approved against the local org, and why. */
export function sandboxApprovalLine(ws: Workspace): string | undefined {
  if (!ws.sandboxApproved.length) return undefined;
  return `Local org: the exceptions of ${ws.sandboxApproved.join(", ")} were treated as approved without the Identity team's approval, because Okta here is the local sandbox org (no OKTA_* settings); against Okta they need --approved.`;
}

/** integrations/<name>.yaml names the integration <name>. */
export function nameFromFile(file: string): string | undefined {
  const m = /(?:^|\/)([a-z][a-z0-9-]*)\.ya?ml$/.exec(file);
  return m?.[1];
}
