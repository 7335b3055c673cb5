// Bootstrap: the bot's own API Service App, made once by an admin, from the bot's own integration
// file (`bot.integration`), through the reconciler's own planner and writers: what is created is
// exactly what `apply` would create for that file (zone, app with its marker, grants, role, rate
// share), plus the key the bot will sign with, which the planner keeps on the bot's own app
// (keepOwnKey) whether or not the file lists it. So the bot owns it from its first run, and
// `plan` then has nothing to change. Never prints.
import { isBlocking, type Finding } from "../model/index.js";
import { apply, type ApplyReport } from "../reconcile/apply.js";
import type { ActualState, DesiredIntegration, JwkState, Plan } from "../reconcile/model.js";
import { keepOwnKey, plan } from "../reconcile/plan.js";
import { refsOf, type OktaAdapter } from "../okta/adapter.js";
import type { Workspace } from "./workspace.js";

/** The bot's integration, ready to be made, or why not (before anything is asked of Okta). */
export type BootstrapTarget =
  | { ok: true; name: string; file: string; desired: DesiredIntegration }
  | { ok: false; reason: string; findings: Finding[] };

/** What bootstrap needs of Okta: reads and the writers, as an admin. */
export interface BootstrapOkta {
  adapter: Pick<OktaAdapter, "readIntegrations" | "execute" | "findCreated">;
}

export type BootstrapResult =
  /** Nothing was changed in Okta. */
  | { outcome: "refused"; reason: string }
  /** Some operations failed: `appId` is set when the app was made all the same. */
  | { outcome: "failed"; report: ApplyReport; appId?: string; reason: string }
  | {
      outcome: "created";
      report: ApplyReport;
      appId: string;
      clientId: string;
      scopes: string[];
      keyId: string;
    };

/** The bot's file must load and pass the policy, with its exceptions approved, as any file. */
export function bootstrapTarget(ws: Workspace): BootstrapTarget {
  const name = ws.config.bot.integration;
  const file = `integrations/${name}.yaml`;
  const loaded = ws.integrations.find((i) => i.integration.metadata.name === name);
  const mine = (f: Finding) =>
    f.file === file || f.integration === name || (loaded !== undefined && f.file === loaded.file);
  const findings = ws.findings.filter((f) => isBlocking(f) && mine(f));
  if (findings.length)
    return {
      ok: false,
      reason: `${file} breaks the policy (${findings.length} error${findings.length === 1 ? "" : "s"}): nothing was created`,
      findings,
    };
  const refused = ws.refused.get(name);
  if (refused) return { ok: false, reason: `${name}: refused, ${refused}`, findings: [] };
  const desired = ws.desired.get(name);
  if (!desired)
    return {
      ok: false,
      reason: loaded
        ? `${loaded.file} is not an API Service App (kind: ServiceApp): the bot authenticates as one`
        : `${file} is missing: bot.integration in .okta-gitops.yml names ${name}, the bot's own integration`,
      findings: [],
    };
  return { ok: true, name, file: loaded?.file ?? file, desired };
}

/**
 * Creates the bot's app for `target` with `key` (the public half of the key it will sign with):
 * refused when Okta already has an app of the bot's integration (by marker or label), or the plan
 * has a conflict; after applying, Okta is read again and must match (nothing left to do).
 */
export async function bootstrapBot(
  target: Extract<BootstrapTarget, { ok: true }>,
  okta: BootstrapOkta,
  key: JwkState,
): Promise<BootstrapResult> {
  const { name } = target;
  const read = () => okta.adapter.readIntegrations([{ name, label: target.desired.app.label }]);
  const planFor = (actual: ActualState): Plan => {
    // The bot's own app as the planner keeps it once the bot runs with `key` and the file's scopes.
    const asSelf: ActualState = {
      ...actual,
      self: name,
      selfKey: key,
      selfScopes: target.desired.scopes,
    };
    return plan(new Map([[name, keepOwnKey(target.desired, asSelf)]]), asSelf);
  };

  const actual = await read();
  const existing = actual.integrations.get(name)?.app;
  if (existing)
    return {
      outcome: "refused",
      reason: `the bot's app already exists in Okta: ${JSON.stringify(existing.state.label)} (id ${existing.id}, client id ${existing.clientId}), carrying the okta-gitops marker of ${name}. bootstrap makes it once; nothing was changed. To rotate its key use keygen and a pull request; to start over, deactivate and delete that app in the Admin Console`,
    };
  const first = planFor(actual);
  const conflicts = first.operations.filter((o) => o.action === "conflict");
  if (conflicts.length)
    return {
      outcome: "refused",
      reason: `${conflicts.map((o) => o.reason ?? `${o.kind} conflicts`).join("; ")}; nothing was changed`,
    };

  const report = await apply(first, okta.adapter, { refs: refsOf(actual) });
  const after = await read();
  const app = after.integrations.get(name)?.app;
  const left = planFor(after).operations;
  if (report.failed || report.skipped || !app || left.length) {
    const failures = report.outcomes
      .filter((o) => o.status !== "done")
      .map((o) => `${o.op.id} ${o.status}${o.detail ? `: ${o.detail}` : ""}`);
    const remaining = left.map((o) => `${o.id} (${o.action})`);
    return {
      outcome: "failed",
      report,
      ...(app ? { appId: app.id } : {}),
      reason: [
        ...(failures.length ? [`failed: ${failures.join("; ")}`] : []),
        ...(remaining.length
          ? [`Okta still differs from ${target.file}: ${remaining.join(", ")}`]
          : []),
        ...(!app ? ["the app was not created"] : []),
      ].join("; "),
    };
  }
  return {
    outcome: "created",
    report,
    appId: app.id,
    clientId: app.clientId,
    scopes: [...target.desired.scopes].sort(),
    keyId: key.kid,
  };
}
