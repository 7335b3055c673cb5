// `okta-gitops local-org` by hand, through the real bin (dist/: run `npm run build` first): it
// prints the URL and the SSWS token, `--env` prints export lines that `plan` in another shell
// uses as it would use an Okta org, and credentials.json names no server that may be gone.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(root, "bin", "okta-gitops.js");
let tmp: string;
beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), "okta-gitops-local-org-"))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The environment without any OKTA_* setting of the machine running the tests. */
const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OKTA_")));

/** A copy of the repository's integrations, settings and seed. */
function repoCopy(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (const f of ["integrations", ".okta-gitops.yml", "local-org.seed.yaml", "schemas"])
    cpSync(join(root, f), join(dir, f), { recursive: true });
  return dir;
}

describe("okta-gitops local-org, by hand", { timeout: 180_000 }, () => {
  it("prints the URL and SSWS token; --env lines make plan in another shell use it; credentials.json names no server", async () => {
    const served = repoCopy("served");
    // A data folder whose path needs quoting in a shell: a space and a single quote.
    const dataDir = join(tmp, "it's data");
    const child = spawn(process.execPath, [BIN, "local-org", "--data", dataDir], {
      cwd: served,
      stdio: ["ignore", "pipe", "pipe"],
      env: cleanEnv(),
    });
    try {
      let out = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not serving after 90 s: ${out}`)), 90_000);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("Ctrl-C")) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const url = /^Local Okta org at (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      expect(url, out).toBeDefined();
      const credentials = readFileSync(join(dataDir, "credentials.json"), "utf8");
      const creds = JSON.parse(credentials) as Record<string, unknown>;
      expect(out).toContain(`SSWS token:  ${String(creds.sswsToken)}`);
      expect(out).toContain(`client id ${String(creds.clientId)}`);
      expect(out).toContain(String(creds.privateKeyPath));
      // Only what stays true: no URL, no port of this run.
      expect(creds).not.toHaveProperty("orgUrl");
      expect(credentials).not.toContain(url!.split(":").at(-1)!);
      const res = await fetch(`${url}/api/v1/apps`, {
        headers: { Authorization: `SSWS ${String(creds.sswsToken)}` },
      });
      expect(res.status).toBe(200);

      // Another shell, in another folder: with the printed settings, plan talks to that server
      // as to an Okta org (no local org of its own), so exceptions need --approved.
      const elsewhere = repoCopy("elsewhere");
      const shell = spawnSync(
        "bash",
        [
          "-c",
          `set -e; eval "$("${process.execPath}" "${BIN}" local-org --env --data "$DATA")"; env | grep '^OKTA_' | sort; "${process.execPath}" "${BIN}" plan --approved all --format json > plan.json || echo "plan exit $?"`,
        ],
        { cwd: elsewhere, env: { ...cleanEnv(), DATA: dataDir }, encoding: "utf8" },
      );
      expect(shell.stderr).not.toContain("Using the local Okta org");
      expect(shell.stdout).toContain(`OKTA_ORG_URL=${url}\n`);
      expect(shell.stdout).toContain(`OKTA_PRIVATE_KEY_FILE=${String(creds.privateKeyPath)}\n`);
      expect(shell.stdout, shell.stderr).toContain("plan exit 2"); // changes to apply
      const plan = JSON.parse(readFileSync(join(elsewhere, "plan.json"), "utf8")) as {
        operations?: unknown[];
      };
      expect(JSON.stringify(plan)).toContain("hr-directory-sync");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    }

    // No server any more: --env refuses instead of printing a dead URL.
    const after = spawnSync(process.execPath, [BIN, "local-org", "--env", "--data", dataDir], {
      env: cleanEnv(),
      encoding: "utf8",
    });
    expect(after.status).toBe(1);
    expect(after.stdout).toBe("");
    expect(after.stderr).toContain("no local org is served from");
  });
});
