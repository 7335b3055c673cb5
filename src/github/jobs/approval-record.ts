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
import { SETTINGS_KEY, type ExceptionEntry } from "../../policy/exceptions.js";
import type { DeploymentInfo, GitHubPort, PullRequestInfo } from "../port.js";

export const OKTA_ENVIRONMENT = "okta";

export { SETTINGS_KEY };

/** How some exceptions stand on a merged pull request, by the Identity approval rules. */
export interface PullApprovals {
  /** The hash of each of the exceptions asked about at the pull request's head (absent: it is not
   * an exception there). */
  atHead: ReadonlyMap<string, string>;
  decisions: readonly { key: string; approved: boolean; approvedBy: string[]; notes: string[] }[];
}

/** Decides these exceptions (as main holds them) on a merged pull request, at its head. */
export type PullApprovalsOf = (
  pr: PullRequestInfo,
  exceptions: readonly ExceptionEntry[],
) => Promise<PullApprovals>;

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
  const refused = (e: ExceptionEntry, reason: string, pullRequest?: number): Verdict => ({
    ...baseOf(e),
    approved: false,
    approvedBy: [],
    reason: `refused: ${reason}; it needs a pull request that the Identity team approves`,
    ...(pullRequest !== undefined ? { pullRequest } : {}),
  });
  const verdicts = new Map<string, Verdict>();
  // Per merged pull request, the exceptions whose file it changed last.
  const byPull = new Map<number, { pr: PullRequestInfo; entries: ExceptionEntry[] }>();
  for (const e of input.exceptions) {
    if (recorded[e.key] === e.hash) {
      verdicts.set(e.key, {
        ...baseOf(e),
        approved: true,
        approvedBy: [],
        reason: `approved before: recorded as approved by the App's deployment #${deployment!.id} (of ${short(deployment!.sha)})`,
      });
      continue;
    }
    try {
      const [last] = await port.commitsTouching(e.file, input.sha, 1);
      if (!last) {
        verdicts.set(e.key, refused(e, `no commit that changed ${e.file} was found`));
        continue;
      }
      const pr = (await port.pullsOfCommit(last.sha)).find(
        (p) => p.merged && p.baseRef === input.branch,
      );
      if (!pr) {
        verdicts.set(
          e.key,
          refused(
            e,
            `${e.file} was last changed by ${short(last.sha)}, which no merged pull request into ${input.branch} holds (pushed straight to ${input.branch})`,
          ),
        );
        continue;
      }
      const group = byPull.get(pr.number) ?? { pr, entries: [] };
      group.entries.push(e);
      byPull.set(pr.number, group);
    } catch (error) {
      verdicts.set(
        e.key,
        refused(e, `its approval could not be checked on GitHub (${messageOf(error)})`),
      );
    }
  }
  for (const { pr, entries } of byPull.values()) {
    let approvals: PullApprovals;
    try {
      approvals = await input.approvalsOf(pr, entries);
    } catch (error) {
      for (const e of entries)
        verdicts.set(
          e.key,
          refused(
            e,
            `the approvals of pull request #${pr.number} could not be checked on GitHub (${messageOf(error)})`,
            pr.number,
          ),
        );
      continue;
    }
    for (const e of entries) {
      const atHead = approvals.atHead.get(e.key);
      const decision = approvals.decisions.find((d) => d.key === e.key);
      // What was approved is the content at the pull request's head: main must hold that same.
      if (atHead === e.hash && decision?.approved)
        verdicts.set(e.key, {
          ...baseOf(e),
          approved: true,
          approvedBy: [...decision.approvedBy],
          pullRequest: pr.number,
          reason: `approved on pull request #${pr.number}`,
        });
      else
        verdicts.set(
          e.key,
          refused(
            e,
            atHead === undefined
              ? `pull request #${pr.number} did not hold this exception at its head`
              : atHead !== e.hash
                ? `it differs on ${input.branch} from what pull request #${pr.number} held at its head`
                : `pull request #${pr.number} was merged without the Identity team's approval of it` +
                  (decision?.notes.length ? ` (${decision.notes.join("; ")})` : ""),
            pr.number,
          ),
        );
    }
  }
  const list = input.exceptions.map((e) => verdicts.get(e.key)!);
  const approved: Record<string, string> = {};
  for (const v of list) if (v.approved) approved[v.key] = v.hash;
  return {
    verdicts: list,
    record: { okta_gitops: { approved } },
    ...(deployment ? { previous: deployment } : {}),
  };
}

const baseOf = (e: ExceptionEntry) => ({
  key: e.key,
  file: e.file,
  line: e.line,
  rules: [...e.rules],
  hash: e.hash,
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
