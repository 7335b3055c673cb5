// The `okta-gitops/identity-approval` check run, from the real exceptions of a repository
// (exceptionsOf over the loaded files) and the real approval decision over reviews.
import { afterAll, describe, expect, it } from "vitest";
import { decideApprovals, type ApprovalInput } from "../../../src/github/approval.js";
import type { MembershipState, Review } from "../../../src/github/port.js";
import { approvalCheck } from "../../../src/github/render/approval-check.js";
import { exceptionsOf } from "../../../src/policy/exceptions.js";
import { Repo } from "../../reconcile/harness.js";
import { workspaceOf } from "./support.js";

const repos: Repo[] = [];
afterAll(() => repos.forEach((r) => r.cleanup()));

const HEAD = "a".repeat(40);
const OLD = "b".repeat(40);
const TEAM = "acme/identity";

function exceptionsIn(write: (r: Repo) => void) {
  const r = new Repo();
  repos.push(r);
  write(r);
  const ws = workspaceOf(r);
  return exceptionsOf(ws.integrations, ws.findings);
}

let id = 1;
const review = (login: string, commitId: string, state: Review["state"] = "APPROVED"): Review => ({
  id: id++,
  user: { login, type: "User" },
  state,
  commitId,
  submittedAt: "2026-12-01T10:00:00Z",
});

function decide(
  exceptions: ReturnType<typeof exceptionsIn>,
  reviews: Review[],
  extra: Partial<ApprovalInput> = {},
) {
  const head = new Map(exceptions.map((e) => [e.key, e.hash]));
  return decideApprovals({
    exceptions,
    author: "pat",
    reviews,
    hashesAt: new Map([
      [HEAD, head],
      [OLD, new Map(exceptions.map((e) => [e.key, "sha256:what-it-was"]))],
    ]),
    membership: new Map<string, MembershipState>([
      ["alice", "active"],
      ["pat", "active"],
      ["dave", "none"],
    ]),
    changers: new Map(),
    team: TEAM,
    ...extra,
  });
}

const withDpopException = (r: Repo) => {
  r.write("no-dpop", { dpop: false, exceptions: { dpop: "The vendor's client has no DPoP yet" } });
  r.write("plain", { network: { allow: ["203.0.113.90/32"] } });
};

describe("the identity approval check", () => {
  it("is neutral when nothing needs approval", () => {
    const exceptions = exceptionsIn((r) => r.write("plain"));
    expect(exceptions).toEqual([]);
    const check = approvalCheck({ exceptions, decisions: decide(exceptions, []), team: TEAM });
    expect(check.conclusion).toBe("neutral");
    expect(check.output.title).toBe("No exception needs approval");
  });

  it("fails until approved, saying why each review does not count, without mentioning anyone", () => {
    const exceptions = exceptionsIn(withDpopException);
    const reviews = [review("dave", HEAD), review("pat", HEAD), review("alice", OLD)];
    const check = approvalCheck({ exceptions, decisions: decide(exceptions, reviews), team: TEAM });
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("0 of 1 exception approved");
    const s = check.output.summary;
    expect(s).toMatch(
      /\| `no-dpop` \| `integrations\/no-dpop\.yaml:\d+` \| `dpop\.disabled` \| ⏳ needs approval \| {2}\|/,
    );
    expect(s).toContain(
      [
        "**Reviews that do not count for `no-dpop`**",
        "",
        "- `@dave is not a member of @acme/identity`",
        "- `@pat is the pull request's author`",
        "- `@alice approved bbbbbbb, where the exception differed`",
      ].join("\n"),
    );
    expect(s).toContain(
      "**Who may approve:** an active member of `acme/identity` who is neither the pull request's author nor the author of a commit that changed the exception",
    );
    // Every @ is inside a code span: no mention.
    expect(s.replace(/`[^`]*`/g, "")).not.toContain("@");
  });

  it("succeeds once a member approves the head's exception", () => {
    const exceptions = exceptionsIn(withDpopException);
    const check = approvalCheck({
      exceptions,
      decisions: decide(exceptions, [review("dave", HEAD), review("alice", HEAD)]),
      team: TEAM,
    });
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("1 exception approved");
    expect(check.output.summary).toMatch(/\| ✅ approved \| `alice` \|/);
  });

  it("fails closed on an exception with no decision, and when approvals could not be decided", () => {
    const exceptions = exceptionsIn(withDpopException);
    expect(approvalCheck({ exceptions, decisions: [], team: TEAM }).conclusion).toBe("failure");
    const broken = approvalCheck({
      exceptions,
      decisions: decide(exceptions, [review("alice", HEAD)]),
      team: TEAM,
      error: "the reviews could not be read",
    });
    expect(broken.conclusion).toBe("failure");
    expect(broken.output.summary).toContain(
      "**The approvals could not be decided:** `the reviews could not be read`. Nothing counts as approved.",
    );
  });
});
