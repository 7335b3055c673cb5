// What the check runs, comments and issues share: the hidden markers the App finds its own posts
// by, findings and refusals as escaped Markdown, the plan's Markdown fitted to a limit, and a
// safe link. Every piece of text from the files, Okta or GitHub goes through src/render/escape.ts.
import type { Finding } from "../../model/index.js";
import type { Plan } from "../../reconcile/model.js";
import {
  renderMarkdown,
  summarise,
  summaryLine,
  type MarkdownExtras,
} from "../../reconcile/render/index.js";
import { mdCode } from "../../render/escape.js";
import type { PlanReport, PlanRun } from "../../workflows/plan.js";
import { plural } from "../../render/summary.js";
import { fitMarkdown, utf8Bytes, type Unit } from "./limits.js";

/** Hidden markers: the App finds its own comment or issue by these (and by its own login). */
export const MARKERS = {
  plan: "<!-- okta-gitops:plan -->",
  apply: "<!-- okta-gitops:apply -->",
  applyFailure: "<!-- okta-gitops:apply-failure -->",
  drift: "<!-- okta-gitops:drift -->",
} as const;

/** An integration, or a file, left unchecked by the job (it never reached the plan), and why. */
export interface Unchecked {
  /** The integration's name, or a file's path when no name is known. */
  integration: string;
  reason: string;
}

/** `file:line:column` of a finding, as a code span. */
export const where = (f: Pick<Finding, "file" | "line" | "column">): string =>
  mdCode(`${f.file}:${f.line}:${f.column}`);

/** A finding as one Markdown list item. */
export const findingItem = (f: Finding): string =>
  `- ${where(f)} ${mdCode(f.rule)} ${f.severity}: ${mdCode(f.message)}`;

/** The findings that need the Identity team's approval, by integration (or file). */
export function exceptionsByIntegration(findings: readonly Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings)
    if (f.requiresApproval) {
      const key = f.integration ?? f.file;
      m.set(key, [...(m.get(key) ?? []), f]);
    }
  return m;
}

/** The exceptions of each integration, as the first line under its header in the plan. */
export function exceptionFlags(findings: readonly Finding[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (const [name, fs] of exceptionsByIntegration(findings))
    flags.set(name, [
      `**Exception, needs the Identity team's approval:** ${fs.map((f) => `⚠️ ${mdCode(f.rule)} at ${where(f)}`).join(" · ")}`,
    ]);
  return flags;
}

/** Refused integrations (with why) and those left unchecked: named, never hidden. */
export function refusedItems(
  run: PlanRun | undefined,
  unchecked: readonly Unchecked[] = [],
  /** Reasons that replace the run's, by integration (an approval the App looked for). */
  reasons: ReadonlyMap<string, string> = new Map(),
): string[] {
  const items: string[] = [];
  const seen = new Set<string>();
  for (const r of run?.refused ?? []) {
    seen.add(r.integration);
    // What Okta still holds of it: a refusal never hides live access.
    const holds = r.holds.length
      ? `Okta still holds ${r.holds.map(mdCode).join("; ")}`
      : "Okta holds nothing under its marker";
    const drift = r.loaded
      ? r.drift.length
        ? `; ${plural(r.drift.length, "difference")} from its file, not corrected`
        : ""
      : "; its file does not load, so it is not compared";
    const reason = reasons.get(r.integration) ?? r.reason;
    items.push(`- ${mdCode(r.integration)}: refused, ${mdCode(reason)}. ${holds}${drift}.`);
  }
  // Refused by the workspace or left out while planning (the run's notes say why).
  for (const name of run?.plan.refused ?? []) {
    if (seen.has(name)) continue;
    seen.add(name);
    const note = run?.notes.find((n) => n.startsWith(`${name}: `));
    const reason = reasons.get(name);
    items.push(
      `- ${mdCode(name)}: ${reason ? `refused, ${mdCode(reason)}` : note ? mdCode(note.slice(name.length + 2)) : "refused (see the notes)"}`,
    );
  }
  for (const [name, reason] of reasons)
    if (!seen.has(name)) {
      seen.add(name);
      items.push(`- ${mdCode(name)}: refused, ${mdCode(reason)}`);
    }
  for (const u of unchecked)
    if (!seen.has(u.integration))
      items.push(`- ${mdCode(u.integration)}: not checked, ${mdCode(u.reason)}`);
  return items;
}

/** The plan with the unchecked integrations counted as refused: its summary line then never
 * says "No changes" while anything was left unchecked. */
export function planWithUnchecked(plan: Plan, unchecked: readonly Unchecked[] = []): Plan {
  if (!unchecked.length) return plan;
  const refused = [...new Set([...(plan.refused ?? []), ...unchecked.map((u) => u.integration)])];
  return { ...plan, refused };
}

/** The plan's Markdown (the renderer of `plan --format markdown`) within `max` units: the
 * renderer shortens it by whole details, measured in characters; where bytes are the unit, the
 * limit it is given is narrowed until the bytes fit, and a cut (said at the cut) is the last
 * resort. */
export function planMarkdownWithin(
  plan: Plan,
  max: number,
  unit: Unit,
  extras: MarkdownExtras,
): string {
  const size = (s: string) => (unit === "bytes" ? utf8Bytes(s) : s.length);
  let limit = max;
  let md = renderMarkdown(plan, limit, extras);
  // Bounded: each round narrows the limit by the measured excess.
  for (let round = 0; round < 6 && size(md) > max; round++) {
    limit = Math.max(1, Math.floor((limit * max) / size(md)) - 256);
    md = renderMarkdown(plan, limit, extras);
  }
  return fitMarkdown(md, max, unit);
}

/** A Markdown link to a page of GitHub's (a check run, a pull request), when the address is a
 * plain http(s) URL; otherwise the address as inert code. */
export function link(text: string, url: string | undefined): string {
  if (!url) return text;
  return /^https?:\/\/[A-Za-z0-9.:-]+(\/[A-Za-z0-9._~%/+-]*)?(\?[A-Za-z0-9._~%=&+-]*)?(#[A-Za-z0-9._~%-]*)?$/.test(
    url,
  )
    ? `[${text}](${url})`
    : `${text} (${mdCode(url)})`;
}

/** A bullet list under a bold heading, or nothing. */
export function section(heading: string, items: readonly string[]): string[] {
  return items.length ? [`**${heading}**`, "", ...items, ""] : [];
}

/** What the pull-request job found, as the policy check and the plan comment both show it. */
export interface PullRequestReport {
  /** The findings of the whole tree at the head commit (the workspace's); the plan's own
   * findings (resources.exist, role.super-admin) are taken from `plan`. */
  findings: readonly Finding[];
  /** The integrations the pull request adds, changes or removes, compared with the merge base. */
  touched: readonly string[];
  /** The pull request changes the settings file: it is checked under the default branch's. */
  settingsChanged: boolean;
  /** The plan of the touched integrations; absent when none was made (see `unplanned`). */
  plan?: PlanReport;
  /** Why no plan was made although something was touched (Okta could not be read, say). */
  unplanned?: string;
  /** Integrations or files the job left unchecked, and why. */
  unchecked?: readonly Unchecked[];
  /** The job's own notes (a pull request from a fork is never applied, ...), plain text. */
  notes?: readonly string[];
}

/** The report's facts, worked out once for every renderer. */
export interface PullRequestFacts {
  findings: Finding[];
  touchedNothing: boolean;
  /** Left unchecked: the job's, and every touched integration when no plan was made. */
  unchecked: Unchecked[];
  exceptions: Map<string, Finding[]>;
  /** Notes for the top: the settings, nothing touched, no plan, the job's, the plan's warnings. */
  notes: string[];
  /** The plan with the unchecked counted as refused, when there is one. */
  plan?: Plan;
}

export function factsOf(input: PullRequestReport): PullRequestFacts {
  const findings = [...input.findings, ...(input.plan?.run.findings ?? [])];
  const touchedNothing = input.touched.length === 0 && !input.settingsChanged;
  const unchecked = [
    ...(input.unchecked ?? []),
    // Touched but not planned: never passed over in silence.
    ...(!input.plan
      ? input.touched.map((integration) => ({
          integration,
          reason: input.unplanned ?? "no plan was made",
        }))
      : []),
  ];
  const notes: string[] = [];
  if (input.settingsChanged)
    notes.push(
      "- The settings file (`.okta-gitops.yml`) changed in this pull request: checked under the default branch's settings until merged, and the change needs the Identity team's approval.",
    );
  if (touchedNothing)
    notes.push("- This pull request changes no integration and no settings: nothing is planned.");
  if (input.unplanned) notes.push(`- No plan was made: ${mdCode(input.unplanned)}`);
  for (const n of input.notes ?? []) notes.push(`- ${mdCode(n)}`);
  for (const w of input.plan?.warnings ?? []) notes.push(`- ⚠️ ${mdCode(w)}`);
  return {
    findings,
    touchedNothing,
    unchecked,
    exceptions: exceptionsByIntegration(findings),
    notes,
    ...(input.plan ? { plan: planWithUnchecked(input.plan.run.plan, unchecked) } : {}),
  };
}

/** The exceptions to approve, one item per integration with its rules and places. */
export const exceptionItems = (exceptions: ReadonlyMap<string, readonly Finding[]>): string[] =>
  [...exceptions].map(
    ([name, fs]) =>
      `- ${mdCode(name)}: ${fs.map((f) => `${mdCode(f.rule)} at ${where(f)}`).join(", ")}`,
  );

/** One line: how much was planned, or why nothing was. */
export function planLine(facts: PullRequestFacts): string {
  if (facts.plan) return summaryLine(summarise(facts.plan));
  if (facts.unchecked.length)
    return `Not planned: ${plural(facts.unchecked.length, "integration")} left unchecked.`;
  return "";
}
