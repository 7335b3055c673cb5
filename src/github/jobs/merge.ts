// Apply on push: when the default branch of the configured repository moves, its tree is read
// (one archive), validated, every exception on it is checked against the approval record, and the
// rest is applied through the same workflow as `okta-gitops apply`. The outcome is told on the
// commit (check run okta-gitops/apply), on the merged pull request (one comment), as a deployment
// to the `okta` environment (whose payload records what is approved), and, when it failed, in one
// issue that the next successful apply closes. Nothing here talks to GitHub but through the port.
import { DEFAULT_CONFIG, type Config, type Finding } from "../../model/index.js";
import type { SourceFile } from "../../load/types.js";
import { exceptionsOf, settingsException, type ExceptionEntry } from "../../policy/exceptions.js";
import { deletionGuard, deletionGuardMessage } from "../../reconcile/plan-notes.js";
import { applyChanges, type OktaWriter } from "../../workflows/apply.js";
import { WorkflowError } from "../../workflows/errors.js";
import {
  loadWorkspace,
  withApprovals,
  type FileSource,
  type Workspace,
} from "../../workflows/workspace.js";
import type { GitHubPort, IssueInfo, PullRequestInfo } from "../port.js";
import { treeSource } from "../archives.js";
import {
  approvalsOnMain,
  latestRecord,
  OKTA_ENVIRONMENT,
  SETTINGS_KEY,
  type ApprovalRecord,
  type PullApprovalsOf,
  type Verdict,
} from "./approval-record.js";
import type { MergeRun } from "./runs.js";
import {
  APPLY_CHECK,
  applyCheck,
  applyComment,
  applyFailed,
  applyFailureIssue,
  applyRecoveredIssue,
  MARKERS,
  type ApplyReportInput,
} from "../render/index.js";
import { mdCode } from "../../render/escape.js";

export { APPLY_CHECK };
export const ISSUE_LABEL = "okta-gitops";

/** What the merge and drift jobs need besides the repository's port. */
export interface MergeJobDeps {
  okta: OktaWriter;
  /** The App's own login (`<slug>[bot]`): only its deployments, comments and issues count. */
  botLogin: string;
  /** Decides exceptions on a merged pull request, at its head (the Identity approval rules,
   * under main's settings). */
  approvalsOf(
    port: GitHubPort,
    pr: PullRequestInfo,
    exceptions: readonly ExceptionEntry[],
    config: Config,
  ): ReturnType<PullApprovalsOf>;
  /** A commit's files (one archive download, read in memory; cached by the App). */
  tree(port: GitHubPort, sha: string): Promise<{ files: SourceFile[]; findings: Finding[] }>;
  /** The clock (today's date decides exceptions' expiry). */
  now(): Date;
  log?: {
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  };
}

/** A push as the job needs it (from the webhook's payload). */
export interface PushEvent {
  /** owner/name of the repository pushed to. */
  repository: string;
  ref: string;
  after: string;
  defaultBranch: string;
  deleted: boolean;
}

/**
 * Whether this push may change Okta: only a push that moves (not deletes) the default branch of
 * the one configured repository. Anything else never applies: the reason is returned.
 */
export function applyGate(
  push: PushEvent,
  configured: string | undefined,
): { apply: true; branch: string } | { apply: false; why: string } {
  if (!configured)
    return { apply: false, why: "OKTA_GITOPS_REPOSITORY is not set: no repository may apply" };
  if (push.repository.toLowerCase() !== configured.toLowerCase())
    return {
      apply: false,
      why: `${push.repository} is not the configured repository (${configured})`,
    };
  if (push.ref !== `refs/heads/${push.defaultBranch}`)
    return { apply: false, why: `${push.ref} is not the default branch ${push.defaultBranch}` };
  if (push.deleted || /^0+$/.test(push.after))
    return { apply: false, why: "the push deletes the branch" };
  return { apply: true, branch: push.defaultBranch };
}

/** The tree of a commit as the workflows' file source. A tree without integrations/ (none yet,
 * or the last one removed) is an empty repository, as the pull request's plan showed it, not a
 * missing path: its removals are applied under the deletion guard. */
export async function revisionSource(
  port: GitHubPort,
  deps: Pick<MergeJobDeps, "tree">,
  sha: string,
): Promise<FileSource> {
  return treeSource(await deps.tree(port, sha));
}

/** The exceptions on a tree: the integrations', and the settings file's when it departs from the
 * defaults (the strict baseline needs no one's approval; anything else does, looser or not). */
export function exceptionsOnTree(ws: Workspace): ExceptionEntry[] {
  const list = exceptionsOf(ws.integrations, ws.findings);
  const settings = settingsException(ws.config);
  return settings.hash === settingsException(DEFAULT_CONFIG).hash ? list : [...list, settings];
}

/** Loads a tree and decides its approvals: the workspace to reconcile and the verdicts. Shared by
 * the merge job and the drift correction, so both obey the same approvals. */
export async function approvedWorkspace(
  port: GitHubPort,
  deps: MergeJobDeps,
  at: { sha: string; branch: string; source: FileSource },
): Promise<{
  workspace: Workspace;
  verdicts: Verdict[];
  record: ApprovalRecord;
  settingsRefused?: Verdict;
}> {
  const ports = { files: at.source, today: deps.now().toISOString().slice(0, 10) };
  // First without any approval: what needs one, and the settings as main has them.
  const bare = loadWorkspace(ports, { paths: [], approved: new Set() });
  const { verdicts, record } = await approvalsOnMain(port, {
    sha: at.sha,
    branch: at.branch,
    botLogin: deps.botLogin,
    exceptions: exceptionsOnTree(bare),
    approvalsOf: (pr, exceptions) => deps.approvalsOf(port, pr, exceptions, bare.config),
  });
  const settingsRefused = verdicts.find((v) => v.key === SETTINGS_KEY && !v.approved);
  const approved = new Set(
    verdicts.filter((v) => v.approved && v.key !== SETTINGS_KEY).map((v) => v.key),
  );
  // Never `all`, never the sandbox: against the local org too, only GitHub's record approves.
  const workspace = withApprovals(bare, ports.today, {
    approved,
    // How approval works here: the App takes none from the command line.
    approvalHint: () =>
      "a pull request that the Identity team approves (okta-gitops/identity-approval) must change it",
  });
  return { workspace, verdicts, record, ...(settingsRefused ? { settingsRefused } : {}) };
}

/** Applies one push (already through applyGate, and the newest for its branch). */
export async function runMergeJob(
  port: GitHubPort,
  deps: MergeJobDeps,
  push: { sha: string; branch: string },
): Promise<MergeRun> {
  const { sha, branch } = push;
  const check = await port.createCheckRun(APPLY_CHECK, sha, {
    status: "in_progress",
    output: { title: "Applying", summary: `Applying ${sha.slice(0, 7)} of ${branch} to Okta.` },
  });
  const pullRequest = await mergedPull(port, sha, branch, deps);
  const run: MergeRun = {
    sha,
    branch,
    verdicts: [],
    failed: true,
    ...(pullRequest ? { pullRequest } : {}),
  };
  let record: ApprovalRecord | undefined;
  let deployment: { id: number } | undefined;
  try {
    const source = await revisionSource(port, deps, sha);
    const decided = await approvedWorkspace(port, deps, { sha, branch, source });
    record = decided.record;
    run.verdicts = decided.verdicts;
    run.workspace = decided.workspace;
    if (decided.settingsRefused) run.settingsRefused = decided.settingsRefused;
    deployment = await port.createDeployment(
      sha,
      OKTA_ENVIRONMENT,
      `okta-gitops apply of ${sha.slice(0, 7)}`,
      record,
    );
    await port.setDeploymentStatus(deployment.id, "in_progress", "Applying", check.htmlUrl);
    if (!run.settingsRefused) {
      const ws = decided.workspace;
      const result = await applyChanges(ws, { okta: deps.okta }, { confirmDeletions: false });
      run.result = result;
      if (result.outcome === "deletion-guard")
        run.guard = `${deletionGuardMessage(deletionGuard(result.run.plan, ws.config.bot.deletionGuard.maxDeletions))}: nothing was applied. The App never confirms deletions: raise bot.deletionGuard.maxDeletions through an approved pull request, or apply by hand with --confirm-deletions`;
      run.failed = result.failed;
    }
  } catch (error) {
    run.error = errorText(error);
    deps.log?.error(`apply of ${sha}: ${run.error}`);
  }
  // Reporting: each place on its own, so that one GitHub failure does not hide the others.
  const input = reportInput(run, check.htmlUrl);
  run.failed = applyFailed(input);
  const conclusion = run.failed ? "failure" : "success";
  await report(deps, "check run", async () => {
    try {
      await port.updateCheckRun(check.id, { status: "completed", ...applyCheck(input) });
    } catch (error) {
      // Never left in progress: a plain failure, saying why, when the full report cannot be sent.
      await port.updateCheckRun(check.id, {
        status: "completed",
        conclusion: "failure",
        output: {
          title: "Apply not reported",
          summary: `okta-gitops could not report this apply in full (${mdCode(errorText(error))}): see the deployment and the failure issue.`,
        },
      });
      throw error;
    }
  });
  if (!deployment && !record)
    // The tree never loaded: a deployment still records the attempt, carrying nothing new.
    await report(deps, "deployment", async () => {
      deployment = await port.createDeployment(
        sha,
        OKTA_ENVIRONMENT,
        `okta-gitops apply of ${sha.slice(0, 7)}`,
        await carriedRecord(port, deps),
      );
    });
  if (deployment) {
    const id = deployment.id;
    await report(deps, "deployment status", () =>
      port.setDeploymentStatus(
        id,
        conclusion,
        run.failed ? "Apply failed or refused: see the check run" : "Applied",
        check.htmlUrl,
      ),
    );
  }
  if (pullRequest)
    await report(deps, "pull request comment", () =>
      upsertComment(port, deps.botLogin, pullRequest.number, MARKERS.apply, applyComment(input)),
    );
  await report(deps, "failure issue", () => failureIssue(port, deps.botLogin, run, input));
  return run;
}

/** What the renderers are given of a run. */
function reportInput(run: MergeRun, checkRunUrl: string): ApplyReportInput {
  const notes: string[] = [];
  if (run.guard) notes.push(run.guard);
  return {
    sha: run.sha,
    ...(run.result ? { result: run.result } : {}),
    unapproved: unapprovedOf(run.verdicts),
    ...(run.error !== undefined
      ? { error: run.error }
      : run.settingsRefused
        ? {
            error: `the settings file ${run.settingsRefused.file} is not approved, so nothing is applied under it: ${run.settingsRefused.reason}`,
          }
        : {}),
    ...(run.workspace ? { findings: run.workspace.findings } : {}),
    checkRunUrl,
    ...(run.pullRequest
      ? { pullRequest: { number: run.pullRequest.number, url: run.pullRequest.htmlUrl } }
      : {}),
    notes: [...notes, ...approvedNotes(run.verdicts)],
  };
}

/** The integrations whose exception is not approved, with why (the settings are said apart). */
export function unapprovedOf(
  verdicts: readonly Verdict[],
): { integration: string; reason: string }[] {
  return verdicts
    .filter((v) => !v.approved && v.key !== SETTINGS_KEY)
    .map((v) => ({
      integration: v.key,
      reason: `${v.rules.join(", ")} at ${v.file}:${v.line}: ${v.reason}`,
    }));
}

function approvedNotes(verdicts: readonly Verdict[]): string[] {
  return verdicts
    .filter((v) => v.approved)
    .map(
      (v) =>
        `${v.key}: its exception (${v.rules.join(", ")}) is ${v.reason}${v.approvedBy.length ? ` (approved by ${v.approvedBy.join(", ")})` : ""}`,
    );
}

/** A push skipped because a newer one for the same branch will be applied: said on its commit. */
export async function reportSuperseded(
  port: GitHubPort,
  sha: string,
  newer: string | undefined,
): Promise<void> {
  const shown = (s: string | undefined) => (s ? mdCode(s.slice(0, 7)) : "a newer commit");
  await port.createCheckRun(APPLY_CHECK, sha, {
    status: "completed",
    conclusion: "neutral",
    output: {
      title: "Superseded by a newer push",
      summary: `Not applied on its own: the branch has moved on to ${shown(newer)}, which is applied instead (the newest commit wins).`,
    },
  });
}

/** The App's latest record, carried as it is (for a run that decided nothing). */
async function carriedRecord(port: GitHubPort, deps: MergeJobDeps): Promise<ApprovalRecord> {
  return { okta_gitops: { approved: (await latestRecord(port, deps.botLogin)).approved } };
}

async function mergedPull(
  port: GitHubPort,
  sha: string,
  branch: string,
  deps: MergeJobDeps,
): Promise<PullRequestInfo | undefined> {
  try {
    return (await port.pullsOfCommit(sha)).find((p) => p.merged && p.baseRef === branch);
  } catch (error) {
    deps.log?.warn(`pull requests of ${sha}: ${errorText(error)}`);
    return undefined;
  }
}

/** The one comment of the App that holds `marker`, updated in place, or a new one. */
export async function upsertComment(
  port: GitHubPort,
  botLogin: string,
  issue: number,
  marker: string,
  body: string,
): Promise<void> {
  const existing = (await port.comments(issue)).find(
    (c) => c.author === botLogin && c.body.includes(marker),
  );
  if (existing) await port.updateComment(existing.id, body);
  else await port.createComment(issue, body);
}

/** The App's own open issues that hold the marker (anyone else's issue is never touched). */
export async function ownIssues(
  port: GitHubPort,
  botLogin: string,
  marker: string,
  state: "open" | "closed" | "all" = "open",
): Promise<IssueInfo[]> {
  return (await port.issuesLabelled(ISSUE_LABEL, state)).filter(
    (i) => i.author === botLogin && i.body.includes(marker),
  );
}

/** A failed apply opens the issue, or updates the open one; a successful one closes it. */
async function failureIssue(
  port: GitHubPort,
  botLogin: string,
  run: MergeRun,
  input: ApplyReportInput,
): Promise<void> {
  const open = await ownIssues(port, botLogin, MARKERS.applyFailure);
  if (run.failed) {
    const { title, body } = applyFailureIssue(input);
    if (open[0]) await port.updateIssue(open[0].number, { title, body });
    else await port.createIssue(title, body, [ISSUE_LABEL]);
    return;
  }
  const recovered = applyRecoveredIssue(input);
  for (const issue of open) await port.updateIssue(issue.number, { ...recovered, state: "closed" });
}

async function report(deps: MergeJobDeps, what: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    deps.log?.error(`reporting the apply (${what}): ${errorText(error)}`);
  }
}

/** An error as one line for a report: the message only, never a stack or a request's headers. */
export function errorText(error: unknown): string {
  if (error instanceof WorkflowError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.slice(0, 500);
}
