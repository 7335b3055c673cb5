// What an apply on a push to the default branch reports, in three places: the `okta-gitops/apply`
// check run on the pushed commit, a comment on the merged pull request, and (when it failed) the
// one apply-failure issue. Per integration: applied, refused (and why), or failed (and where).
import type { Finding } from "../../model/index.js";
import type { Operation } from "../../reconcile/model.js";
import { subject, summarise, summaryCounts } from "../../reconcile/render/index.js";
import { mdCode } from "../../render/escape.js";
import { plural } from "../../render/summary.js";
import type { ApplyResult } from "../../workflows/apply.js";
import type { CheckConclusion, CheckOutput } from "../port.js";
import { findingItem, link, MARKERS, section } from "./common.js";
import {
  COMMENT_MAX_CHARS,
  fitBytes,
  fitChars,
  fitPlain,
  SUMMARY_MAX_BYTES,
  TEXT_MAX_BYTES,
} from "./limits.js";

export const APPLY_CHECK = "okta-gitops/apply";

export interface ApplyReportInput {
  /** The pushed commit that was applied. */
  sha: string;
  /** The apply's result; absent when the apply did not run (see `error`). */
  result?: ApplyResult;
  /** Integrations refused because an exception of theirs is not approved (by a merged pull
   * request or the approval record), with why: they are refused whatever the run says. */
  unapproved: readonly { integration: string; reason: string }[];
  /** Why the apply did not run at all (the tree did not load, Okta could not be read). */
  error?: string;
  /** The tree's findings at the pushed commit (its errors refuse their integrations). */
  findings?: readonly Finding[];
  /** The check run on the commit, for the comment and the issue to point to. */
  checkRunUrl?: string;
  /** The merged pull request, when the push is one. */
  pullRequest?: { number: number; url?: string };
  /** The job's own notes (another repository's installation never applies, ...). */
  notes?: readonly string[];
}

export type IntegrationStatus = "applied" | "refused" | "failed" | "not-applied";

export interface IntegrationOutcome {
  integration: string;
  status: IntegrationStatus;
  /** Operations carried out, for an applied or failed one. */
  done: number;
  /** Why (refused, failed, not applied), plain text from the run or Okta. */
  detail: string;
}

const ICON: Record<IntegrationStatus, string> = {
  applied: "✅ applied",
  refused: "⛔ refused",
  failed: "❌ failed",
  "not-applied": "⏸ not applied",
};

const isSha = (s: string) => /^[0-9a-f]{7,64}$/i.test(s);
const short = (sha: string) => (isSha(sha) ? sha.slice(0, 7) : "(unknown commit)");

/** Per integration, what happened: the refused first (never hidden), then the failed, the not
 * applied and the applied. Integrations with nothing to change are only counted. */
export function applyOutcomes(input: ApplyReportInput): IntegrationOutcome[] {
  const out = new Map<string, IntegrationOutcome>();
  const set = (o: IntegrationOutcome) => {
    const had = out.get(o.integration);
    // A refusal outranks anything else said of the integration.
    if (!had || (o.status === "refused" && had.status !== "refused")) out.set(o.integration, o);
  };
  for (const u of input.unapproved)
    set({ integration: u.integration, status: "refused", done: 0, detail: u.reason });
  const run = input.result?.run;
  for (const r of run?.refused ?? [])
    set({ integration: r.integration, status: "refused", done: 0, detail: r.reason });
  for (const name of run?.plan.refused ?? []) {
    const note = run?.notes.find((n) => n.startsWith(`${name}: `));
    set({
      integration: name,
      status: "refused",
      done: 0,
      detail: note ? note.slice(name.length + 2) : "refused",
    });
  }
  for (const [name, ops] of byIntegration(run?.plan.operations ?? [])) {
    const conflict = ops.find((o) => o.action === "conflict");
    if (conflict) {
      set({
        integration: name,
        status: "refused",
        done: 0,
        detail: `conflict: ${subject(conflict)}: ${conflict.reason ?? ""}`,
      });
      continue;
    }
    const result = input.result!;
    if (result.outcome !== "applied") {
      set({
        integration: name,
        status: "not-applied",
        done: 0,
        detail:
          result.outcome === "deletion-guard"
            ? result.message
            : result.outcome === "declined"
              ? "the apply was declined"
              : "nothing to change",
      });
      continue;
    }
    const outcomes = result.report.outcomes.filter((o) => o.op.integration === name);
    const done = outcomes.filter((o) => o.status === "done").length;
    const bad =
      outcomes.find((o) => o.status === "failed") ?? outcomes.find((o) => o.status !== "done");
    set(
      bad
        ? {
            integration: name,
            status: "failed",
            done,
            detail: `${bad.status} ${bad.op.action} ${subject(bad.op)}: ${bad.detail ?? ""}`,
          }
        : { integration: name, status: "applied", done, detail: "" },
    );
  }
  const rank: Record<IntegrationStatus, number> = {
    refused: 0,
    failed: 1,
    "not-applied": 2,
    applied: 3,
  };
  return [...out.values()].sort(
    (a, b) => rank[a.status] - rank[b.status] || a.integration.localeCompare(b.integration),
  );
}

function byIntegration(ops: readonly Operation[]): Map<string, Operation[]> {
  const m = new Map<string, Operation[]>();
  for (const o of ops) m.set(o.integration, [...(m.get(o.integration) ?? []), o]);
  return m;
}

/** The apply failed (or refused something): the check fails and the failure issue is open. */
export function applyFailed(input: ApplyReportInput): boolean {
  return (
    input.error !== undefined ||
    !input.result ||
    input.result.failed ||
    input.unapproved.length > 0 ||
    applyOutcomes(input).some((o) => o.status !== "applied")
  );
}

/** One line: what the apply did. */
function headline(input: ApplyReportInput, outcomes: IntegrationOutcome[]): string {
  if (input.error !== undefined) return `Nothing was applied: ${mdCode(input.error)}`;
  const n = (s: IntegrationStatus) => outcomes.filter((o) => o.status === s).length;
  const counts = `${plural(n("applied"), "integration")} applied, ${n("refused")} refused, ${n("failed")} failed`;
  const result = input.result;
  if (!result) return `Nothing was applied. ${counts}.`;
  if (result.outcome === "applied") {
    const r = result.report;
    return `${counts}: ${r.done} of ${r.outcomes.length} operations done, ${r.failed} failed, ${r.skipped} skipped (planned: ${summaryCounts(summarise(result.run.plan))}).`;
  }
  if (result.outcome === "deletion-guard")
    return `Nothing was applied: ${mdCode(result.message)}. ${counts}.`;
  if (result.outcome === "declined") return `Nothing was applied. ${counts}.`;
  // Nothing to change: "Okta matches" only when nothing at all was refused or failed.
  return outcomes.length || result.failed
    ? `Nothing to change for the integrations that may be applied; ${counts}.`
    : "Nothing to change: Okta matches the repository.";
}

function table(outcomes: IntegrationOutcome[]): string[] {
  if (!outcomes.length) return [];
  return [
    "| integration | outcome | detail |",
    "|---|---|---|",
    ...outcomes.map(
      (o) =>
        `| ${mdCode(o.integration)} | ${ICON[o.status]}${o.done ? ` (${plural(o.done, "operation")})` : ""} | ${o.detail.trim() ? mdCode(fitPlain(o.detail.trim(), 2000, "chars")) : ""} |`,
    ),
    "",
  ];
}

/** The report's Markdown, shared by the check, the comment and the issue. */
function reportMarkdown(input: ApplyReportInput): string[] {
  const outcomes = applyOutcomes(input);
  const errors = (input.findings ?? []).filter((f) => f.severity === "error");
  return [
    `**${headline(input, outcomes)}**`,
    "",
    ...table(outcomes),
    ...section(
      "Notes",
      [...(input.notes ?? []), ...(input.result?.run.notes ?? [])].map((n) => `- ${mdCode(n)}`),
    ),
    ...section("Errors in the files", errors.map(findingItem)),
  ];
}

export interface ApplyCheck {
  conclusion: CheckConclusion;
  output: CheckOutput;
}

export function applyCheck(input: ApplyReportInput): ApplyCheck {
  const failed = applyFailed(input);
  const outcomes = applyOutcomes(input);
  const n = (s: IntegrationStatus) => outcomes.filter((o) => o.status === s).length;
  const title =
    input.error !== undefined || !input.result
      ? "Nothing applied"
      : `${n("applied")} applied, ${n("refused")} refused, ${n("failed")} failed`;
  const result = input.result;
  // Every operation's outcome, for the record.
  const text =
    result?.outcome === "applied"
      ? fitBytes(
          [
            "| integration | operation | outcome | detail |",
            "|---|---|---|---|",
            ...result.report.outcomes.map(
              (o) =>
                `| ${mdCode(o.op.integration)} | ${mdCode(`${o.op.action} ${subject(o.op)}`)} | ${o.status} | ${o.detail ? mdCode(o.detail) : ""} |`,
            ),
          ].join("\n"),
          TEXT_MAX_BYTES,
        )
      : undefined;
  return {
    conclusion: failed ? "failure" : "success",
    output: {
      title,
      summary: fitBytes(
        [`Commit ${mdCode(short(input.sha))}.`, "", ...reportMarkdown(input)].join("\n"),
        SUMMARY_MAX_BYTES,
      ),
      ...(text !== undefined ? { text } : {}),
    },
  };
}

const cutNote = (input: ApplyReportInput) => (left: number) =>
  `**✂ Cut here:** ${left.toLocaleString("en-US")} more characters do not fit; the ${link("check run", input.checkRunUrl)} has them.`;

/** The comment on the merged pull request: what was applied, refused and why. */
export function applyComment(input: ApplyReportInput): string {
  return fitChars(
    [
      MARKERS.apply,
      "### okta-gitops apply",
      "",
      `Commit ${mdCode(short(input.sha))} on the default branch; the ${link("check run", input.checkRunUrl)} has every operation.`,
      "",
      ...reportMarkdown(input),
    ].join("\n"),
    COMMENT_MAX_CHARS,
    cutNote(input),
  );
}

/** The one issue an apply failure opens (or updates); the next apply that succeeds closes it. */
export function applyFailureIssue(input: ApplyReportInput): { title: string; body: string } {
  const pr = input.pullRequest;
  return {
    title: `okta-gitops: the apply of ${short(input.sha)} failed`,
    body: fitChars(
      [
        MARKERS.applyFailure,
        "### The apply to Okta failed",
        "",
        `Commit ${mdCode(short(input.sha))}${pr ? ` (pull request ${link(`#${pr.number}`, pr.url)})` : ""}; the ${link("check run", input.checkRunUrl)} has every operation. Okta is not known to match the default branch until an apply succeeds: the next one that does closes this issue.`,
        "",
        ...reportMarkdown(input),
      ].join("\n"),
      COMMENT_MAX_CHARS,
      cutNote(input),
    ),
  };
}

/** The apply-failure issue's last body, when an apply succeeds again (the job then closes it). */
export function applyRecoveredIssue(input: ApplyReportInput): { title: string; body: string } {
  return {
    title: `okta-gitops: the apply failed, and ${short(input.sha)} applied cleanly`,
    body: fitChars(
      [
        MARKERS.applyFailure,
        "### The apply to Okta succeeded again",
        "",
        `Commit ${mdCode(short(input.sha))} was applied with nothing refused or failed; the ${link("check run", input.checkRunUrl)} has every operation. This issue is closed; the next failed apply opens a new one.`,
        "",
        ...reportMarkdown(input),
      ].join("\n"),
      COMMENT_MAX_CHARS,
      cutNote(input),
    ),
  };
}
