// The Identity approval of a pull request's exceptions, decided by content: for each exception at
// the head, the reviews that approve it are those of active members of the Identity team who
// neither wrote the pull request nor changed that exception, made on a commit where the exception's
// canonical hash is the one at the head, and not withdrawn since. GitHub gives the facts (reviews,
// the trees of the reviewed commits, team memberships, the commits that changed each file); the
// decision itself is the pure decideApprovals.
import type { Config } from "../../model/index.js";
import { CONFIG_FILE, loadConfig } from "../../load/config.js";
import { exceptionsOf, settingsException, type ExceptionEntry } from "../../policy/exceptions.js";
import { validate } from "../../validate.js";
import { decideApprovals, type ApprovalDecision } from "../approval.js";
import type { ArchiveCache, Tree } from "../archives.js";
import type { GitHubPort, MembershipState, PullRequestInfo } from "../port.js";

/** The settings file's key among the exceptions. */
export const SETTINGS_KEY = CONFIG_FILE;

/** Most distinct reviewed commits whose trees are read for one decision (the newest reviews'). */
export const MAX_REVIEWED_COMMITS = 20;
/** Most commits read per exception file when finding who changed it. */
export const MAX_TOUCHING = 500;

export interface ApprovalContext {
  /** Main's settings: the team, and the policy the exceptions are found under. */
  config: Config;
  today: string;
  archives: ArchiveCache;
}

/** The hash of each of `keys` as an exception at a commit's tree (absent: not an exception there). */
export function exceptionHashes(
  tree: Tree,
  exceptions: readonly ExceptionEntry[],
  config: Config,
  today: string,
): Map<string, string> {
  const hashes = new Map<string, string>();
  const wanted = new Set<string>();
  for (const e of exceptions) {
    if (e.key === SETTINGS_KEY) continue;
    wanted.add(e.file);
    wanted.add(`integrations/${e.key}.yaml`);
    wanted.add(`integrations/${e.key}.yml`);
  }
  const files = tree.files.filter((f) => wanted.has(f.path));
  if (files.length) {
    const result = validate({ files, config, today });
    for (const e of exceptionsOf(result.integrations, result.findings)) hashes.set(e.key, e.hash);
  }
  if (exceptions.some((e) => e.key === SETTINGS_KEY)) {
    const settings = loadConfig(tree.files.find((f) => f.path === CONFIG_FILE));
    if (!settings.findings.some((f) => f.severity === "error"))
      hashes.set(SETTINGS_KEY, settingsException(settings.config).hash);
  }
  return hashes;
}

/** Every exception at a commit's tree, the settings file counted as one (the caller decides
 * whether the settings changed). */
export function exceptionsAt(tree: Tree, config: Config, today: string): ExceptionEntry[] {
  const files = tree.files.filter((f) => f.path.startsWith("integrations/"));
  const result = validate({ files, config, today });
  return exceptionsOf(result.integrations, result.findings);
}

/**
 * The approval of each exception of a pull request at `pr.headSha`: the decision the
 * identity-approval check shows, and the one the merge job verifies a merged pull request by.
 */
export async function approvalsOfPullRequest(
  port: GitHubPort,
  pr: PullRequestInfo,
  exceptions: readonly ExceptionEntry[],
  ctx: ApprovalContext,
): Promise<ApprovalDecision[]> {
  if (!exceptions.length) return [];
  const team = ctx.config.policy.identityTeam;
  const [org, slug] = team.split("/") as [string, string];
  const reviews = await port.reviews(pr.number);
  const approving = reviews.filter(
    (r) => r.state === "APPROVED" && r.user !== null && r.user.type !== "Bot",
  );

  // The exceptions' content at each reviewed commit (a commit never changes: its tree is cached).
  const commits = [...new Set(approving.map((r) => r.commitId).filter((c): c is string => !!c))]
    .reverse()
    .slice(0, MAX_REVIEWED_COMMITS);
  const hashesAt = new Map<string, ReadonlyMap<string, string>>();
  for (const sha of commits)
    hashesAt.set(
      sha,
      exceptionHashes(await ctx.archives.tree(port, sha), exceptions, ctx.config, ctx.today),
    );

  const membership = new Map<string, MembershipState>();
  for (const login of new Set(approving.map((r) => r.user!.login)))
    membership.set(login, await port.teamMembership(org, slug, login));

  // Who changed each exception in this pull request: its commits that touched the file.
  const listed = await port.pullCommits(pr.number);
  const prCommits = new Set(listed.map((c) => c.sha));
  // GitHub lists at most 250 of a pull request's commits: past that, who changed an exception
  // cannot be known, and no approval counts (fail closed).
  const truncated = listed.length >= 250;
  const changers = new Map<string, { logins: ReadonlySet<string>; unlinked: readonly string[] }>();
  for (const e of exceptions) {
    const touching = (await port.commitsTouching(e.file, pr.headSha, MAX_TOUCHING)).filter((c) =>
      prCommits.has(c.sha),
    );
    const logins = new Set<string>();
    const unlinked: string[] = [];
    for (const c of touching) {
      if (c.author) logins.add(c.author);
      if (c.committer) logins.add(c.committer);
      if (!c.author || !c.committer) unlinked.push(c.sha);
    }
    changers.set(e.key, { logins, unlinked });
  }

  const decisions = decideApprovals({
    exceptions: [...exceptions],
    author: pr.author,
    reviews,
    hashesAt,
    membership,
    changers,
    team,
  });
  if (!truncated) return decisions;
  return decisions.map((d) => ({
    ...d,
    approved: false,
    approvedBy: [],
    notes: [
      ...d.notes,
      "the pull request has more commits than the 250 GitHub lists: who changed the exception cannot be known, so no review can approve it; split the pull request",
    ],
  }));
}
