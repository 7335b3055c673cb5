// Drift: where Okta differs from the files, field by field, for the integrations that have files
// (and the interactive-login block they share); with `correct`, puts it back under the lock.
// Removed integrations are not drift (apply deletes them, under the deletion guard), so drift never
// deletes an integration; refused ones are compared read-only, expired exceptions left to apply.
import { apply, type ApplyReport } from "../reconcile/apply.js";
import { SHARED } from "../reconcile/model.js";
import { driftItems, type DriftItem } from "../reconcile/report.js";
import { refsOf } from "../okta/adapter.js";
import type { OktaWriter } from "./apply.js";
import { withLock } from "./lock.js";
import { planAgainstOkta, type PlanRun, type Progress } from "./plan.js";
import type { Workspace } from "./workspace.js";

export interface DriftReport {
  /** The run, its plan holding only the corrections drift makes. */
  run: PlanRun;
  items: DriftItem[];
  /** Something was refused or left unchecked: "No drift" is never said of it. */
  failed: boolean;
  /** Set when corrected: the outcome of the corrections. */
  report?: ApplyReport;
}

export async function checkDrift(
  ws: Workspace,
  ports: { okta: OktaWriter; progress?: Progress; staleLockRemoved?(detail: string): void },
  options: { only?: Set<string>; correct?: boolean },
): Promise<DriftReport> {
  const only = options.only?.size ? options.only : undefined;
  // The drift read checks no resource's existence (it changes nothing); a correction does, and
  // leaves out an integration whose resource set names an object that is not in Okta.
  const check = async (correcting: boolean): Promise<DriftReport> => {
    const run = await planAgainstOkta(ws, ports.okta, only, ports.progress, {
      checkResources: correcting,
    });
    // Drift is about integrations that have files (and the interactive-login block they share);
    // conflicts are reported by plan and apply. An expired exception's revocation is reported,
    // and left to apply and its deletion guard.
    const operations = run.plan.operations.filter(
      (o) =>
        (ws.desired.has(o.integration) ||
          ws.tokens.has(o.integration) ||
          o.integration === SHARED) &&
        o.action !== "conflict",
    );
    const expired = run.plan.operations.filter((o) => ws.expired.has(o.integration));
    const items = [
      ...driftItems({ ...run.plan, operations }),
      ...driftItems({ ...run.plan, operations: expired }).map((i): DriftItem => ({
        ...i,
        uncorrected: "expired",
      })),
      ...run.refused.flatMap((r) =>
        driftItems({ ...run.plan, operations: r.drift }).map((i): DriftItem => ({
          ...i,
          uncorrected: "refused",
        })),
      ),
    ];
    const failed = run.findings.length > 0 || run.refused.length > 0 || ws.refused.size > 0;
    return { run: { ...run, plan: { ...run.plan, operations } }, items, failed };
  };
  if (!options.correct) return check(false);
  return withLock(
    ports.okta,
    async () => {
      const found = await check(true);
      const left = found.items.filter((i) => i.uncorrected);
      if (!found.run.plan.operations.length)
        return { ...found, failed: found.failed || left.length > 0 };
      const report = await apply(found.run.plan, ports.okta.adapter, {
        refs: refsOf(found.run.actual),
        onProgress: (d, t) => ports.progress?.applying?.(d, t),
      });
      return {
        ...found,
        report,
        failed: report.failed > 0 || report.skipped > 0 || found.failed || left.length > 0,
      };
    },
    ports.staleLockRemoved,
  );
}
