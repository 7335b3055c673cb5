// The one drift issue: what the scheduled drift check found changed by hand in Okta, one row per
// field (Okta's value → the file's), whether it was corrected and, if not, why; and every
// integration refused or left unchecked, named. Clean (nothing drifted, nothing refused or left
// unchecked, no failed correction) is the only state in which the issue is closed.
import { subject } from "../../reconcile/render/index.js";
import { show } from "../../reconcile/render/patch.js";
import type { DriftItem } from "../../reconcile/report.js";
import { mdCode } from "../../render/escape.js";
import { plural } from "../../render/summary.js";
import type { DriftReport } from "../../workflows/drift.js";
import { MARKERS, refusedItems, section, type Unchecked } from "./common.js";
import { COMMENT_MAX_CHARS, fitChars, fitPlain } from "./limits.js";

export interface DriftIssueInput {
  /** The default branch's commit compared with Okta. */
  sha: string;
  /** What `bot.drift.mode` says: correct what drifted, or only report it. */
  mode: "report" | "correct";
  /** The drift check's report; absent when it did not run (see `error`). */
  report?: DriftReport;
  /** Why the drift check did not run (the tree did not load, Okta could not be read). */
  error?: string;
  /** Integrations not corrected because an exception of theirs is not approved, with why. */
  unapproved?: readonly { integration: string; reason: string }[];
  /** Integrations or files left unchecked by the job, and why. */
  unchecked?: readonly Unchecked[];
  /** When it was checked (ISO 8601), from the job's clock. */
  checkedAt?: string;
}

export interface DriftIssue {
  /** false only when Okta matches the default branch and nothing was refused or left
   * unchecked: the open drift issue is then closed, its body replaced by this one. */
  open: boolean;
  title: string;
  body: string;
}

export const DRIFT_TITLE = "okta-gitops: Okta differs from the default branch";

const isSha = (s: string) => /^[0-9a-f]{7,64}$/i.test(s);

/** Whether a drifted field was corrected, and if not, why (plain text). */
function correction(
  item: DriftItem,
  input: DriftIssueInput,
  reasons: ReadonlyMap<string, string>,
): string {
  const reason =
    reasons.get(item.integration) ??
    input.report?.run.refused.find((r) => r.integration === item.integration)?.reason;
  if (item.uncorrected === "refused" || reason)
    return `⛔ not corrected: refused, ${reason ?? "see below"}`;
  if (item.uncorrected === "expired")
    return "⏸ not corrected: the exception expired (apply revokes it)";
  const report = input.report?.report;
  if (!report)
    return input.mode === "report"
      ? "reported only (bot.drift.mode: report)"
      : "⏸ not corrected (nothing was applied)";
  const outcome = report.outcomes.find(
    (o) => o.op.integration === item.integration && subject(o.op) === item.object,
  );
  if (!outcome) return "⏸ not corrected";
  if (outcome.status === "done") return "✅ corrected";
  return `❌ ${outcome.status === "failed" ? "correction failed" : "correction skipped"}: ${outcome.detail ?? ""}`.trim();
}

/** The field's name, or what a missing object is. */
const fieldOf = (i: DriftItem) =>
  i.field || (i.okta === undefined ? "(missing in Okta)" : "(not in the repository)");

export function driftIssue(input: DriftIssueInput): DriftIssue {
  const run = input.report?.run;
  const items = input.report?.items ?? [];
  const reasons = new Map((input.unapproved ?? []).map((u) => [u.integration, u.reason]));
  const refused = refusedItems(run, input.unchecked, reasons);
  const rows = items.map((i) => ({ item: i, corrected: correction(i, input, reasons) }));
  const left = rows.filter((r) => !r.corrected.startsWith("✅")).length;
  const failedCorrection =
    (input.report?.report?.failed ?? 0) + (input.report?.report?.skipped ?? 0) > 0;
  const clean =
    input.error === undefined &&
    input.report !== undefined &&
    !input.report.failed &&
    !failedCorrection &&
    left === 0 &&
    refused.length === 0;
  const sha = isSha(input.sha) ? input.sha.slice(0, 7) : "(unknown commit)";
  const when = input.checkedAt ? ` at ${mdCode(input.checkedAt)}` : "";
  const headline =
    input.error !== undefined
      ? `**The drift check did not run:** ${mdCode(input.error)}. Okta is not known to match the default branch.`
      : clean
        ? items.length
          ? `**Okta matches the default branch again:** ${plural(items.length, "difference")} corrected.`
          : "**No drift: Okta matches the default branch.**"
        : `**${plural(items.length, "difference")} between Okta and the default branch**, ${items.length - left} corrected, ${left} not corrected${refused.length ? `; ${plural(refused.length, "integration")} refused or not checked` : ""}.`;
  const lines = [
    MARKERS.drift,
    "### Drift between Okta and the default branch",
    "",
    `Commit ${mdCode(sha)} compared with Okta${when}; \`bot.drift.mode: ${input.mode}\`.`,
    "",
    headline,
    "",
    ...(rows.length
      ? [
          "| integration | object | field | Okta's value → the file's | corrected |",
          "|---|---|---|---|---|",
          ...rows.map(
            ({ item: i, corrected }) =>
              `| ${mdCode(i.integration)} | ${mdCode(i.object)} | ${mdCode(fieldOf(i))} | ${mdCode(fitPlain(`${show(i.okta)} → ${show(i.repository)}`, 2000, "chars"))} | ${mdCode(fitPlain(corrected, 2000, "chars"))} |`,
          ),
          "",
        ]
      : []),
    ...section("Refused or not checked (Okta is not known to match for these)", refused),
    ...section(
      "Notes",
      (run?.notes ?? []).map((n) => `- ${mdCode(n)}`),
    ),
    clean
      ? "This issue is closed: the next drift found opens it again."
      : "This issue is updated by every drift check, and closed when Okta is clean again.",
  ];
  return {
    open: !clean,
    title: clean ? DRIFT_TITLE : `${DRIFT_TITLE} (${plural(items.length, "difference")})`,
    body: fitChars(
      lines.join("\n"),
      COMMENT_MAX_CHARS,
      (n) =>
        `**✂ Cut here:** ${n.toLocaleString("en-US")} more characters do not fit an issue; \`okta-gitops drift --format json\` lists every difference.`,
    ),
  };
}
