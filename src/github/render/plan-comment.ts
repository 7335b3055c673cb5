// The one plan comment on a pull request, updated in place (found by its hidden marker): made for
// one head commit, it holds per integration its exceptions and risk flags first, then before →
// after, and the JSON Patch folded; within GitHub's comment limit, pointing to the check run when
// shortened. An empty plan says so; nothing refused or unchecked is ever hidden behind
// "No changes".
import { mdCode } from "../../render/escape.js";
import {
  exceptionFlags,
  exceptionItems,
  factsOf,
  link,
  MARKERS,
  planMarkdownWithin,
  refusedItems,
  section,
  type PullRequestReport,
} from "./common.js";
import { COMMENT_MAX_CHARS, fitChars } from "./limits.js";

export interface PlanCommentInput extends PullRequestReport {
  /** The head commit the plan was made for. */
  headSha: string;
  /** The `okta-gitops/policy` check run on that commit: it has the findings and the full plan. */
  checkRunUrl?: string;
}

/** A commit id as GitHub gives it: hex only (anything else is not put in the HTML comment). */
const isSha = (s: string) => /^[0-9a-f]{7,64}$/i.test(s);

/** The head commit a plan comment was made for, read back from its hidden line. */
export function planCommentHead(body: string): string | undefined {
  if (!body.startsWith(MARKERS.plan)) return undefined;
  return /^<!-- okta-gitops:head ([0-9a-f]{7,64}) -->$/m.exec(body)?.[1];
}

export function planComment(input: PlanCommentInput): string {
  const facts = factsOf(input);
  const checkRun = link("check run", input.checkRunUrl);
  const sha = isSha(input.headSha) ? input.headSha : "";
  const top = [
    MARKERS.plan,
    ...(sha ? [`<!-- okta-gitops:head ${sha} -->`] : []),
    "### okta-gitops plan",
    "",
    `For commit ${mdCode(input.headSha.slice(0, 40))}. The \`okta-gitops/policy\` ${checkRun} has every finding on its line.`,
    "",
    ...section("Notes", facts.notes),
    ...section("Refused or not checked", refusedItems(input.plan?.run, facts.unchecked)),
    ...section(
      "Needs the Identity team's approval (see `okta-gitops/identity-approval`)",
      exceptionItems(facts.exceptions),
    ),
  ].join("\n");
  const cutNote = (left: number) =>
    `**✂ Cut here:** ${left.toLocaleString("en-US")} more characters do not fit the comment; the ${checkRun} has them.`;
  // The top (notes, refusals, exceptions) takes at most a quarter, the plan's notes an eighth,
  // the plan the rest.
  const head = fitChars(top, COMMENT_MAX_CHARS / 4, cutNote);
  const planNotes = input.plan?.notes ?? [];
  const tail = planNotes.length
    ? fitChars(
        [
          `<details><summary>Notes of the plan (${planNotes.length})</summary>`,
          "",
          ...planNotes.map((n) => `- ${mdCode(n)}`),
          "",
          "</details>",
        ].join("\n"),
        COMMENT_MAX_CHARS / 8,
        cutNote,
      )
    : "";
  let body: string;
  if (facts.plan) {
    const empty =
      !facts.plan.operations.length && !facts.plan.refused?.length
        ? "\n\nThe plan is empty: nothing in Okta changes for this pull request's integrations."
        : "";
    const room = COMMENT_MAX_CHARS - head.length - tail.length - empty.length - 8;
    body =
      planMarkdownWithin(facts.plan, room, "chars", {
        flags: exceptionFlags(facts.findings),
        shortened: `> ⚠️ This plan is shortened to fit GitHub's comment limit (${COMMENT_MAX_CHARS.toLocaleString("en-US")} characters): the largest details are left out. The ${checkRun} has all of it.`,
      }).trimEnd() + empty;
  } else if (facts.unchecked.length) {
    body = "**No plan:** the integrations above were left unchecked.";
  } else if (input.settingsChanged) {
    body =
      "**No integration changes:** only the settings file changed (see the notes above); nothing in Okta changes.";
  } else {
    body = "**Nothing to plan:** this pull request changes no integration and no settings.";
  }
  return fitChars(
    [head.trimEnd(), "", body, ...(tail ? ["", tail] : [])].join("\n") + "\n",
    COMMENT_MAX_CHARS,
    cutNote,
  );
}
