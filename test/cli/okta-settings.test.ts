// The bot's private key is never echoed: a malformed OKTA_PRIVATE_KEY (or key file) is refused
// before the SDK or JSON.parse can quote it, with a message naming the variable and the problem.
// Through the real CLI (bin/okta-gitops.js, so `npm run build` first), as CI logs would show it.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(projectRoot, "bin/okta-gitops.js");
const work = mkdtempSync(join(tmpdir(), "okta-settings-"));
mkdirSync(join(work, "integrations"));
cpSync(
  join(projectRoot, "integrations/okta-gitops.yaml"),
  join(work, "integrations/okta-gitops.yaml"),
);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  format: "jwk",
}) as Record<string, string>;

function run(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [bin, "plan"], {
    cwd: work,
    encoding: "utf8",
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? "",
      // A closed port on loopback: nothing may be sent anywhere even if the key got through.
      OKTA_ORG_URL: "https://127.0.0.1:9",
      OKTA_CLIENT_ID: "0oa1bot",
      OKTA_SCOPES: "okta.apps.read",
      ...env,
    },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Every 6-character piece of the secret members: none may appear in the output. */
function leaks(out: string, secret: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i + 6 <= secret.length; i += 3) {
    const piece = secret.slice(i, i + 6);
    if (out.includes(piece)) pieces.push(piece);
  }
  return pieces;
}

describe("a malformed OKTA_PRIVATE_KEY", () => {
  const truncated = JSON.stringify(jwk).slice(0, 400); // a JWK cut off mid-way: not JSON
  const broken = JSON.stringify({ ...jwk, d: `${jwk.d!.slice(0, 40)}!${jwk.d!.slice(40)}` });
  const wrongNumbers = JSON.stringify({ ...jwk, p: jwk.q, q: jwk.p, n: jwk.e });
  const pem = `-----BEGIN PRIVATE KEY-----\n${jwk.d}\n-----END PRIVATE KEY-----\n`;

  it.each([
    ["a truncated JWK", truncated, "is not valid JSON"],
    ["a JWK with a stray character", broken, "d is not base64url"],
    ["a JWK whose numbers do not fit", wrongNumbers, "do not form"],
    ["a PEM block of garbage", pem, "does not hold a readable private key"],
  ])("is refused without echoing key material: %s", (_, key, problem) => {
    const { status, out } = run({ OKTA_PRIVATE_KEY: key });
    expect(status).toBe(1);
    expect(out).toContain("Okta settings: OKTA_PRIVATE_KEY is");
    expect(out).toContain(problem);
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
    for (const member of ["d", "p", "q", "dp", "dq", "qi", "n"])
      expect(leaks(out, jwk[member]!)).toEqual([]);
  });

  it("names the key file when OKTA_PRIVATE_KEY_FILE holds the malformed key", () => {
    const file = join(work, "bot-key.json");
    writeFileSync(file, truncated, { mode: 0o600 });
    const { status, out } = run({ OKTA_PRIVATE_KEY_FILE: file });
    expect(status).toBe(1);
    expect(out).toContain(`OKTA_PRIVATE_KEY_FILE (${file}) is not valid JSON`);
    expect(leaks(out, jwk.d!)).toEqual([]);
  });
});
