// Which exceptions on main count as approved when main is applied (or its drift corrected). The
// bot keeps no state of its own: GitHub holds the record, and only records the App itself wrote
// count. An exception is approved on main when
//  1. its hash is the one the App's latest `okta` deployment records as approved (carried forward
//     from earlier pushes), or
//  2. the last commit that changed its file belongs to a merged pull request whose reviews, decided
//     by the Identity approval rules at that pull request's head, approve that exact hash.
// Anything else (an exception pushed straight to main, one whose pull request merged without the
// approval, one whose content differs from what was approved) is refused, on this push and on every
// later one, until an approved pull request changes it.
import { z } from "zod";
import type { ExceptionEntry } from "../../policy/exceptions.js";
import type { DeploymentInfo, GitHubPort, PullRequestInfo } from "../port.js";

export const OKTA_ENVIRONMENT = "okta";

/** The settings file's key among the exceptions (see settingsException). */
export const SETTINGS_KEY = ".okta-gitops.yml";

/** How a pull request's exceptions stand at its head, by the Identity approval rules. */
export interface PullApprovals {
  /** The exceptions at the pull request's head, with their hashes there. */
  exceptions: readonly { key: string; hash: string }[];
  decisions: readonly { key: string; approved: boolean; approvedBy: string[]; notes: string[] }[];
}

/** Decides a merged pull request's approvals at its head (the pull-request job's own function). */
export type PullApprovalsOf = (pr: PullRequestInfo) => Promise<PullApprovals>;

/** The deployment payload that records what is approved: exception key -> approved hash. */
export interface ApprovalRecord {
  okta_gitops: { approved: Record<string, string> };
}

const HASH = /^sha256:[0-9a-f]{64}$/;
// A hostile or foreign payload is ignored, never trusted in part.
const RecordSchema = z.object({
  okta_gitops: z.object({
    approved: z.record(z.string().min(1).max(300), z.string().regex(HASH)),
  }),
});

export interface Verdict {
  key: string;
  file: string;
  line: number;
  rules: string[];
  hash: string;
  approved: boolean;
  /** How it came to be approved, or why it is refused: a sentence for the report. */
  reason: string;
  /** The reviewers whose approval counted, when approved through a pull request. */
  approvedBy: string[];
  /** The pull request that approved it, or that merged it without approval. */
  pullRequest?: number;
}

export interface MainApprovals {
  verdicts: Verdict[];
  /** What this run records as approved (for the deployment's payload). */
  record: ApprovalRecord;
  /** The App's latest deployment, whose record was carried forward. */
  previous?: DeploymentInfo;
}

/** The App's own latest `okta` deployment and its record; anyone else's deployment is ignored. */
export async function latestRecord(
  port: GitHubPort,
  botLogin: string,
): Promise<{ deployment?: DeploymentInfo; approved: Record<string, string> }> {
  const deployments = await port.deployments(OKTA_ENVIRONMENT, 100);
  const own = deployments.find((d) => d.creator === botLogin);
  if (!own) return { approved: {} };
  const parsed = RecordSchema.safeParse(own.payload);
  return { deployment: own, approved: parsed.success ? parsed.data.okta_gitops.approved : {} };
}

const short = (sha: string) => sha.slice(0, 7);

/**
 * Decides, per exception at `sha` on the default branch `branch`, whether it is approved.
 * Fails closed: a GitHub answer that cannot be had refuses the exception it was needed for.
 */
export async function approvalsOnMain(
  port: GitHubPort,
  input: {
    sha: string;
    branch: string;
    botLogin: string;
    exceptions: readonly ExceptionEntry[];
    approvalsOf: PullApprovalsOf;
  },
): Promise<MainApprovals> {
  const { deployment, approved: recorded } = await latestRecord(port, input.botLogin);
  const byPull = new Map<number, Promise<PullApprovals>>();
  const verdicts: Verdict[] = [];
  for (const e of input.exceptions) {
    const base = { key: e.key, file: e.file, line: e.line, rules: [...e.rules], hash: e.hash };
    if (recorded[e.key] === e.hash) {
      verdicts.push({
        ...base,
        approved: true,
        approvedBy: [],
        reason: `approved before: recorded as approved by the App's deployment #${deployment!.id} (of ${short(deployment!.sha)})`,
      });
      continue;
    }
    try {
      verdicts.push({ ...base, ...(await throughPull(port, input, e, byPull)) });
    } catch (error) {
      verdicts.push({
        ...base,
        approved: false,
        approvedBy: [],
        reason: `refused: its approval could not be checked on GitHub (${error instanceof Error ? error.message : String(error)})`,
      });
    }
  }
  const approved: Record<string, string> = {};
  for (const v of verdicts) if (v.approved) approved[v.key] = v.hash;
  return {
    verdicts,
    record: { okta_gitops: { approved } },
    ...(deployment ? { previous: deployment } : {}),
  };
}

async function throughPull(
  port: GitHubPort,
  input: { sha: string; branch: string; approvalsOf: PullApprovalsOf },
  e: ExceptionEntry,
  byPull: Map<number, Promise<PullApprovals>>,
): Promise<Omit<Verdict, "key" | "file" | "line" | "rules" | "hash">> {
  const [last] = await port.commitsTouching(e.file, input.sha, 1);
  if (!last)
    return {
      approved: false,
      approvedBy: [],
      reason: `refused: no commit on ${input.branch} that changed ${e.file} was found, so no approval can be traced`,
    };
  const pulls = (await port.pullsOfCommit(last.sha)).filter(
    (p) => p.merged && p.baseRef === input.branch,
  );
  if (!pulls.length)
    return {
      approved: false,
      approvedBy: [],
      reason: `refused: ${e.file} was last changed by ${short(last.sha)}, which no merged pull request into ${input.branch} holds (pushed straight to ${input.branch}); it needs a pull request that the Identity team approves`,
    };
  const why: string[] = [];
  for (const pr of pulls) {
    if (!byPull.has(pr.number)) byPull.set(pr.number, input.approvalsOf(pr));
    const approvals = await byPull.get(pr.number)!;
    const atHead = approvals.exceptions.find((x) => x.key === e.key);
    const decision = approvals.decisions.find((d) => d.key === e.key);
    // The approval is of the content at the pull request's head: main must hold that same content.
    if (decision?.approved && atHead?.hash === e.hash)
      return {
        approved: true,
        approvedBy: [...decision.approvedBy],
        pullRequest: pr.number,
        reason: `approved on pull request #${pr.number}`,
      };
    why.push(
      !atHead || !decision
        ? `pull request #${pr.number} did not hold this exception at its head`
        : atHead.hash !== e.hash
          ? `it differs on ${input.branch} from what pull request #${pr.number} held`
          : `pull request #${pr.number} was merged without the Identity team's approval of it`,
    );
  }
  return {
    approved: false,
    approvedBy: [],
    pullRequest: pulls[0]!.number,
    reason: `refused: ${why.join("; ")}; it needs a pull request that the Identity team approves`,
  };
}
