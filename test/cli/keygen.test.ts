// `okta-gitops keygen` through the real bin (dist/: run `npm run build` first), plus the dated kid
// in-process with a fixed clock.
import { spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runKeygen } from "../../src/cli/commands/keygen.js";
import { serviceAppYaml } from "../support/service-app.js";

const BIN = fileURLToPath(new URL("../../bin/okta-gitops.js", import.meta.url));
let tmp: string;
beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), "okta-gitops-keygen-"))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A git repository with one integration (its single key has kid "2026-11"), and a home folder. */
function setup(content = serviceAppYaml(1, "hr-sync")) {
  const dir = mkdtempSync(join(tmp, "case-"));
  const repo = join(dir, "repo");
  const home = join(dir, "home");
  mkdirSync(join(repo, ".git"), { recursive: true });
  mkdirSync(join(repo, "integrations"));
  mkdirSync(home);
  writeFileSync(join(repo, "integrations", "hr-sync.yaml"), content);
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, "keygen", ...args], {
      cwd: repo,
      env: { PATH: process.env.PATH, HOME: home },
      encoding: "utf8",
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const validate = () =>
    spawnSync(process.execPath, [BIN, "validate"], { cwd: repo, encoding: "utf8" });
  return { dir, repo, home, run, validate, file: join(repo, "integrations", "hr-sync.yaml") };
}

const kidPattern = /^hr-sync-\d{4}-\d{2}$/;

describe("okta-gitops keygen", { timeout: 120_000 }, () => {
  it("prints a public JWK with a dated kid and writes the matching private key at 0600 under ~/.okta-gitops/keys", () => {
    const { run, home } = setup();
    const r = run("hr-sync");
    expect(r.code, r.stderr).toBe(0);
    const jwk = JSON.parse(r.stdout) as Record<string, string>;
    expect(Object.keys(jwk)).toEqual(["kid", "kty", "e", "n"]);
    expect(jwk.kid).toMatch(kidPattern);
    const keyPath = join(home, ".okta-gitops", "keys", `${jwk.kid}.pem`);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const pem = readFileSync(keyPath, "utf8");
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/); // PKCS#8
    const derived = createPublicKey(createPrivateKey(pem)).export({ format: "jwk" });
    expect(derived.n).toBe(jwk.n);
    expect(Buffer.from(jwk.n!, "base64url").length).toBe(256);
    expect(r.stderr).toContain(keyPath);
  });

  it("--bits 4096 makes a 4096-bit key; other sizes are a usage error", () => {
    const { run } = setup();
    const r = run("hr-sync", "--bits", "4096");
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.from(JSON.parse(r.stdout).n, "base64url").length).toBe(512);
    expect(run("hr-sync", "--bits", "1024").code).toBe(2);
  });

  it("--write adds the key keeping the file's comments; a second --write is the rotation; a third is refused", () => {
    const { run, file, validate } = setup();
    const before = readFileSync(file, "utf8");
    const first = run("hr-sync", "--write");
    expect(first.code, first.stderr).toBe(0);
    const after = readFileSync(file, "utf8");
    // Exactly one line more (the new key); every other line, comments included, as it was.
    const kid = JSON.parse(first.stdout).kid as string;
    const added = after.split("\n").filter((l) => l.includes(`kid: ${kid}`));
    expect(added).toHaveLength(1);
    expect(after.split("\n").filter((l) => !l.includes(`kid: ${kid}`))).toEqual(before.split("\n"));
    const jwks = () =>
      (parse(readFileSync(file, "utf8")) as { spec: { credentials: { jwks: { kid: string }[] } } })
        .spec.credentials.jwks;
    expect(jwks().map((k) => k.kid)).toEqual(["2026-11", JSON.parse(first.stdout).kid]);
    expect(validate().status).toBe(0);

    // Rotation: drop the old key, then make the next one in the same month: a new kid.
    const text = readFileSync(file, "utf8").replace(/ {6}- kid: "2026-11"\n( {8}.*\n){3}/, "");
    writeFileSync(file, text);
    const second = run("hr-sync", "--write");
    expect(second.code, second.stderr).toBe(0);
    const kids = jwks().map((k) => k.kid);
    expect(kids).toHaveLength(2);
    expect(new Set(kids).size).toBe(2);
    expect(validate().status).toBe(0);

    const full = readFileSync(file, "utf8");
    const third = run("hr-sync", "--write");
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/integrations\/hr-sync\.yaml:\d+: .*already holds 2 keys.*remove/);
    expect(readFileSync(file, "utf8")).toBe(full);
  });

  it("--write creates spec.credentials.jwks in a file that has no key yet", () => {
    const noKey = serviceAppYaml(1, "hr-sync").replace(/ {2}credentials:\n(.*\n){5}/, "");
    expect(noKey).not.toContain("credentials");
    const { run, file, validate } = setup(noKey);
    const r = run("hr-sync", "--write");
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(
      `credentials:\n    jwks:\n      - { kid: ${JSON.parse(r.stdout).kid}`,
    );
    expect(validate().status).toBe(0);
  });

  it("--write appends to a one-line flow list, leaving the rest of the line as it was", () => {
    const oneLine = serviceAppYaml(1, "hr-sync").replace(
      / {2}credentials:\n {4}jwks:\n {6}- kid: "2026-11"\n {8}kty: RSA\n {8}e: AQAB\n {8}n: (\S+)\n/,
      '  credentials: { jwks: [{ kid: "2026-11", kty: RSA, e: AQAB, n: "$1" }] } # one key\n',
    );
    expect(oneLine).toContain("# one key");
    const { run, file, validate } = setup(oneLine);
    const r = run("hr-sync", "--write");
    expect(r.code, r.stderr).toBe(0);
    const kid = JSON.parse(r.stdout).kid as string;
    expect(readFileSync(file, "utf8")).toContain(`}, { kid: ${kid}, kty: RSA, e: AQAB, n: `);
    expect(readFileSync(file, "utf8")).toMatch(/\] \} # one key\n/);
    expect(validate().status).toBe(0);
  });

  it("refuses a key path inside the repository or integrations/, also through a symlink, and writes nothing", () => {
    const { run, repo, dir, file } = setup();
    const before = readFileSync(file, "utf8");
    for (const out of ["integrations/key.pem", "keys/key.pem", join(repo, "key.pem")]) {
      const r = run("hr-sync", "--write", "--out", out);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/inside (integrations\/|the repository)/);
      expect(existsSync(join(repo, out))).toBe(false);
    }
    symlinkSync(join(repo, "integrations"), join(dir, "link"));
    const r = run("hr-sync", "--out", join(dir, "link", "key.pem"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("inside integrations/");
    expect(existsSync(join(repo, "integrations", "key.pem"))).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("never overwrites a file nor follows a symlink at the key path", () => {
    const { run, dir } = setup();
    const existing = join(dir, "existing.pem");
    writeFileSync(existing, "keep me");
    const r = run("hr-sync", "--out", existing);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("already exists");
    expect(readFileSync(existing, "utf8")).toBe("keep me");

    const target = join(dir, "target.pem");
    writeFileSync(target, "victim");
    symlinkSync(target, join(dir, "link.pem"));
    const dangling = join(dir, "dangling.pem");
    symlinkSync(join(dir, "nowhere.pem"), dangling);
    expect(run("hr-sync", "--out", join(dir, "link.pem")).code).toBe(1);
    expect(run("hr-sync", "--out", dangling).code).toBe(1);
    expect(readFileSync(target, "utf8")).toBe("victim");
    expect(existsSync(join(dir, "nowhere.pem"))).toBe(false);
  });

  it("refuses --write for a missing file or an API token exception", () => {
    const { run, repo } = setup();
    const r = run("payroll", "--write");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("integrations/payroll.yaml does not exist");
    const token = readFileSync(
      new URL("../../integrations/legacy-payroll.yaml", import.meta.url),
      "utf8",
    );
    writeFileSync(join(repo, "integrations", "payroll.yaml"), token);
    const t = run("payroll", "--write");
    expect(t.code).toBe(1);
    expect(t.stderr).toContain("only a ServiceApp has keys");
    expect(readFileSync(join(repo, "integrations", "payroll.yaml"), "utf8")).toBe(token);
    expect(run("../etc", "--write").code).toBe(2);
  });
});

describe("keygen's kid", () => {
  it("is dated by the clock it is given and unique against the file's kids", async () => {
    const { repo, home, file } = setup(
      serviceAppYaml(1, "hr-sync").replace('kid: "2026-11"', 'kid: "hr-sync-2027-03"'),
    );
    let stdout = "";
    const io = {
      cwd: repo,
      env: { HOME: home },
      stdout: (s: string) => void (stdout += s),
      stderr: () => {},
      today: "2027-03-14",
    };
    expect(await runKeygen(["hr-sync", "--write"], io)).toBe(0);
    expect(JSON.parse(stdout).kid).toBe("hr-sync-2027-03-2");
    expect(readFileSync(file, "utf8")).toContain("kid: hr-sync-2027-03-2");
    expect(existsSync(join(home, ".okta-gitops", "keys", "hr-sync-2027-03-2.pem"))).toBe(true);
  });
});
