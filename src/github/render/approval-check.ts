// The `okta-gitops/identity-approval` check run: neutral when the pull request needs no approval,
// failing (so that branch protection can require it) until every exception at the head is
// approved, and saying for each one its state, who approved it, why other reviews did not count,
// and who may approve it. Logins and the team are shown as code: the check never mentions anyone.
import type { ApprovalDecision } from "../approval.js";
import type { ExceptionEntry } from "../../policy/exceptions.js";
import { mdCode } from "../../render/escape.js";
import { plural } from "../../render/summary.js";
import type { CheckConclusion, CheckOutput } from "../port.js";
import { section } from "./common.js";
import { fitBytes, fitPlain, SUMMARY_MAX_BYTES } from "./limits.js";

export const APPROVAL_CHECK = "okta-gitops/identity-approval";

export interface ApprovalCheckInput {
  /** The exceptions at the head commit (the settings' too, when the pull request changes them). */
  exceptions: readonly ExceptionEntry[];
  /** decideApprovals' answer for them. */
  decisions: readonly ApprovalDecision[];
  /** The Identity team, `org/slug`. */
  team: string;
  /** Why the approvals could not be decided (the reviews could not be read, ...): it fails. */
  error?: string;
}

export interface ApprovalCheck {
  conclusion: CheckConclusion;
  output: CheckOutput;
}

export function approvalCheck(input: ApprovalCheckInput): ApprovalCheck {
  const decided = new Map(input.decisions.map((d) => [d.key, d]));
  // An exception without a decision is not approved: fail closed.
  const rows = input.exceptions.map((e) => ({ e, d: decided.get(e.key) }));
  const approved = rows.filter((r) => r.d?.approved).length;
  const total = rows.length;
  const conclusion: CheckConclusion =
    input.error !== undefined
      ? "failure"
      : total === 0
        ? "neutral"
        : approved === total
          ? "success"
          : "failure";
  const title =
    input.error !== undefined
      ? "Approvals could not be decided"
      : total === 0
        ? "No exception needs approval"
        : approved === total
          ? `${plural(total, "exception")} approved`
          : `${approved} of ${plural(total, "exception")} approved`;
  const team = mdCode(input.team);
  const summary = [
    input.error !== undefined
      ? `**The approvals could not be decided:** ${mdCode(input.error)}. Nothing counts as approved.`
      : total === 0
        ? "**No exception needs approval:** this pull request adds or changes no exception, no adoption and no settings."
        : `**${approved} of ${plural(total, "exception")} approved** by the Identity team (${team}).`,
    "",
    ...(total
      ? [
          "| exception | where | rules | state | approved by |",
          "|---|---|---|---|---|",
          ...rows.map(
            ({ e, d }) =>
              `| ${mdCode(e.key)} | ${mdCode(`${e.file}:${e.line}`)} | ${e.rules.map(mdCode).join(", ")} | ${input.error !== undefined ? "⏳ undecided" : d?.approved ? "✅ approved" : "⏳ needs approval"} | ${(d?.approvedBy ?? []).map(mdCode).join(", ")} |`,
          ),
          "",
          `**Who may approve:** an active member of ${team} who is neither the pull request's author nor the author of a commit that changed the exception, by an approving review of a commit where the exception is as it is now. A later commit that changes the exception clears its approval; one that leaves it alone keeps it.`,
          "",
        ]
      : []),
    ...rows.flatMap(({ e, d }) =>
      section(
        `Reviews that do not count for ${mdCode(e.key)}`,
        (d ? d.notes : ["no decision was made for it, so it is not approved"]).map(
          (n) => `- ${mdCode(fitPlain(n, 2000, "chars"))}`,
        ),
      ),
    ),
  ].join("\n");
  return {
    conclusion,
    output: { title, summary: fitBytes(summary, SUMMARY_MAX_BYTES) },
  };
}
