// The file-system side of saved plans (`plan --out FILE`, `apply FILE`): writing the file (0600,
// atomically) and reading it back (bounded, then checked by the pure format in
// src/reconcile/saved-plan.ts).
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  fsyncSync,
} from "node:fs";
import path from "node:path";
import {
  parseSavedPlan,
  SAVED_PLAN_MAX_BYTES,
  SavedPlanError,
  type SavedPlan,
} from "../reconcile/saved-plan.js";
import { UserError, type OktaSession, type ReconcileIo } from "./reconcile-support.js";

/** Integration files are YAML: any other file named as apply's only argument is a saved plan. */
export function savedPlanArgument(io: ReconcileIo, positionals: string[]): string | undefined {
  if (positionals.length !== 1 || /\.ya?ml$/i.test(positionals[0]!)) return undefined;
  try {
    return statSync(path.resolve(io.cwd, positionals[0]!)).isFile() ? positionals[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The paths a command was given, repository-relative; a path outside the repository is refused
 * (a saved plan names only what is inside it). */
export function repositoryPaths(io: ReconcileIo, paths: string[]): string[] {
  return (paths.length ? paths : ["integrations/"]).map((p) => {
    const rel = path.relative(io.cwd, path.resolve(io.cwd, p)).split(path.sep).join("/");
    if (rel.startsWith("..") || path.isAbsolute(rel))
      throw new UserError(`${p} is outside the repository: a saved plan names paths inside it`);
    return rel || ".";
  });
}

/** The org a session talks to: its URL, or "local" (the local org's port changes every run). */
export function orgOf(okta: OktaSession): string {
  return okta.localDir ? "local" : okta.settings.orgUrl;
}

/** A saved plan is never named like an integration file: apply tells them apart by the name. */
export function checkSavedPlanName(file: string): void {
  if (/\.ya?ml$/i.test(file))
    throw new UserError(
      `--out ${file}: a saved plan may not be named *.yaml or *.yml (those are integration files)`,
    );
}

/** Writes the file at mode 0600 through a temporary file in the same folder and a rename, so that
 * a reader never sees half a plan and the file is never readable by others, even for a moment. */
export function writeSavedPlan(io: ReconcileIo, file: string, doc: SavedPlan): void {
  checkSavedPlanName(file);
  const target = path.resolve(io.cwd, file);
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    const fd = openSync(tmp, "wx", 0o600);
    try {
      writeFileSync(fd, JSON.stringify(doc, null, 2) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`cannot write the plan to ${file} (${code})`);
  }
}

/** Reads a saved plan: a regular file of bounded size, then JSON, the schema and its digest. */
export function readSavedPlan(io: ReconcileIo, file: string): SavedPlan {
  let bytes: Uint8Array;
  try {
    const fd = openSync(path.resolve(io.cwd, file), "r");
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new UserError(`${file}: not a regular file`);
      if (stat.size > SAVED_PLAN_MAX_BYTES)
        throw new UserError(
          `${file}: ${stat.size} bytes, more than a saved plan may have (${SAVED_PLAN_MAX_BYTES}); not read`,
        );
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`cannot read ${file} (${code})`);
  }
  try {
    return parseSavedPlan(bytes);
  } catch (error) {
    if (error instanceof SavedPlanError)
      throw new UserError(`${file} ${error.message}: nothing was applied`);
    throw error;
  }
}
