// A saved plan's content (`plan --out`): the digests of the files and of the Okta state a plan was
// made from, so that `apply FILE` can refuse when either changed. Writing and reading the file is
// the CLI's (src/cli/saved-plan.ts); the format is src/reconcile/saved-plan.ts.
import {
  digestOf,
  oktaDigests,
  SAVED_PLAN_KIND,
  SAVED_PLAN_VERSION,
  savedPlanBody,
  sha256,
  type SavedPlan,
} from "../reconcile/saved-plan.js";
import type { PlanRun } from "./plan.js";
import type { Workspace } from "./workspace.js";

/** The files and settings a workspace was read from, as digests. */
export function inputsOf(ws: Workspace, paths: string[]): SavedPlan["inputs"] {
  const files: Record<string, string> = {};
  for (const f of ws.sources) files[f.path] = sha256(f.bytes);
  return {
    paths,
    config: ws.configSource
      ? { path: ws.configSource.path, sha256: sha256(ws.configSource.bytes) }
      : null,
    files,
  };
}

/** The saved plan of a run: `org` is the session's org (its URL, or "local"), `now` the clock. */
export function savedPlanOf(
  ws: Workspace,
  run: PlanRun,
  org: string,
  paths: string[],
  notes: string[],
  now: Date,
): SavedPlan {
  const body: Omit<SavedPlan, "digest"> = {
    version: SAVED_PLAN_VERSION,
    kind: SAVED_PLAN_KIND,
    created: now.toISOString(),
    org,
    inputs: inputsOf(ws, paths),
    okta: oktaDigests(run.actual),
    plan: savedPlanBody(run.plan),
    notes,
  };
  return { ...body, digest: digestOf(body) };
}
