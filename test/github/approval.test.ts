// The Identity approval, decided by content: each rule of what makes a review count, and the note
// that says why one does not.
import { describe, expect, it } from "vitest";
import { decideApprovals, type ApprovalInput } from "../../src/github/approval.js";
import type { MembershipState, Review } from "../../src/github/port.js";
import type { ExceptionEntry } from "../../src/policy/exceptions.js";

const sha = (c: string) => c.repeat(40);
const HEAD = sha("a");
const SAME = sha("b"); // an older commit where the exception is as at the head
const DIFF = sha("c"); // one where it differed
const ABSENT = sha("d"); // one where it did not exist
const UNREAD = sha("e"); // one whose content the job could not read

const payroll: ExceptionEntry = {
  key: "payroll",
  file: "integrations/payroll.yaml",
  line: 3,
  rules: ["api-token.exception"],
  hash: "sha256:payroll-head",
};
const hr: ExceptionEntry = {
  key: "hr-sync",
  file: "integrations/hr-sync.yaml",
  line: 12,
  rules: ["scopes.high-risk"],
  hash: "sha256:hr-head",
};

const hashesAt = new Map<string, Map<string, string>>([
  [
    HEAD,
    new Map([
      ["payroll", payroll.hash],
      ["hr-sync", hr.hash],
    ]),
  ],
  [
    SAME,
    new Map([
      ["payroll", payroll.hash],
      ["hr-sync", "sha256:hr-old"],
    ]),
  ],
  [DIFF, new Map([["payroll", "sha256:payroll-old"]])],
  [ABSENT, new Map()],
]);

const membership = new Map<string, MembershipState>([
  ["alice", "active"],
  ["Bob", "active"],
  ["carol", "pending"],
  ["dave", "none"],
  ["pat", "active"],
  ["renovate[bot]", "active"],
]);

let nextId = 1;
function review(
  login: string | null,
  state: Review["state"],
  commitId: string | null = HEAD,
  type = "User",
): Review {
  return {
    id: nextId++,
    user: login === null ? null : { login, type },
    state,
    commitId,
    submittedAt: "2026-11-29T10:00:00Z",
  };
}

function input(reviews: Review[], extra: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    exceptions: [payroll],
    author: "Pat",
    reviews,
    hashesAt,
    membership,
    changers: new Map(),
    team: "acme/identity",
    ...extra,
  };
}

const decide = (reviews: Review[], extra?: Partial<ApprovalInput>) => {
  const [decision] = decideApprovals(input(reviews, extra));
  return decision!;
};

describe("decideApprovals: when a review counts", () => {
  it.each<[string, Review[], Partial<ApprovalInput>, string[], string[]]>([
    ["an active member approving the head", [review("alice", "APPROVED")], {}, ["alice"], []],
    [
      "an approval on an older commit where the exception's content equals the head's",
      [review("alice", "APPROVED", SAME)],
      {},
      ["alice"],
      [],
    ],
    [
      "logins compared ignoring case (review, membership, author)",
      [review("ALICE", "APPROVED"), review("bob", "APPROVED")],
      {},
      ["ALICE", "bob"],
      [],
    ],
    [
      "a later APPROVED after CHANGES_REQUESTED counts again",
      [
        review("alice", "APPROVED", SAME),
        review("alice", "CHANGES_REQUESTED"),
        review("alice", "APPROVED"),
      ],
      {},
      ["alice"],
      [],
    ],
    [
      "a comment after an approval changes nothing",
      [review("alice", "APPROVED"), review("alice", "COMMENTED"), review("dave", "COMMENTED")],
      {},
      ["alice"],
      [],
    ],
    [
      "another reviewer's request for changes does not cancel an approval",
      [review("alice", "APPROVED"), review("bob", "CHANGES_REQUESTED", SAME)],
      {},
      ["alice"],
      [`@bob requested changes on ${SAME.slice(0, 7)}`],
    ],
    [
      "a reviewer who approved twice is named once",
      [review("alice", "APPROVED", SAME), review("alice", "APPROVED"), review("bob", "APPROVED")],
      {},
      ["alice", "bob"],
      [],
    ],
    [
      "the author of other files' commits may approve",
      [review("alice", "APPROVED")],
      { changers: new Map([["hr-sync", { logins: new Set(["alice"]), unlinked: [] }]]) },
      ["alice"],
      [],
    ],
  ])("%s", (_name, reviews, extra, approvedBy, notes) => {
    expect(decide(reviews, extra)).toEqual({ key: "payroll", approved: true, approvedBy, notes });
  });
});

describe("decideApprovals: why a review does not count", () => {
  const a = (c: string) => c.slice(0, 7);
  it.each<[string, Review[], Partial<ApprovalInput>, string[]]>([
    [
      "not a member of the team",
      [review("dave", "APPROVED"), review("zoe", "APPROVED")],
      {},
      ["@dave is not a member of @acme/identity", "@zoe is not a member of @acme/identity"],
    ],
    [
      "a pending member",
      [review("carol", "APPROVED")],
      {},
      ["@carol's membership of @acme/identity is pending (not yet accepted)"],
    ],
    [
      "the pull request's author (an active member, in other case)",
      [review("pat", "APPROVED")],
      {},
      ["@pat is the pull request's author"],
    ],
    [
      "a reviewer who changed the exception's file",
      [review("alice", "APPROVED")],
      { changers: new Map([["payroll", { logins: new Set(["Alice"]), unlinked: [] }]]) },
      [
        "@alice changed integrations/payroll.yaml in this pull request: the one who writes an exception does not approve it",
      ],
    ],
    [
      "an approval on a commit where the exception differed",
      [review("alice", "APPROVED", DIFF)],
      {},
      [`@alice approved ${a(DIFF)}, where the exception differed`],
    ],
    [
      "an approval on a commit where the exception was absent",
      [review("alice", "APPROVED", ABSENT)],
      {},
      [`@alice approved ${a(ABSENT)}, where the exception did not exist`],
    ],
    [
      "an approval on a commit whose content is unknown",
      [review("alice", "APPROVED", UNREAD)],
      {},
      [`@alice approved ${a(UNREAD)}, whose content could not be read, so it does not count`],
    ],
    [
      "an approval with no commit id",
      [review("alice", "APPROVED", null)],
      {},
      ["@alice's approval names no commit, so what it approved cannot be told"],
    ],
    [
      "CHANGES_REQUESTED after APPROVED by the same reviewer cancels it",
      [review("alice", "APPROVED"), review("ALICE", "CHANGES_REQUESTED", SAME)],
      {},
      [`@alice approved ${a(HEAD)}, then requested changes on ${a(SAME)}`],
    ],
    [
      "a dismissed review",
      [review("alice", "DISMISSED")],
      {},
      [`@alice's review on ${a(HEAD)} was dismissed`],
    ],
    [
      "an approval followed by a dismissed review of the same reviewer",
      [review("alice", "APPROVED", SAME), review("alice", "DISMISSED")],
      {},
      [`@alice approved ${a(SAME)}, then a later review of theirs was dismissed`],
    ],
    [
      "a bot, even one the team lists",
      [review("renovate[bot]", "APPROVED", HEAD, "Bot")],
      {},
      ["@renovate[bot] is a bot: only people approve exceptions"],
    ],
    [
      "a deleted account",
      [review(null, "APPROVED")],
      {},
      ["an approval by a deleted account does not count"],
    ],
    [
      "a commit that changed the exception with no linked GitHub account, whoever approves",
      [review("alice", "APPROVED")],
      { changers: new Map([["payroll", { logins: new Set(["pat"]), unlinked: [sha("f")] }]]) },
      [
        "commit fffffff changed integrations/payroll.yaml with no GitHub account linked to its author or committer: who wrote the change cannot be told apart from a reviewer, so no review can approve it; recommit it with an author linked to a GitHub account",
      ],
    ],
    ["no review at all", [], {}, []],
    [
      "only requests for changes and comments",
      [review("alice", "CHANGES_REQUESTED"), review("bob", "COMMENTED")],
      {},
      [`@alice requested changes on ${a(HEAD)}`],
    ],
  ])("%s", (_name, reviews, extra, notes) => {
    expect(decide(reviews, extra)).toEqual({
      key: "payroll",
      approved: false,
      approvedBy: [],
      notes,
    });
  });
});

describe("decideApprovals: several exceptions", () => {
  it("decides each on its own content: one approved, the other not", () => {
    const decisions = decideApprovals(
      input([review("alice", "APPROVED", SAME)], { exceptions: [hr, payroll] }),
    );
    expect(decisions).toEqual([
      {
        key: "hr-sync",
        approved: false,
        approvedBy: [],
        notes: [`@alice approved ${SAME.slice(0, 7)}, where the exception differed`],
      },
      { key: "payroll", approved: true, approvedBy: ["alice"], notes: [] },
    ]);
  });

  it("a changer of one exception may approve the other", () => {
    const decisions = decideApprovals(
      input([review("bob", "APPROVED")], {
        exceptions: [hr, payroll],
        changers: new Map([["hr-sync", { logins: new Set(["bob"]), unlinked: [] }]]),
      }),
    );
    expect(decisions.map((d) => [d.key, d.approved, d.approvedBy])).toEqual([
      ["hr-sync", false, []],
      ["payroll", true, ["bob"]],
    ]);
  });

  it("no exception, no decision", () => {
    expect(decideApprovals(input([review("alice", "APPROVED")], { exceptions: [] }))).toEqual([]);
  });
});
