// `okta-gitops bootstrap`: the bot's own app created from integrations/okta-gitops.yaml with an
// admin's SSWS token given on stdin, against a local org over HTTP through the real SDK; then the
// printed settings are the bot's, and `plan` has nothing to change.
import { spawn } from "node:child_process";
import { createPublicKey } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { parse } from "yaml";
import { runBootstrap } from "../../src/cli/commands/bootstrap.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { parseAdminToken } from "../../src/okta/admin.js";
import { MARKER_KEY } from "../../src/reconcile/model.js";
import { BOT_SCOPES, type LocalOrg } from "../../src/local-org/index.js";
import { BIN } from "../support/cli-process.js";
import { startOrg, testIo } from "../reconcile/harness.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BOT_FILE = "integrations/okta-gitops.yaml";
const botDoc = parse(readFileSync(path.join(ROOT, BOT_FILE), "utf8")) as {
  spec: {
    label: string;
    scopes: string[];
    credentials: { jwks: { kid: string; n: string }[] };
    network: { allow: string[] };
    rateLimit: { percent: number };
  };
};

let org: LocalOrg;
let repo: string;
let keys: string;

/** A fresh Okta org has no bot: the local org makes its own at creation, so it is removed first
 * (through the API, as an admin would), leaving the admin's SSWS token. */
async function freshOrg(): Promise<LocalOrg> {
  const o = await startOrg({ egressAddress: "203.0.113.200" });
  const headers = { Authorization: `SSWS ${o.credentials.sswsToken}`, Accept: "application/json" };
  const id = o.credentials.clientId;
  expect(
    (await fetch(`${o.url}/api/v1/apps/${id}/lifecycle/deactivate`, { method: "POST", headers }))
      .status,
  ).toBe(200);
  expect((await fetch(`${o.url}/api/v1/apps/${id}`, { method: "DELETE", headers })).status).toBe(
    204,
  );
  return o;
}

beforeEach(async () => {
  org = await freshOrg();
  repo = mkdtempSync(path.join(tmpdir(), "okta-gitops-bootstrap-repo-"));
  keys = mkdtempSync(path.join(tmpdir(), "okta-gitops-bootstrap-keys-"));
  mkdirSync(path.join(repo, "integrations"));
  mkdirSync(path.join(repo, ".git"));
  copyFileSync(path.join(ROOT, BOT_FILE), path.join(repo, BOT_FILE));
  copyFileSync(path.join(ROOT, ".okta-gitops.yml"), path.join(repo, ".okta-gitops.yml"));
});

afterEach(async () => {
  await org.close();
  rmSync(repo, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

/** Runs bootstrap in-process; the token comes only through readToken (counted). */
async function bootstrap(argv: string[], token = org.credentials.sswsToken) {
  const io = testIo(repo, { OKTA_ORG_URL: org.url });
  let reads = 0;
  const given: Buffer[] = [];
  const code = await runBootstrap(argv, {
    ...io,
    readToken: async () => {
      reads++;
      given.push(Buffer.from(`${token}\n`));
      return given.at(-1)!;
    },
  });
  return { code, out: io.out, err: io.err, reads, given };
}

function settingsOf(out: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of out.matchAll(/^export (OKTA_[A-Z_]+)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
  return env;
}

function botApps() {
  return Object.values(org.state.apps).filter(
    (a) =>
      (a.profile?.[MARKER_KEY] as { integration?: string } | undefined)?.integration ===
      "okta-gitops",
  );
}

describe("okta-gitops bootstrap", () => {
  it("creates the bot's app as its file says (scopes, role, key, zone, rate share), prints its settings, and plan then reports no changes", async () => {
    const keyOut = path.join(keys, "bot.pem");
    const r = await bootstrap(["--key-out", keyOut, "--approved", "okta-gitops"]);
    expect(r.err).not.toContain("Error:");
    expect(r.code).toBe(0);
    expect(r.reads).toBe(1);
    // The bytes it was given are zeroed once it is done.
    expect(r.given[0]!.every((b) => b === 0)).toBe(true);

    const settings = settingsOf(r.out);
    expect(Object.keys(settings).sort()).toEqual([
      "OKTA_CLIENT_ID",
      "OKTA_KEY_ID",
      "OKTA_ORG_URL",
      "OKTA_PRIVATE_KEY_FILE",
      "OKTA_SCOPES",
    ]);
    expect(settings.OKTA_ORG_URL).toBe(org.url);
    expect(settings.OKTA_PRIVATE_KEY_FILE).toBe(keyOut);
    expect(settings.OKTA_SCOPES!.split(" ").sort()).toEqual([...botDoc.spec.scopes].sort());
    expect(settings.OKTA_KEY_ID).toMatch(/^okta-gitops-\d{4}-\d{2}(-\d+)?$/);
    // The token is in neither output.
    expect(r.out + r.err).not.toContain(org.credentials.sswsToken);

    // One app, with the marker, the label, private_key_jwt and DPoP.
    const apps = botApps();
    expect(apps).toHaveLength(1);
    const app = apps[0]!;
    expect(app.id).toBe(settings.OKTA_CLIENT_ID);
    expect(app.label).toBe(botDoc.spec.label);
    expect(app.tokenEndpointAuthMethod).toBe("private_key_jwt");
    expect(app.dpop).toBe(true);
    // Its grants are the file's scopes, its one admin role the file's.
    const grants = Object.values(org.state.grants)
      .filter((g) => g.appId === app.id)
      .map((g) => g.scopeId)
      .sort();
    expect(grants).toEqual([...botDoc.spec.scopes].sort());
    const roles = Object.values(org.state.clientRoles).filter((x) => x.clientId === app.id);
    expect(roles.map((x) => x.type)).toEqual(["SUPER_ADMIN"]);
    // Its keys: the file's, and the new one, whose private half is the file written (0600).
    expect(app.jwks.map((k) => k.kid).sort()).toEqual(
      [...botDoc.spec.credentials.jwks.map((k) => k.kid), settings.OKTA_KEY_ID].sort(),
    );
    expect(statSync(keyOut).mode & 0o777).toBe(0o600);
    const pub = createPublicKey(readFileSync(keyOut, "utf8")).export({ format: "jwk" });
    expect(app.jwks.find((k) => k.kid === settings.OKTA_KEY_ID)?.n).toBe(pub.n);
    // Its zone and rate share.
    const zone = Object.values(org.state.zones).find((z) => z.name === "okta-gitops/okta-gitops");
    expect(zone?.gateways?.map((g) => g.value)).toEqual(botDoc.spec.network.allow);
    const limit = Object.values(org.state.principalRateLimits).find(
      (p) => p.principalId === app.id,
    );
    expect(limit?.defaultPercentage).toBe(botDoc.spec.rateLimit.percent);

    // The printed settings are the bot's: plan authenticates with them and has nothing to do.
    const io = testIo(repo, settings);
    const code = await runPlan(["--approved", "okta-gitops"], io);
    expect(code).toBe(0);
    expect(io.out).toMatch(/No changes/);
    // Its one remark: the key it runs with stays although the file does not list it.
    expect(io.err.trim().split("\n")).toEqual([
      `note: okta-gitops: the bot's own app keeps what the bot runs with although its file does not list it: key ${settings.OKTA_KEY_ID}`,
    ]);
  });

  it("refuses when the bot's app already exists, changing nothing and writing no key", async () => {
    expect(
      (await bootstrap(["--key-out", path.join(keys, "one.pem"), "--approved", "okta-gitops"]))
        .code,
    ).toBe(0);
    const before = JSON.stringify(org.state.apps);
    const again = path.join(keys, "two.pem");
    const r = await bootstrap(["--key-out", again, "--approved", "okta-gitops"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the bot's app already exists in Okta/);
    expect(r.err).toContain(botApps()[0]!.id);
    expect(JSON.stringify(org.state.apps)).toBe(before);
    expect(existsSync(again)).toBe(false);
    expect(r.out).toBe("");
  });

  it("refuses a file that breaks the policy with file:line:rule, before asking for the token", async () => {
    const file = path.join(repo, BOT_FILE);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("okta.apps.manage #", "okta.apps.manages #"),
    );
    const line =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("okta.apps.manages")) + 1;
    const keyOut = path.join(keys, "bot.pem");
    const r = await bootstrap(["--key-out", keyOut, "--approved", "okta-gitops"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(`integrations/okta-gitops\\.yaml:${line}:\\d+: error .*\\(scopes\\.unknown\\)`),
    );
    expect(r.reads).toBe(0);
    expect(botApps()).toHaveLength(0);
    expect(existsSync(keyOut)).toBe(false);
  });

  it("refuses the bot's exceptions without the Identity team's approval, before asking for the token", async () => {
    const r = await bootstrap(["--key-out", path.join(keys, "bot.pem")]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/okta-gitops: refused/);
    expect(r.err).toMatch(/--approved/);
    expect(r.reads).toBe(0);
    expect(botApps()).toHaveLength(0);
  });

  it("a token Okta refuses: says so without quoting it, creates nothing and leaves no key", async () => {
    const keyOut = path.join(keys, "bot.pem");
    const wrong = "00NotAValidTokenAtAll0000000000000000000000";
    const r = await bootstrap(["--key-out", keyOut, "--approved", "okta-gitops"], wrong);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Okta refused the admin token/);
    expect(r.out + r.err).not.toContain(wrong);
    expect(existsSync(keyOut)).toBe(false);
    expect(botApps()).toHaveLength(0);
  });

  it("never overwrites the key file, and refuses a key path inside the repository", async () => {
    const existing = path.join(keys, "taken.pem");
    writeFileSync(existing, "keep me");
    const r1 = await bootstrap(["--key-out", existing, "--approved", "okta-gitops"]);
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/already exists/);
    expect(readFileSync(existing, "utf8")).toBe("keep me");
    const r2 = await bootstrap([
      "--key-out",
      path.join(repo, "bot.pem"),
      "--approved",
      "okta-gitops",
    ]);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/inside the repository/);
    expect(r1.reads + r2.reads).toBe(0);
    expect(botApps()).toHaveLength(0);
  });

  it("takes an admin's Bearer access token as well (an OAuth client with a super admin role, no DPoP)", async () => {
    // An admin client as an org would have one for the Management API: made with the SSWS token.
    const ssws = {
      Authorization: `SSWS ${org.credentials.sswsToken}`,
      "Content-Type": "application/json",
      Accept: "application/json",
    };
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const app = org.seed.app({
      name: "oidc_client",
      label: "admin console client",
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
          dpop_bound_access_tokens: false,
          jwks: {
            keys: [{ ...(await exportJWK(publicKey)), kid: "admin-1", alg: "RS256", use: "sig" }],
          },
        },
      },
    });
    for (const scopeId of BOT_SCOPES)
      expect(
        (
          await fetch(`${org.url}/api/v1/apps/${app.id}/grants`, {
            method: "POST",
            headers: ssws,
            body: JSON.stringify({ issuer: org.url, scopeId }),
          })
        ).status,
      ).toBeLessThan(300);
    expect(
      (
        await fetch(`${org.url}/oauth2/v1/clients/${app.id}/roles`, {
          method: "POST",
          headers: ssws,
          body: JSON.stringify({ type: "SUPER_ADMIN" }),
        })
      ).status,
    ).toBeLessThan(300);
    const tokenUrl = `${org.url}/oauth2/v1/token`;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "admin-1" })
      .setIssuer(app.id)
      .setSubject(app.id)
      .setAudience(tokenUrl)
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti(randomUUID())
      .sign(privateKey);
    const res = await fetch(tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        scope: BOT_SCOPES.join(" "),
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      }),
    });
    const { access_token: bearer, token_type } = (await res.json()) as {
      access_token: string;
      token_type: string;
    };
    expect(token_type).toBe("Bearer");

    const keyOut = path.join(keys, "bot.pem");
    const since = Math.max(0, ...org.requests().map((e) => e.seq));
    const r = await bootstrap(
      ["--key-out", keyOut, "--approved", "okta-gitops"],
      `Bearer ${bearer}`,
    );
    expect(r.err).not.toContain(bearer);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(bearer);
    expect(botApps()).toHaveLength(1);
    // Every call it made was the admin client's (its Bearer token), none an SSWS token's.
    const calls = org.requests().filter((e) => e.seq > since);
    expect(calls.length).toBeGreaterThan(5);
    expect(new Set(calls.map((e) => e.principal))).toEqual(new Set([app.id]));
  });

  it("reads the token from stdin of the real CLI only: not from argv or the environment, and never prints it", async () => {
    const keyOut = path.join(keys, "bot.pem");
    const token = org.credentials.sswsToken;
    // An environment variable the Okta SDK would read is ignored: stdin is the only source.
    const env = {
      NO_COLOR: "1",
      PATH: process.env.PATH ?? "",
      HOME: keys,
      OKTA_ORG_URL: org.url,
      OKTA_CLIENT_TOKEN: "00FromTheEnvironmentNeverUsed000000000000",
    };
    const run = (input: string | undefined) =>
      new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [BIN, "bootstrap", "--key-out", keyOut, "--approved", "okta-gitops"],
          { cwd: repo, env },
        );
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
        if (input !== undefined) child.stdin.end(input);
        else child.stdin.end();
      });
    // Nothing on stdin: refused, though the environment holds a token.
    const empty = await run(undefined);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/no token was given on stdin/);
    expect(botApps()).toHaveLength(0);

    const r = await run(`SSWS ${token}\n`);
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
    expect(r.code).toBe(0);
    expect(r.out + r.err).not.toContain(token);
    expect(settingsOf(r.out).OKTA_CLIENT_ID).toBe(botApps()[0]!.id);
  }, 30_000);
});

describe("the admin token's forms", () => {
  it("takes SSWS and Bearer tokens, with or without their scheme, and refuses DPoP and malformed ones without quoting them", () => {
    expect(parseAdminToken("00abcDEF_123-xyz\n")).toEqual({
      scheme: "SSWS",
      value: "00abcDEF_123-xyz",
    });
    expect(parseAdminToken("SSWS 00abc")).toEqual({ scheme: "SSWS", value: "00abc" });
    expect(parseAdminToken("bearer eyJa.eyJb.c")).toEqual({
      scheme: "Bearer",
      value: "eyJa.eyJb.c",
    });
    expect(parseAdminToken("eyJhbGciOi.eyJzdWIi.sig_-")).toEqual({
      scheme: "Bearer",
      value: "eyJhbGciOi.eyJzdWIi.sig_-",
    });
    for (const bad of [
      "",
      "  \n",
      "DPoP eyJa.eyJb.c",
      "two words here",
      "tok\u0000en",
      "x".repeat(20_000),
    ]) {
      const r = parseAdminToken(bad);
      expect(r).toHaveProperty("error");
      if (bad.trim()) expect((r as { error: string }).error).not.toContain(bad.trim());
    }
  });
});
