// The pull-request job: the head's whole tree validated under the default branch's settings (never
// the pull request's own), then only the integrations the pull request adds, changes or removes
// (compared with the merge base, file by file) planned against Okta, so that Okta is asked in
// proportion to the change and not to the repository. It reports on the head commit: the policy
// check run, the one plan comment (found by its marker and updated in place), and the Identity
// approval check run. Nothing here applies anything: a pull request, from a fork or not, is only
// validated and planned.
import type { Config, Finding } from "../../model/index.js";
import { isBlocking } from "../../model/index.js";
import { CONFIG_FILE, loadConfig } from "../../load/config.js";
import type { SourceFile } from "../../load/types.js";
import { settingsException, type ExceptionEntry } from "../../policy/exceptions.js";
import { exceptionsOf } from "../../policy/exceptions.js";
import { validate } from "../../validate.js";
import { WorkflowError } from "../../workflows/errors.js";
import { planChange, type PlanReport } from "../../workflows/plan.js";
import { loadWorkspace, nameFromFile, type Workspace } from "../../workflows/workspace.js";
import type { ApprovalDecision } from "../approval.js";
import type { AppRuntime } from "../runtime.js";
import { treeSource, type Tree } from "../archives.js";
import type { CheckConclusion, CheckOutput, GitHubPort, PullRequestInfo } from "../port.js";
import {
  APPROVAL_CHECK,
  approvalCheck,
  MARKERS,
  planComment,
  POLICY_CHECK,
  policyCheck,
} from "../render/index.js";
import { mdCode } from "../../render/escape.js";
import { approvalsOfPullRequest, exceptionHashes } from "./approval.js";

export { APPROVAL_CHECK, POLICY_CHECK };

/** Most integrations one pull request's plan reads from Okta. */
export const MAX_PLANNED_INTEGRATIONS = 200;

export interface PullJob {
  port: GitHubPort;
  runtime: AppRuntime;
  defaultBranch: string;
  /** YYYY-MM-DD, for the exceptions' expiry. */
  today: string;
}

/** What a pull request changes, read from GitHub: the trees, the settings, the workspace. */
export interface PullRequestView {
  pr: PullRequestInfo;
  mergeBase: string;
  /** The head's tree validated under the default branch's settings. */
  workspace: Workspace;
  /** Main's settings. */
  config: Config;
  /** Integrations the pull request adds, changes or removes (by name). */
  changed: Set<string>;
  /** The app label of each changed integration at the merge base, where it was there. */
  previousLabels: Map<string, string>;
  /** The pull request changes .okta-gitops.yml (byte for byte). */
  settingsChanged: boolean;
  /** Findings of the pull request's own settings file (it would not load once merged). */
  settingsFindings: Finding[];
  /** The exceptions the pull request adds or changes, the settings included: what needs approval. */
  exceptions: ExceptionEntry[];
}

/** Reads the pull request's trees and settings and finds what it changes. No Okta call. */
export async function viewPullRequest(job: PullJob, pr: PullRequestInfo): Promise<PullRequestView> {
  const { port, runtime } = job;
  const [head, mainSettings, mergeBase] = await Promise.all([
    runtime.archives.tree(port, pr.headSha),
    port.fileAt(CONFIG_FILE, job.defaultBranch),
    port.mergeBase(pr.baseSha, pr.headSha),
  ]);
  const base = await runtime.archives.tree(port, mergeBase);

  // The head's integrations with main's settings: a pull request cannot loosen its own checks.
  const files: SourceFile[] = [
    ...head.files.filter((f) => f.path !== CONFIG_FILE),
    ...(mainSettings ? [{ path: CONFIG_FILE, bytes: mainSettings }] : []),
  ];
  const workspace = loadWorkspace(
    {
      files: treeSource({ files, findings: head.findings }),
      today: job.today,
    },
    // Approvals are the identity-approval check's matter: the plan shows what merging would do
    // once the exceptions are approved.
    { paths: [], approved: new Set(["all"]) },
  );
  const config = workspace.config;

  // What the pull request changes, file by file against the merge base (additions, changes,
  // removals and renames: a renamed file is a removal of one name and an addition of another).
  const headFiles = integrationFiles(head);
  const baseFiles = integrationFiles(base);
  const changed = new Set<string>();
  const changedAtBase: SourceFile[] = [];
  for (const path of new Set([...headFiles.keys(), ...baseFiles.keys()])) {
    const a = baseFiles.get(path);
    const b = headFiles.get(path);
    if (a && b && sameBytes(a, b)) continue;
    if (a) changedAtBase.push({ path, bytes: a });
    const byFile = nameFromFile(path);
    if (byFile) changed.add(byFile);
    const loaded = workspace.integrations.find((i) => i.file === path);
    if (loaded) changed.add(loaded.integration.metadata.name);
  }

  const headSettings = head.files.find((f) => f.path === CONFIG_FILE);
  const baseSettings = base.files.find((f) => f.path === CONFIG_FILE);
  const settingsChanged =
    !!headSettings !== !!baseSettings ||
    (!!headSettings && !!baseSettings && !sameBytes(headSettings.bytes, baseSettings.bytes));
  const settingsFindings: Finding[] = [];
  const exceptions: ExceptionEntry[] = [];
  if (settingsChanged) {
    const headConfig = loadConfig(headSettings);
    settingsFindings.push(...headConfig.findings);
    const baseConfig = loadConfig(baseSettings);
    const now = settingsException(headConfig.config);
    // A settings file that does not load is a change too (it would break the default branch).
    if (
      headConfig.findings.some(isBlocking) ||
      now.hash !== settingsException(baseConfig.config).hash
    )
      exceptions.push(now);
  }

  // The exceptions the pull request adds or changes: those at the head whose content (hash)
  // differs from the merge base's. An untouched exception was approved when it reached main.
  const atHead = exceptionsOf(workspace.integrations, workspace.findings).filter((e) =>
    changed.has(e.key),
  );
  if (atHead.length) {
    const atBase = exceptionHashes(base, atHead, config, job.today);
    exceptions.unshift(...atHead.filter((e) => atBase.get(e.key) !== e.hash));
  }
  // The app labels the changed integrations had at the merge base: Okta is searched by those too,
  // so that a pull request relabelling an app plans its rename, not a second app.
  const previousLabels = new Map<string, string>();
  for (const { integration } of validate({ files: changedAtBase, config, today: job.today })
    .integrations)
    if (integration.kind === "ServiceApp")
      previousLabels.set(
        integration.metadata.name,
        integration.spec.label ?? integration.metadata.name,
      );
  return {
    pr,
    mergeBase,
    workspace,
    config,
    changed,
    previousLabels,
    settingsChanged,
    settingsFindings,
    exceptions,
  };
}

/** pull_request opened, synchronize, reopened, or one of our checks re-run. */
export async function runPullRequestJob(job: PullJob, number: number): Promise<void> {
  const { port } = job;
  const pr = await port.pullRequest(number);
  if (pr.state !== "open") return;
  const check = await port.createCheckRun(POLICY_CHECK, pr.headSha, { status: "in_progress" });
  try {
    await checkPullRequest(job, pr, check);
  } catch (error) {
    // Fail closed, saying why, whatever went wrong (a tree that cannot be read, a renderer that
    // throws): a check left in progress reads as pending forever, a success would be worse.
    await port.updateCheckRun(check.id, refusedCheck(error));
    await port.createCheckRun(APPROVAL_CHECK, pr.headSha, refusedCheck(error));
    if (!(error instanceof WorkflowError)) throw error;
  }
}

/** The policy check, the plan comment and the approval check of an open pull request. */
async function checkPullRequest(
  job: PullJob,
  pr: PullRequestInfo,
  check: { id: number; htmlUrl: string },
): Promise<void> {
  const { port, runtime } = job;
  const view = await viewPullRequest(job, pr);
  // Only what the pull request changes is planned: Okta is asked about those integrations alone.
  let plan: PlanReport | undefined;
  let unplanned: string | undefined;
  if (view.changed.size > MAX_PLANNED_INTEGRATIONS) {
    // Anyone who can open a pull request (a fork's included) could otherwise spend the bot's Okta
    // rate share on reads: a pull request's plan is bounded; apply on merge still plans them all.
    unplanned = `this pull request changes ${view.changed.size} integrations, more than the ${MAX_PLANNED_INTEGRATIONS} a pull request's plan reads from Okta: they are validated, not planned; split it into smaller pull requests`;
  } else if (view.changed.size) {
    try {
      const okta = await runtime.deps.okta();
      plan = await planChange(view.workspace, okta, {
        only: view.changed,
        checkOnly: false,
        previousLabels: view.previousLabels,
      });
    } catch (error) {
      unplanned = `Okta could not be read: ${messageOf(error)}`;
      runtime.log.warn(`${port.repo.owner}/${port.repo.repo}#${pr.number}: ${unplanned}`);
    }
  }
  const notes: string[] = [];
  if (pr.headRepo.toLowerCase() !== `${port.repo.owner}/${port.repo.repo}`.toLowerCase())
    notes.push(
      `This pull request comes from another repository (${pr.headRepo}): it is validated and planned like any other; only a merge into the default branch is ever applied.`,
    );
  if (!runtime.isConfigured(port.repo))
    notes.push(
      "This repository is not the one okta-gitops applies (OKTA_GITOPS_REPOSITORY): its changes are validated and planned, never applied.",
    );
  const report = {
    findings: [...view.workspace.findings, ...view.settingsFindings],
    touched: [...view.changed].sort(),
    settingsChanged: view.settingsChanged,
    ...(plan ? { plan } : {}),
    ...(unplanned ? { unplanned } : {}),
    notes,
  };
  const policy = policyCheck({ ...report, files: view.workspace.sources.length });
  await port.updateCheckRun(check.id, {
    status: "completed",
    conclusion: policy.conclusion,
    output: policy.output,
  });
  await upsertPlanComment(
    job,
    view,
    planComment({ ...report, headSha: pr.headSha, checkRunUrl: check.htmlUrl }),
  );
  await postApprovalCheck(job, view);
}

/** pull_request_review submitted, edited or dismissed: only the approval check is decided again. */
export async function runApprovalJob(job: PullJob, number: number): Promise<void> {
  const pr = await job.port.pullRequest(number);
  if (pr.state !== "open") return;
  let view: PullRequestView;
  try {
    view = await viewPullRequest(job, pr);
  } catch (error) {
    await job.port.createCheckRun(APPROVAL_CHECK, pr.headSha, refusedCheck(error));
    if (!(error instanceof WorkflowError)) throw error;
    return;
  }
  await postApprovalCheck(job, view);
}

async function postApprovalCheck(job: PullJob, view: PullRequestView): Promise<void> {
  let decisions: ApprovalDecision[] = [];
  let error: string | undefined;
  try {
    decisions = await approvalsOfPullRequest(job.port, view.pr, view.exceptions, {
      config: view.config,
      today: job.today,
      archives: job.runtime.archives,
    });
  } catch (e) {
    // Undecided is not approved: the check fails and says why.
    error = messageOf(e);
  }
  const check = approvalCheck({
    exceptions: view.exceptions,
    decisions,
    team: view.config.policy.identityTeam,
    ...(error !== undefined ? { error } : {}),
  });
  await job.port.createCheckRun(APPROVAL_CHECK, view.pr.headSha, {
    status: "completed",
    conclusion: check.conclusion,
    output: check.output,
  });
}

/** The one plan comment: found by its marker among the App's own comments, updated in place. */
async function upsertPlanComment(job: PullJob, view: PullRequestView, body: string): Promise<void> {
  const me = await job.runtime.appLogin();
  const existing = (await job.port.comments(view.pr.number)).find(
    (c) => c.author === me && c.body.startsWith(MARKERS.plan),
  );
  // A pull request that touches nothing the bot manages gets no comment; one that had a comment
  // gets it updated, so that it never goes stale.
  if (!existing && view.changed.size === 0 && !view.settingsChanged) return;
  if (existing) {
    if (existing.body !== body) await job.port.updateComment(existing.id, body);
  } else await job.port.createComment(view.pr.number, body);
}

function refusedCheck(error: unknown): {
  status: "completed";
  conclusion: CheckConclusion;
  output: CheckOutput;
} {
  const message = messageOf(error);
  return {
    status: "completed",
    conclusion: "failure",
    output: {
      title: "Not checked",
      summary: `okta-gitops could not check this commit, so it fails closed: ${mdCode(message)}`,
    },
  };
}

function integrationFiles(tree: Tree): Map<string, Uint8Array> {
  return new Map(
    tree.files.filter((f) => f.path.startsWith("integrations/")).map((f) => [f.path, f.bytes]),
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function messageOf(error: unknown): string {
  const m = error instanceof Error ? error.message : String(error);
  return m.split("\n")[0]!.slice(0, 2000);
}
