// The real entry point (bin/okta-gitops.js, which runs dist/: `npm run build` first) in a child
// process, pointed at a local org served by the test process. Asynchronous on purpose: a
// synchronous spawn would stop this process from answering the CLI's requests.
import { spawn } from "node:child_process";
import path from "node:path";

export const BIN = path.resolve(import.meta.dirname, "../../bin/okta-gitops.js");

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `okta-gitops ...argv` in `cwd` with only `env` (and PATH) set. */
export function runBin(
  cwd: string,
  env: Record<string, string>,
  argv: string[],
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd,
      env: { NO_COLOR: "1", PATH: process.env.PATH ?? "", ...env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}
