// The Identity team's approval of a pull request's exceptions, decided by content rather than by
// push times: a review counts for an exception when it approves a commit where that exception's
// hash is the one at the head, so a later commit that leaves the exception alone (another file, a
// rebase) keeps the approval and one that changes it clears it. Everything else a reviewer must
// be (an active member of the team, neither the author nor a changer of the exception, a person)
// is checked here too, and every review that does not count says why. Pure: the job gathers the
// reviews, the hashes at the reviewed commits, memberships and changers through the port.
import type { ExceptionEntry } from "../policy/exceptions.js";
import type { MembershipState, Review } from "./port.js";

export interface ApprovalInput {
  /** Exceptions at the head commit. */
  exceptions: ExceptionEntry[];
  /** The pull request's author. */
  author: string;
  /** Reviews, oldest first (GitHub's order). */
  reviews: Review[];
  /** For each commit some review was made on: exception key -> hash there (absent: no such
   * exception there). */
  hashesAt: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Team membership of each reviewer (port.teamMembership). */
  membership: ReadonlyMap<string, MembershipState>;
  /** Per exception key: logins of authors/committers of the PR's commits that changed its file;
   * and commits that changed it with no GitHub account linked (they make approval impossible:
   * the author cannot be told apart from the reviewer; fail closed, say so). A key that is absent
   * means no commit of the pull request changed that file. */
  changers: ReadonlyMap<string, { logins: ReadonlySet<string>; unlinked: readonly string[] }>;
  team: string; // "org/slug"
}

export interface ApprovalDecision {
  key: string;
  approved: boolean;
  /** Who approved it (counting reviews), when approved. */
  approvedBy: string[];
  /** Why each other review does not count, e.g. "@bob approved 1a2b3c4, where the exception
   * differed". */
  notes: string[];
}

export function decideApprovals(input: ApprovalInput): ApprovalDecision[] {
  // GitHub logins are case-insensitive: every comparison is on the lower-cased login.
  const author = input.author.toLowerCase();
  const membership = new Map<string, MembershipState>();
  for (const [login, state] of input.membership) membership.set(login.toLowerCase(), state);
  return input.exceptions.map((exception) => decide(exception, input, author, membership));
}

function decide(
  exception: ExceptionEntry,
  input: ApprovalInput,
  author: string,
  membership: ReadonlyMap<string, MembershipState>,
): ApprovalDecision {
  const changed = input.changers.get(exception.key);
  const changers = new Set([...(changed?.logins ?? [])].map((l) => l.toLowerCase()));
  const unlinked = changed?.unlinked ?? [];
  const approvedBy: string[] = [];
  const counted = new Set<string>();
  /** Per review index: why it does not count (APPROVED reviews only). */
  const rejected = new Map<number, string>();

  input.reviews.forEach((review, i) => {
    if (review.state !== "APPROVED") return;
    const why = whyNot(review, i);
    if (why) rejected.set(i, why);
    else if (review.user && !counted.has(review.user.login.toLowerCase())) {
      counted.add(review.user.login.toLowerCase());
      approvedBy.push(review.user.login);
    }
  });

  const notes: string[] = [];
  input.reviews.forEach((review, i) => {
    const login = review.user?.login;
    const who = login ? `@${login}` : "a deleted account";
    // Once a reviewer's approval counts, their other reviews need no explaining.
    if (login && counted.has(login.toLowerCase())) return;
    if (review.state === "APPROVED") notes.push(rejected.get(i)!);
    // A dismissal or a request for changes after an approval is told in the approval's note.
    else if (approvedBefore(review, i)) return;
    else if (review.state === "DISMISSED") notes.push(`${who}'s review${at(review)} was dismissed`);
    else if (review.state === "CHANGES_REQUESTED")
      notes.push(`${who} requested changes${at(review)}`);
  });

  if (unlinked.length) {
    notes.push(
      `${plural(unlinked.length, "commit")} ${unlinked.map(short).join(", ")} changed ${exception.file} with no GitHub account linked to ${unlinked.length === 1 ? "its" : "their"} author or committer: who wrote the change cannot be told apart from a reviewer, so no review can approve it; recommit it with an author linked to a GitHub account`,
    );
    return { key: exception.key, approved: false, approvedBy: [], notes };
  }
  return { key: exception.key, approved: approvedBy.length > 0, approvedBy, notes };

  /** Why an approving review does not count for this exception, or undefined when it does. */
  function whyNot(review: Review, index: number): string | undefined {
    if (!review.user) return `an approval by a deleted account does not count`;
    const who = `@${review.user.login}`;
    const login = review.user.login.toLowerCase();
    const commit = review.commitId;
    if (review.user.type === "Bot") return `${who} is a bot: only people approve exceptions`;
    if (login === author) return `${who} is the pull request's author`;
    if (changers.has(login))
      return `${who} changed ${exception.file} in this pull request: the one who writes an exception does not approve it`;
    const state = membership.get(login) ?? "none";
    if (state === "pending")
      return `${who}'s membership of @${input.team} is pending (not yet accepted)`;
    if (state !== "active") return `${who} is not a member of @${input.team}`;
    if (!commit) return `${who}'s approval names no commit, so what it approved cannot be told`;
    const hashes = input.hashesAt.get(commit);
    if (!hashes)
      return `${who} approved ${short(commit)}, whose content could not be read, so it does not count`;
    const there = hashes.get(exception.key);
    if (there === undefined)
      return `${who} approved ${short(commit)}, where the exception did not exist`;
    if (there !== exception.hash)
      return `${who} approved ${short(commit)}, where the exception differed`;
    const later = input.reviews
      .slice(index + 1)
      .find(
        (r) =>
          r.user?.login.toLowerCase() === login &&
          (r.state === "CHANGES_REQUESTED" || r.state === "DISMISSED"),
      );
    if (later?.state === "CHANGES_REQUESTED")
      return `${who} approved ${short(commit)}, then requested changes${at(later)}`;
    if (later)
      return `${who} approved ${short(commit)}, then a later review of theirs was dismissed`;
    return undefined;
  }

  /** Whether the reviewer approved before this review (whose note then explains it). */
  function approvedBefore(review: Review, index: number): boolean {
    const login = review.user?.login.toLowerCase();
    return input.reviews
      .slice(0, index)
      .some((r) => r.state === "APPROVED" && r.user?.login.toLowerCase() === login);
  }
}

function at(review: Review): string {
  return review.commitId ? ` on ${short(review.commitId)}` : "";
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
