// What the workflows report besides the plan: the integrations refused (with what Okta holds for
// them and their drift, read-only), and drift field by field. Plain data for every renderer.
import type { Operation, Plan } from "./model.js";
import { fieldChanges } from "./render/patch.js";
import { subject } from "./render/index.js";

export interface RefusedReport {
  integration: string;
  reason: string;
  holds: string[];
  /** The operations that would bring Okta to the file: its drift, read-only. */
  drift: Operation[];
  /** The file loads (it is compared); otherwise only what Okta holds under its marker is known. */
  loaded: boolean;
}

export interface DriftItem {
  integration: string;
  object: string;
  kind: Operation["kind"];
  /** A field path, or "" for the whole object. */
  field: string;
  okta: unknown;
  repository: unknown;
  /** Not corrected: the integration is refused (read-only), or its exception expired (apply
   * revokes it, under the deletion guard). */
  uncorrected?: "refused" | "expired";
}

/** The drift in a plan, field by field: what Okta has, what the repository says. */
export function driftItems(p: Plan): DriftItem[] {
  const items: DriftItem[] = [];
  for (const o of p.operations) {
    const base = { integration: o.integration, object: subject(o), kind: o.kind };
    if (o.action === "update")
      for (const c of fieldChanges(o.before, o.after))
        items.push({ ...base, field: c.path.slice(1), okta: c.before, repository: c.after });
    else if (o.action === "create")
      items.push({ ...base, field: "", okta: undefined, repository: o.after });
    else if (o.action === "delete")
      items.push({ ...base, field: "", okta: o.before, repository: undefined });
  }
  return items;
}
