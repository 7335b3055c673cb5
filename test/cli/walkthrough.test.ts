// The README's "Your first integration", run as written: the file and the commands are taken from
// the README itself (so the two cannot drift apart) and run in a copy of the repository, through
// the real bin (dist/: run `npm run build` first), against a fresh local org. A command whose
// comment says "exit N" must exit N; every other command must exit 0.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(root, "bin", "okta-gitops.js");
const tmp = mkdtempSync(join(tmpdir(), "okta-gitops-walkthrough-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The section, its file (path and YAML) and its shell commands, from the README. */
function walkThrough() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("\n### Your first integration\n");
  expect(start, "README has a 'Your first integration' section").toBeGreaterThan(0);
  const rest = readme.slice(start + 1);
  const section = rest.slice(0, rest.slice(1).search(/\n#{2,3} /) + 1);
  const file = /Save this as `(integrations\/[a-z0-9-]+\.yaml)`/.exec(section)?.[1];
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  const sh = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  expect(
    file && yaml && sh,
    "the section has a file name, a yaml block and a sh block",
  ).toBeTruthy();
  const commands = sh!
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  return { file: file!, yaml: yaml!, commands };
}

describe("README: Your first integration", () => {
  it(
    "runs as written: write, keygen --write, validate, plan, apply, plan against a fresh local org",
    { timeout: 600_000 },
    () => {
      const { file, yaml, commands } = walkThrough();
      expect(commands.map((c) => c.split(/\s+/).slice(0, 3).join(" "))).toEqual([
        "npx okta-gitops keygen",
        "npx okta-gitops validate",
        "npx okta-gitops plan",
        "npx okta-gitops apply",
        "npx okta-gitops plan",
      ]);

      // A clone of the repository, without any local org yet; a home folder of its own.
      const repo = join(tmp, "repo");
      const home = join(tmp, "home");
      mkdirSync(join(repo, ".git"), { recursive: true });
      mkdirSync(home);
      for (const f of ["integrations", "schemas", ".okta-gitops.yml", "local-org.seed.yaml"])
        cpSync(join(root, f), join(repo, f), { recursive: true });
      expect(existsSync(join(repo, file))).toBe(false);
      writeFileSync(join(repo, file), yaml);

      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OKTA_"))),
        HOME: home,
        NO_COLOR: "1",
      };
      // `npx okta-gitops` is this checkout's bin (npx would resolve the project's own bin the same
      // way, only more slowly); anything else npx is asked for is refused.
      const shim = `npx() { if [ "$1" = okta-gitops ]; then shift; "${process.execPath}" "${BIN}" "$@"; else echo "unexpected npx $*" >&2; return 99; fi; }`;
      const outputs: string[] = [];
      for (const command of commands) {
        const expected = Number(/#.*\bexit (\d)\b/.exec(command)?.[1] ?? 0);
        const r = spawnSync("bash", ["-c", `${shim}\n${command}`], {
          cwd: repo,
          env,
          encoding: "utf8",
        });
        outputs.push(r.stdout);
        expect(r.status, `${command}\n${r.stdout}\n${r.stderr}`).toBe(expected);
      }

      // keygen put one key into the file and the private key in the home folder, at 0600.
      const doc = parse(readFileSync(join(repo, file), "utf8")) as {
        metadata: { name: string };
        spec: { credentials: { jwks: { kid: string }[] } };
      };
      const [key] = doc.spec.credentials.jwks;
      expect(doc.spec.credentials.jwks).toHaveLength(1);
      expect(key!.kid).toMatch(new RegExp(`^${doc.metadata.name}-\\d{4}-\\d{2}$`));
      const pem = join(home, ".okta-gitops", "keys", `${key!.kid}.pem`);
      expect(statSync(pem).mode & 0o777).toBe(0o600);
      // The first plan showed the new integration; apply made its app in the local org.
      expect(outputs[2]).toContain(doc.metadata.name);
      const org = readFileSync(join(repo, ".okta-gitops", "local-org", "org.json"), "utf8");
      expect(org).toContain(`"integration":"${doc.metadata.name}"`);
    },
  );
});
