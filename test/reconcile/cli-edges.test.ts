// Smaller holes, over HTTP against the local org and through the real bin (bin/okta-gitops.js runs
// dist/: `npm run build` first): the concurrency share of a rate limit is drift, `--only` with an
// unknown name is an error, drift takes `--only`, import never writes through a symbolic link or
// outside integrations/, and the local org's data folder is the owner's alone.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runDrift } from "../../src/cli/commands/drift.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, envFor, Repo, startOrg } from "./harness.js";
import { publicJwk } from "./fixtures.js";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/okta-gitops.js");

/** Runs the published entry point in `cwd` (asynchronously: the org answers from this process). */
function bin(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, NO_COLOR: "1", ...env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}

let org: LocalOrg;
let repo: Repo;

async function admin<T>(method: string, p: string, body?: unknown): Promise<T> {
  const c = sswsClient(org);
  const res = (await c.http.http(`${org.url}${p}`, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  } as Parameters<typeof c.http.http>[1])) as { status: number; text(): Promise<string> };
  const text = res.status === 204 ? "" : await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const appOf = (name: string) =>
  Object.values(org.state.apps).find(
    (a) =>
      (a.profile?.["okta-gitops"] as { integration?: string } | undefined)?.integration === name,
  )!;
const limitOf = (appId: string) =>
  Object.values(org.state.principalRateLimits).find((l) => l.principalId === appId)!;

beforeAll(async () => {
  org = await startOrg();
  repo = new Repo();
  repo.write("hr-sync");
  repo.write("crm-sync");
  const applied = await cli(runApply, ["--yes"], repo, org);
  expect(applied.code, applied.out + applied.err).toBe(0);
});
afterAll(async () => {
  await org.close();
  repo.cleanup();
});

// Each case starts the CLI in a child process (twice, some): slow on a loaded machine.
describe("drift", { timeout: 90_000 }, () => {
  it("sees and corrects a hand change to defaultConcurrencyPercentage", async () => {
    const limit = limitOf(appOf("hr-sync").id);
    await admin("PUT", `/api/v1/principal-rate-limits/${limit.id}`, {
      principalId: limit.principalId,
      principalType: "OAUTH_CLIENT",
      defaultPercentage: 25,
      defaultConcurrencyPercentage: 90,
    });
    const d = await cli(runDrift, [], repo, org);
    expect(d.code, d.err).toBe(2);
    expect(d.out).toContain(
      "hr-sync: rate limit: concurrencyPercent: Okta has 90, the repository says 25",
    );
    expect((await cli(runDrift, ["--correct"], repo, org)).code).toBe(0);
    expect(limitOf(appOf("hr-sync").id).defaultConcurrencyPercentage).toBe(25);
  });

  it("--only checks only the named integrations", async () => {
    for (const name of ["hr-sync", "crm-sync"]) {
      const app = await admin<Record<string, unknown>>("GET", `/api/v1/apps/${appOf(name).id}`);
      await admin("PUT", `/api/v1/apps/${appOf(name).id}`, { ...app, label: `${name} (edited)` });
    }
    const d = await bin(["drift", "--only", "crm-sync"], repo.dir, envFor(org));
    expect(d.code, d.err).toBe(2);
    expect(d.out).toContain('crm-sync: app crm-sync: label: Okta has "crm-sync (edited)"');
    expect(d.out).not.toContain("hr-sync");
    expect((await cli(runDrift, ["--correct"], repo, org)).code).toBe(0);
  });
});

describe("plan --only", { timeout: 90_000 }, () => {
  it("refuses a name that is neither a file nor in Okta, with did you mean (exit 1)", async () => {
    const p = await bin(["plan", "--only", "hr-synk"], repo.dir, envFor(org));
    expect(p.code).toBe(1);
    expect(p.err).toContain(
      "--only hr-synk: no integration file and nothing in Okta has that name",
    );
    expect(p.err).toContain("Did you mean hr-sync?");
    expect(p.out).not.toContain("No changes");
    expect(p.err).not.toMatch(/\n\s+at /);
  });
});

describe("import", { timeout: 90_000 }, () => {
  let appId: string;
  let outside: string;
  beforeAll(async () => {
    outside = mkdtempSync(path.join(tmpdir(), "okta-gitops-outside-"));
    const app = await admin<{ id: string }>("POST", "/api/v1/apps", {
      name: "oidc_client",
      label: "Legacy Sync",
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
          dpop_bound_access_tokens: true,
          jwks: { keys: [{ ...publicJwk("legacy-sync"), alg: "RS256", use: "sig" }] },
        },
      },
    });
    appId = app.id;
  });
  const importArgs = (...extra: string[]) => ["import", appId, "--name", "legacy-sync", ...extra];
  const target = () => path.join(repo.dir, "integrations", "legacy-sync.yaml");

  it("refuses a dangling symbolic link, and creates nothing where it points", async () => {
    const victim = path.join(outside, "created.yaml");
    symlinkSync(victim, target());
    const r = await bin(importArgs(), repo.dir, envFor(org));
    expect(r.code).toBe(1);
    expect(r.err).toContain("is a symbolic link");
    expect(existsSync(victim)).toBe(false);
    const forced = await bin(importArgs("--force"), repo.dir, envFor(org));
    expect(forced.code).toBe(1);
    expect(existsSync(victim)).toBe(false);
  });

  it("with --force, refuses a link to an existing file outside integrations/", async () => {
    const victim = path.join(outside, "precious.txt");
    writeFileSync(victim, "keep me\n");
    const link = path.join(repo.dir, "integrations", "legacy-two.yaml");
    symlinkSync(victim, link);
    const r = await bin(
      ["import", appId, "--name", "legacy-two", "--force"],
      repo.dir,
      envFor(org),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain("integrations/legacy-two.yaml is a symbolic link");
    expect(readFileSync(victim, "utf8")).toBe("keep me\n");
  });

  it("refuses a folder outside integrations/, also through a linked folder", async () => {
    const up = await bin(importArgs("--dir", ".."), repo.dir, envFor(org));
    expect(up.code).toBe(1);
    expect(up.err).toContain("outside integrations/");
    symlinkSync(outside, path.join(repo.dir, "integrations", "linked"));
    const linked = await bin(importArgs("--dir", "integrations/linked"), repo.dir, envFor(org));
    expect(linked.code).toBe(1);
    expect(readdirSync(outside).sort()).toEqual(["precious.txt"]);
  });
});

describe("the local org's data folder", { timeout: 90_000 }, () => {
  it("is created 0700, with its files 0600", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "okta-gitops-local-"));
    mkdirSync(path.join(dir, "integrations"));
    const r = await bin(["plan"], dir, {});
    expect(r.err).toContain("Using the local Okta org");
    const data = path.join(dir, ".okta-gitops", "local-org");
    expect(statSync(path.join(dir, ".okta-gitops")).mode & 0o777).toBe(0o700);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    const files = readdirSync(data);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect([f, statSync(path.join(data, f)).mode & 0o777]).toEqual([f, 0o600]);
  });
});
