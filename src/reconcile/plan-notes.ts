// What a plan says besides its operations: that apply would stop at the deletion guard, and what
// a deletion leaves in Okta because Okta's API cannot remove it. Pure functions of the plan.
import type { ActualState, Plan } from "./model.js";
import { removedIntegrations } from "./plan.js";

export interface DeletionGuard {
  /** Integrations the plan deletes. */
  removed: string[];
  max: number;
  /** More deletions than `max`: apply needs --confirm-deletions. */
  exceeded: boolean;
}

export function deletionGuard(p: Plan, maxDeletions: number): DeletionGuard {
  const removed = removedIntegrations(p);
  return { removed, max: maxDeletions, exceeded: removed.length > maxDeletions };
}

export function deletionGuardMessage(g: DeletionGuard): string {
  return `the plan deletes ${g.removed.length} integrations (${g.removed.join(", ")}), more than bot.deletionGuard.maxDeletions (${g.max})`;
}

/** Okta's API has no delete for a principal rate limit: the entry of a deleted app (or revoked
 * token) stays, naming a principal that no longer exists. Said once per plan. */
export function rateLimitLeftoverNote(p: Plan, actual: ActualState): string | undefined {
  const left: string[] = [];
  for (const name of removedIntegrations(p)) {
    const id = actual.integrations.get(name)?.rateLimit?.id;
    if (id) left.push(`${name} (${id})`);
  }
  if (!left.length) return undefined;
  return `the principal rate-limit entries of deleted integrations stay in Okta, because Okta's API has no delete for them: ${left.join(", ")}; they name a principal that no longer exists`;
}
