// The `okta-gitops/policy` check run of a pull request's head: every finding as an annotation on
// its line, a summary with the counts, the exceptions that need the Identity team's approval and
// everything refused or left unchecked, and the full plan as its text; all within GitHub's byte
// limits, saying where it was cut.
import type { Finding, Severity } from "../../model/index.js";
import { hasConflicts } from "../../workflows/plan.js";
import { mdCode, terminalText } from "../../render/escape.js";
import { plural, summarize } from "../../render/summary.js";
import type { Annotation, CheckConclusion, CheckOutput } from "../port.js";
import {
  exceptionFlags,
  exceptionItems,
  factsOf,
  findingItem,
  planLine,
  planMarkdownWithin,
  refusedItems,
  section,
  type PullRequestReport,
} from "./common.js";
import {
  ANNOTATION_MESSAGE_MAX_BYTES,
  ANNOTATION_TITLE_MAX,
  fitBytes,
  fitPlain,
  SUMMARY_MAX_BYTES,
  TEXT_MAX_BYTES,
} from "./limits.js";

export const POLICY_CHECK = "okta-gitops/policy";

export interface PolicyCheckInput extends PullRequestReport {
  /** How many files were checked. */
  files: number;
}

export interface PolicyCheck {
  conclusion: CheckConclusion;
  output: CheckOutput;
}

const LEVEL: Record<Severity, Annotation["annotation_level"]> = {
  error: "failure",
  warning: "warning",
  notice: "notice",
};

/** Plain text for an annotation (GitHub shows it as it is, not as Markdown): one line, with every
 * control character (ANSI escapes, bidi controls) as U+FFFD. */
const plain = (s: string): string => terminalText(s.replace(/\r\n|[\r\n]/g, " "));

/** A finding as an annotation at file:line:column; columns only on a one-line span, as GitHub
 * takes them. */
export function annotationOf(f: Finding): Annotation {
  const start = Math.max(1, f.line);
  const end = Math.max(start, f.endLine ?? start);
  const column = Math.max(1, f.column);
  return {
    path: plain(f.file),
    start_line: start,
    end_line: end,
    ...(end === start
      ? { start_column: column, end_column: Math.max(column, f.endColumn ?? column) }
      : {}),
    annotation_level: LEVEL[f.severity],
    message: fitPlain(plain(f.message), ANNOTATION_MESSAGE_MAX_BYTES, "bytes"),
    title: fitPlain(plain(f.rule), ANNOTATION_TITLE_MAX, "chars"),
  };
}

export function policyCheck(input: PolicyCheckInput): PolicyCheck {
  const facts = factsOf(input);
  const { findings, exceptions, unchecked, plan } = facts;
  const counts = summarize(findings, input.files);
  // Failure: errors, conflicts with Okta, and anything refused for another reason than an
  // approval still to come (the approval check covers those) or left unchecked: fail closed.
  const approvalOnly = (name: string) =>
    exceptions.has(name) &&
    !findings.some((f) => f.severity === "error" && (f.integration ?? f.file) === name);
  const otherRefusals = (input.plan?.run.refused ?? []).filter((r) => !approvalOnly(r.integration));
  const conflicts = plan ? hasConflicts(plan) : false;
  const failing =
    counts.errors > 0 || conflicts || otherRefusals.length > 0 || unchecked.length > 0;
  const conclusion: CheckConclusion = failing
    ? "failure"
    : facts.touchedNothing
      ? "neutral"
      : "success";

  const countLine = `${plural(counts.errors, "error")}, ${plural(counts.warnings, "warning")}, ${plural(counts.notices, "notice")} in ${plural(counts.files, "file")}`;
  const title =
    conclusion === "neutral"
      ? "No integration or settings changed"
      : `${countLine}${exceptions.size ? `; ${plural(exceptions.size, "exception")} to approve` : ""}`;
  const why: string[] = [];
  if (counts.errors) why.push(`- ${plural(counts.errors, "error")} must be fixed.`);
  if (conflicts) why.push("- The plan has conflicts with Okta (see the plan).");
  if (otherRefusals.length || unchecked.length)
    why.push("- Integrations are refused or left unchecked (listed below).");
  const head = planLine(facts);
  const summary = [
    `**${countLine}.**${head ? ` ${head}` : ""}`,
    "",
    ...(conclusion === "failure" ? section("Why it fails", why) : []),
    ...section("Notes", facts.notes),
    ...section("Refused or not checked", refusedItems(input.plan?.run, unchecked)),
    ...section(
      "Needs the Identity team's approval (see `okta-gitops/identity-approval`)",
      exceptionItems(exceptions),
    ),
    ...section(
      "Plan notes",
      (input.plan?.notes ?? []).map((n) => `- ${mdCode(n)}`),
    ),
    ...section("Findings", findings.filter((f) => !f.requiresApproval).map(findingItem)),
  ].join("\n");

  const text = plan
    ? planMarkdownWithin(plan, TEXT_MAX_BYTES, "bytes", {
        flags: exceptionFlags(findings),
        shortened: `> ⚠️ This plan is shortened to fit GitHub's limit of ${TEXT_MAX_BYTES.toLocaleString("en-US")} bytes for a check run's text: the largest details are left out. \`okta-gitops plan --format json\` has all of it.`,
      })
    : undefined;
  return {
    conclusion,
    output: {
      title,
      summary: fitBytes(summary, SUMMARY_MAX_BYTES),
      ...(text !== undefined ? { text } : {}),
      annotations: findings.map(annotationOf),
    },
  };
}
