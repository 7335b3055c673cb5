// Planning against Okta: reads what the bot owns (or only some integrations), plans, and applies
// the checks that need Okta's answer: the resources-exist check, SUPER_ADMIN only for the bot's own
// app, the bot's own key kept, no deletion while a file's integration is unknown; and reports
// what is refused and left unchecked, with what Okta holds for it. Never prints.
import type { Finding } from "../model/index.js";
import type { ActualState, Plan } from "../reconcile/model.js";
import type { RefusedReport } from "../reconcile/report.js";
import { holdingsOf, holdingsSentence } from "../reconcile/holdings.js";
import { didYouMean } from "../policy/nearest.js";
import { keepOwnKey, plan, removedIntegrations } from "../reconcile/plan.js";
import {
  missingResourceFindings,
  objectsOf,
  RESOURCE_EXISTS_RULE,
  resourcesToCheck,
} from "../reconcile/resources.js";
import {
  deletionGuard,
  deletionGuardMessage,
  rateLimitLeftoverNote,
} from "../reconcile/plan-notes.js";
import type { OktaAdapter } from "../okta/adapter.js";
import { WorkflowError } from "./errors.js";
import { sandboxApprovalLine, type Workspace } from "./workspace.js";

export type { RefusedReport };

/** What planning needs of Okta: the adapter's reads. */
export interface OktaReader {
  adapter: Pick<OktaAdapter, "readAll" | "readIntegrations" | "missingObjects">;
}

/** What a workflow tells of its progress while it runs (a terminal shows it; the App need not). */
export interface Progress {
  /** Reading Okta begins (true) or ends (false). */
  reading?(active: boolean): void;
  /** Operations carried out so far. */
  applying?(done: number, total: number): void;
}

export interface PlanRun {
  plan: Plan;
  actual: ActualState;
  /** Operations left out, and why (refused integrations, unsafe deletions). */
  notes: string[];
  /** Errors found while planning (a resource naming an object that is not in Okta): their
   * integrations are left out of the plan, and apply refuses them. */
  findings: Finding[];
  /** Integrations left alone although they are in scope, with what Okta holds for them and (for a
   * file that loads) the differences from it: reported, never corrected. */
  refused: RefusedReport[];
}

export interface PlanOptions {
  /** Check that the resources of created or changed resource sets exist (not in a drift read). */
  checkResources?: boolean;
  /** Refuse an `only` name that has neither a file nor anything in Okta (the CLI's typo check);
   * off for a pull request's removals of integrations that never reached Okta. */
  checkOnly?: boolean;
  /** For a plan of only some integrations (a pull request's): the app label each had before the
   * change, where it existed then, so that a relabelled app is found and planned as a rename. */
  previousLabels?: ReadonlyMap<string, string>;
}

/**
 * Reads Okta (all of it, or only the `only` integrations) and plans. Integrations the workspace
 * refuses are left out entirely: neither changed nor deleted.
 */
export async function planAgainstOkta(
  ws: Workspace,
  okta: OktaReader,
  only?: Set<string>,
  progress?: Progress,
  options: PlanOptions = {},
): Promise<PlanRun> {
  // A long read (a thousand integrations take a while at Okta's rate) shows its progress.
  progress?.reading?.(true);
  try {
    return await readAndPlan(ws, okta, only, options);
  } finally {
    progress?.reading?.(false);
  }
}

async function readAndPlan(
  ws: Workspace,
  okta: OktaReader,
  only: Set<string> | undefined,
  options: PlanOptions,
): Promise<PlanRun> {
  // Refused integrations are read too (read-only): what Okta holds for them, and their drift, is
  // reported; a refusal never hides live access. Expired exceptions are read as removals are.
  const allDesired = new Map([...ws.desired, ...ws.refusedDesired]);
  const allTokens = new Map([...ws.tokens, ...ws.refusedTokens]);
  const actual = only?.size
    ? await okta.adapter.readIntegrations(
        [...only].map((name) => {
          const adopt = ws.adoptions.get(name);
          return {
            name,
            // No file (a removal): no label to search by; the adapter finds the app by marker.
            ...(allDesired.has(name) ? { label: allDesired.get(name)!.app.label } : {}),
            ...(options.previousLabels?.has(name)
              ? { previousLabel: options.previousLabels.get(name)! }
              : {}),
            ...(adopt ? { adopt } : {}),
          };
        }),
      )
    : await okta.adapter.readAll(
        new Map(
          [...ws.adoptions].filter(
            ([name]) => allDesired.has(name) || allTokens.has(name) || ws.expired.has(name),
          ),
        ),
      );
  if (only?.size && options.checkOnly !== false) checkOnly(ws, only, actual);
  const inOnly = <T>(m: Map<string, T>) =>
    only?.size ? new Map([...m].filter(([name]) => only.has(name))) : m;
  const expired = new Set(inOnly(ws.expired).keys());
  const full = plan(inOnly(allDesired), actual, inOnly(allTokens), {
    expired,
    readOnly: new Set(ws.refused.keys()),
  });
  const notes: string[] = [];
  const leftOut = new Set([...ws.refused.keys()]);
  // Resources must exist: checked only for the resource sets this plan creates or changes.
  const findings: Finding[] = [];
  if (options.checkResources !== false) {
    const toCheck = resourcesToCheck({
      ...full,
      operations: full.operations.filter((o) => !ws.refused.has(o.integration)),
    });
    if (toCheck.size) {
      const missing = await okta.adapter.missingObjects(objectsOf(toCheck));
      findings.push(...missingResourceFindings(toCheck, missing, ws.integrations));
      for (const name of new Set(findings.map((f) => f.integration!))) {
        leftOut.add(name);
        notes.push(
          `${name}: refused, its resource set names objects that are not in Okta (${RESOURCE_EXISTS_RULE}); nothing of it is changed`,
        );
      }
    }
  }
  // SUPER_ADMIN goes only to the app the bot authenticates as. The policy allows it for
  // bot.integration by name; only Okta knows whether that name is the bot's own app: fail closed.
  for (const [name, d] of inOnly(ws.desired)) {
    if (d.role.type !== "SUPER_ADMIN" || name === actual.self || leftOut.has(name)) continue;
    const li = ws.integrations.find((f) => f.integration.metadata.name === name);
    findings.push({
      rule: "role.super-admin",
      severity: "error",
      message: `SUPER_ADMIN is granted only to the app the bot authenticates as, and ${name} is not it: nothing of it is changed`,
      file: li?.file ?? `integrations/${name}.yaml`,
      integration: name,
      ...(li ? li.locate(["spec", "role", "standard"]) : { line: 1, column: 1 }),
    });
    leftOut.add(name);
    notes.push(`${name}: refused, SUPER_ADMIN is only for the bot's own app (role.super-admin)`);
  }
  const removed = new Set(removedIntegrations(full));
  const inScope = (name: string) => actual.scope === "all" || actual.scope.has(name);
  const refused: RefusedReport[] = [];
  for (const [name, why] of ws.refused) {
    if (!inScope(name)) {
      notes.push(`${name}: refused, ${why}`);
      continue;
    }
    const drift = full.operations.filter((o) => o.integration === name);
    const loaded = ws.refusedDesired.has(name) || ws.refusedTokens.has(name);
    refused.push({
      integration: name,
      reason: why,
      holds: holdingsOf(actual.integrations.get(name)),
      drift,
      loaded,
    });
    notes.push(
      `${name}: refused, ${why}; left as it is: ${holdingsSentence(actual.integrations.get(name))}` +
        (loaded
          ? drift.length
            ? `; ${drift.length} difference${drift.length === 1 ? "" : "s"} from its file, not corrected`
            : "; it matches its file"
          : "; its file does not load, so it is not compared"),
    );
  }
  for (const [name, { expires }] of ws.expired) {
    if (!inScope(name)) continue;
    const a = actual.integrations.get(name);
    if (!a?.token)
      notes.push(
        `${name}: the exception expired on ${expires}: its access has ended (Okta holds no token of it); remove the file, or renew it with a new justification and expiry`,
      );
    else if (!a.token.adopt)
      notes.push(
        `${name}: the exception expired on ${expires} (bot.exceptions.onExpiry: revoke): its access ends: the token is revoked, the account's admin role unassigned and its zone removed; the account stays denied interactive sign-in`,
      );
    else {
      // The bot never took the token over: it does not touch it, and says so, failing.
      const why = `the exception expired on ${expires}, and its token never carried the okta-gitops marker, so the bot does not revoke it: revoke it in the Admin Console, then remove the file`;
      refused.push({
        integration: name,
        reason: why,
        holds: holdingsOf(a),
        drift: [],
        loaded: true,
      });
      notes.push(`${name}: ${why}; ${holdingsSentence(a)}`);
    }
  }
  // The planner keeps only the conflicts of such an integration: said, so no one waits for it.
  for (const name of new Set(
    full.operations.filter((o) => o.action === "conflict").map((o) => o.integration),
  ))
    if (!leftOut.has(name))
      notes.push(`${name}: left out, it has a conflict (see the plan); nothing of it is changed`);
  const tokens = inOnly(ws.tokens);
  for (const [name, t] of tokens)
    if (!actual.integrations.get(name)?.token)
      notes.push(
        `${name}: API token ${t.tokenId} is not in Okta: the service account creates it in the Admin Console (the API cannot); its zone is made ready meanwhile`,
      );
  for (const [name, t] of tokens)
    if (!actual.integrations.get(name)?.serviceAccount)
      notes.push(
        `${name}: service account ${t.serviceAccount} is not in Okta: its admin role and interactive-login block wait for it`,
      );
  if (ws.unnamedFailure && removed.size) {
    notes.push(
      `a file could not be read far enough to know its integration: no integration is deleted (${[...removed].join(", ")})`,
    );
    for (const r of removed) leftOut.add(r);
  }
  const operations = full.operations.filter((o) => !leftOut.has(o.integration));
  const leftover = rateLimitLeftoverNote({ operations, integrations: [] }, actual);
  if (leftover) notes.push(leftover);
  const self = actual.self ? ws.desired.get(actual.self) : undefined;
  if (self) {
    const kept = keepOwnKey(self, actual);
    const extra = [
      ...kept.app.jwks
        .filter((k) => !self.app.jwks.some((j) => j.kid === k.kid))
        .map((k) => `key ${k.kid}`),
      ...kept.scopes.filter((s) => !self.scopes.includes(s)),
    ];
    if (extra.length)
      notes.push(
        `${self.name}: the bot's own app keeps what the bot runs with although its file does not list it: ${extra.join(", ")}`,
      );
  }
  const refusedNames = [...new Set([...refused.map((r) => r.integration), ...leftOut])]
    .filter(inScope)
    .sort();
  return {
    plan: {
      operations,
      integrations: full.integrations.filter((n) => !leftOut.has(n)),
      refused: refusedNames,
    },
    actual,
    notes,
    findings,
    refused,
  };
}

/** `--only` names integrations: each must have a file or hold something in Okta (a removal);
 * anything else is a typo that would otherwise plan nothing and say "No changes". */
function checkOnly(ws: Workspace, only: Set<string>, actual: ActualState): void {
  const known = new Set([
    ...ws.desired.keys(),
    ...ws.tokens.keys(),
    ...ws.refused.keys(),
    ...ws.expired.keys(),
    ...ws.integrations.map((i) => i.integration.metadata.name),
  ]);
  for (const name of only) {
    if (known.has(name)) continue;
    const a = actual.integrations.get(name);
    if (a && holdingsOf(a).length) continue;
    throw new WorkflowError(
      `--only ${name}: no integration file and nothing in Okta has that name.${didYouMean(name, known)}`,
    );
  }
}

export function hasChanges(p: Plan): boolean {
  return p.operations.some((o) => o.action !== "conflict");
}

export function hasConflicts(p: Plan): boolean {
  return p.operations.some((o) => o.action === "conflict");
}

export interface PlanReport {
  run: PlanRun;
  /** What the reader should know: the sandbox approvals first, then the run's notes. */
  notes: string[];
  /** What would stop apply, said now (the deletion guard). */
  warnings: string[];
  /** Something was refused, left unchecked, or conflicts: the run fails. */
  failed: boolean;
  changes: boolean;
}

/** `plan`: what apply would change, and what it would refuse or stop at. */
export async function planChange(
  ws: Workspace,
  okta: OktaReader,
  options: {
    only?: Set<string>;
    progress?: Progress;
    checkOnly?: boolean;
    previousLabels?: ReadonlyMap<string, string>;
  } = {},
): Promise<PlanReport> {
  const only = options.only?.size ? options.only : undefined;
  const run = await planAgainstOkta(ws, okta, only, options.progress, {
    ...(options.checkOnly === false ? { checkOnly: false } : {}),
    ...(options.previousLabels ? { previousLabels: options.previousLabels } : {}),
  });
  const sandbox = sandboxApprovalLine(ws);
  const notes = [...(sandbox ? [sandbox] : []), ...run.notes];
  const guard = deletionGuard(run.plan, ws.config.bot.deletionGuard.maxDeletions);
  const warnings = guard.exceeded
    ? [`apply will stop: ${deletionGuardMessage(guard)}; it needs --confirm-deletions`]
    : [];
  return {
    run,
    notes,
    warnings,
    failed:
      ws.refused.size > 0 ||
      run.refused.length > 0 ||
      run.findings.length > 0 ||
      hasConflicts(run.plan),
    changes: hasChanges(run.plan),
  };
}
