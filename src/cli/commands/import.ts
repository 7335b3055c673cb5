// `okta-gitops import <app id or label>`: writes integrations/<name>.yaml for an app that exists in
// Okta (its keys, DPoP and token-exchange settings, scope grants, admin role, network zone and rate
// share), so that the plan right after shows no change of any setting. Changes nothing in Okta:
// the file's `# okta-gitops import:` line names the objects, and the bot takes ownership of them
// (puts its marker on them) only when the file is applied, after review like any other change.
import { randomBytes } from "node:crypto";
import { lstatSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { appToImport, integrationFile } from "../../workflows/import.js";
import { guarded, withOkta, processIo, UserError, type ReconcileIo } from "../reconcile-support.js";

export const IMPORT_HELP = `Usage: okta-gitops import <app id or label> [options]

Writes integrations/<name>.yaml for an existing API service app in Okta, so that 'okta-gitops plan'
right after shows no change of any setting, only the adoption of its objects. Okta is not changed:
the bot takes ownership (puts its marker on the app, zone, custom role and resource set) when the
file is applied. Taking ownership is an exception that needs the Identity team's approval, and the
plan refuses any object used outside the file (a zone another app, a policy or a token uses; a role
or resource set another principal holds) and any zone but an IP allow list.

Options:
  --name <name>        the integration's name (default: from the app's label)
  --owner <@team>      metadata.owner (default: a placeholder to fill in)
  --purpose <text>     metadata.purpose (default: a placeholder to fill in)
  --request <url>      metadata.request (default: a placeholder to fill in)
  --dir <dir>          where to write (default: integrations)
  --force              overwrite an existing file
  -h, --help           show this help

Exit status: 0 file written, 1 errors.`;

export const importCommand = {
  summary: "write the integration file of an existing Okta app (adopted on apply)",
  run: (argv: string[]) => runImport(argv, processIo()),
};

export async function runImport(argv: string[], io: ReconcileIo): Promise<number> {
  return guarded("import", io, async () => {
    const args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: "string" },
        owner: { type: "string", default: "@change-me" },
        purpose: { type: "string", default: "TODO: say in a sentence what this access is for" },
        request: { type: "string", default: "https://example.invalid/change-me" },
        dir: { type: "string", default: "integrations" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (args.values.help) {
      io.stdout(IMPORT_HELP + "\n");
      return 0;
    }
    const [ref, ...extra] = args.positionals;
    if (!ref || extra.length) throw new UserError("give exactly one app id or label");
    const { app, name } = await withOkta(io, (okta) => appToImport(okta, ref, args.values.name));
    const file = path.join(args.values.dir, `${name}.yaml`);
    const full = targetPath(io.cwd, args.values.dir, file, Boolean(args.values.force));

    const { text, adopt } = integrationFile(app, name, {
      owner: args.values.owner,
      purpose: args.values.purpose,
      request: args.values.request,
      today: io.today,
    });
    writeExclusive(full, text, Boolean(args.values.force), file);
    io.stdout(
      `Wrote ${file} for app ${app.id} ("${app.label}"). Okta is unchanged: 'okta-gitops plan' shows the adoption of ${adopt}; applying the file takes ownership, an exception that needs the Identity team's approval (--approved ${name}), and only of objects nothing outside the file uses.\n`,
    );
    if (args.values.owner === "@change-me" || args.values.request.includes("example.invalid"))
      io.stderr(
        `note: fill in metadata.owner, purpose and request in ${file} before committing it\n`,
      );
    return 0;
  });
}

/**
 * Where the file goes: inside the repository's integrations/ folder, as resolved on disk, never
 * through a symbolic link (a link could point anywhere: a dangling one would be created outside
 * the repository, an existing one overwritten with --force).
 */
function targetPath(cwd: string, dir: string, file: string, force: boolean): string {
  const root = path.resolve(cwd, "integrations");
  const folder = path.resolve(cwd, dir);
  const inside = (p: string, base: string) => p === base || p.startsWith(base + path.sep);
  if (!inside(folder, root))
    throw new UserError(`${dir} is outside integrations/: import writes only there`);
  // Every folder from integrations/ down to the target's must be a real folder, not a link.
  for (let p = folder; ; p = path.dirname(p)) {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) throw new UserError(`${path.relative(cwd, p) || p} does not exist`);
    if (st.isSymbolicLink() || !st.isDirectory())
      throw new UserError(
        `${path.relative(cwd, p)} is a symbolic link or not a folder: import does not write through it`,
      );
    if (p === root) break;
  }
  if (!inside(realpathSync(folder), realpathSync(root)))
    throw new UserError(`${dir} resolves outside integrations/: import writes only there`);
  const full = path.join(folder, path.basename(file));
  const st = lstatSync(full, { throwIfNoEntry: false });
  if (st?.isSymbolicLink())
    throw new UserError(
      `${file} is a symbolic link: import does not write through it (remove it first)`,
    );
  if (st && !force) throw new UserError(`${file} exists: pass --force to overwrite it`);
  if (st && !st.isFile()) throw new UserError(`${file} is not a regular file`);
  return full;
}

/** Creates the file exclusively (O_EXCL: never through a link that appeared since the check);
 * with --force, writes a fresh file beside it and renames it over the old one, which replaces the
 * directory entry itself and never follows a link. */
function writeExclusive(full: string, text: string, force: boolean, file: string): void {
  try {
    if (!force) {
      writeFileSync(full, text, { flag: "wx", mode: 0o644 });
      return;
    }
    const tmp = path.join(
      path.dirname(full),
      `.${path.basename(full)}.${randomBytes(6).toString("hex")}.tmp`,
    );
    writeFileSync(tmp, text, { flag: "wx", mode: 0o644 });
    try {
      renameSync(tmp, full);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EEXIST")
      throw new UserError(`${file} appeared while importing: nothing was written`);
    throw new UserError(`${file} cannot be written (${code ?? "error"})`);
  }
}
