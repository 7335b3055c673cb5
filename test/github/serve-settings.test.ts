// `okta-gitops serve` reads its settings from the environment: what each error says, that no
// secret is ever repeated in one, and the defaults that keep the App safe (HOST 127.0.0.1, no
// default webhook secret).
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { serveSettings, SERVE_HELP, runServe } from "../../src/cli/commands/serve.js";
import { testIo } from "../reconcile/harness.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const base = { APP_ID: "12345", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s3cr3t-webhook-value" };

function errorOf(env: Record<string, string>): string {
  try {
    serveSettings(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("no error");
}

describe("okta-gitops serve settings", () => {
  it("defaults to 127.0.0.1:3000 and github.com, and points at GHE_HOST's /api/v3", () => {
    const s = serveSettings(base);
    expect(s).toMatchObject({ appId: 12345, host: "127.0.0.1", port: 3000, logLevel: "info" });
    expect(s.baseUrl).toBeUndefined();
    expect(s.repository).toBeUndefined();
    const ghe = serveSettings({
      ...base,
      GHE_HOST: "127.0.0.1:8080",
      GHE_PROTOCOL: "http",
      OKTA_GITOPS_REPOSITORY: "acme/okta",
    });
    expect(ghe.baseUrl).toBe("http://127.0.0.1:8080/api/v3");
    expect(ghe.repository).toEqual({ owner: "acme", repo: "okta" });
  });

  it("requires a webhook secret: there is no default one", () => {
    const { WEBHOOK_SECRET: _, ...rest } = base;
    expect(errorOf(rest)).toMatch(/WEBHOOK_SECRET is required/);
  });

  it("names each variable at fault and never repeats a key or a secret", () => {
    const message = errorOf({
      APP_ID: "abc",
      PRIVATE_KEY: pem,
      WEBHOOK_SECRET: "s3cr3t-webhook-value",
      PORT: "99999",
      OKTA_GITOPS_REPOSITORY: "not a repo",
      GHE_PROTOCOL: "ftp",
    });
    expect(message).toMatch(/APP_ID must be the App's numeric id/);
    expect(message).toMatch(/PORT must be a port number/);
    expect(message).toMatch(/OKTA_GITOPS_REPOSITORY must be owner\/name/);
    expect(message).toMatch(/GHE_PROTOCOL must be https or http/);
    expect(message).not.toContain("s3cr3t");
    const bad = errorOf({
      ...base,
      PRIVATE_KEY:
        "-----BEGIN RSA PRIVATE KEY-----\nAAAAsecretbytes\n-----END RSA PRIVATE KEY-----",
    });
    expect(bad).toBe("PRIVATE_KEY: not an RSA private key in PEM form (as GitHub issues one)");
    expect(errorOf({ ...base, PRIVATE_KEY_PATH: "/nonexistent/key.pem" })).toBe(
      "set exactly one of PRIVATE_KEY and PRIVATE_KEY_PATH",
    );
  });

  it("accepts the key with \\n escapes or base64, as Probot does", () => {
    expect(serveSettings({ ...base, PRIVATE_KEY: pem.replace(/\n/g, "\\n") }).privateKey).toBe(
      pem.trim(),
    );
    expect(
      serveSettings({ ...base, PRIVATE_KEY: Buffer.from(pem).toString("base64") }).privateKey,
    ).toBe(pem.trim());
  });

  it("--help says what each setting means; a bad setting is one line, exit 1", async () => {
    const io = testIo("/", {});
    expect(await runServe(["--help"], io)).toBe(0);
    for (const v of [
      "APP_ID",
      "PRIVATE_KEY_PATH",
      "WEBHOOK_SECRET",
      "HOST",
      "GHE_HOST",
      "OKTA_GITOPS_REPOSITORY",
    ])
      expect(SERVE_HELP).toContain(v);
    const bad = testIo("/", { APP_ID: "1", PRIVATE_KEY: pem });
    expect(await runServe([], bad)).toBe(1);
    expect(bad.err).toBe(
      "okta-gitops serve: the App's settings are not usable: WEBHOOK_SECRET is required: the secret set in the App's webhook settings\n",
    );
  });

  it("--help documents REDIS_URL and OKTA_GITOPS_REDIS_PREFIX; an unusable one is refused by name, never printed", async () => {
    expect(SERVE_HELP).toMatch(/REDIS_URL +redis:\/\/ or rediss:\/\//);
    expect(SERVE_HELP).toContain("OKTA_GITOPS_REDIS_PREFIX");
    expect(SERVE_HELP).toMatch(/On SIGTERM/);
    const given = { APP_ID: "1", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s" };
    const bad = testIo("/", { ...given, REDIS_URL: "http://admin:hunter2@redis.internal:6379" });
    expect(await runServe([], bad)).toBe(1);
    expect(bad.err).toBe(
      "okta-gitops serve: the App's settings are not usable: REDIS_URL must be a redis:// or rediss:// address\n",
    );
    const prefix = testIo("/", {
      ...given,
      REDIS_URL: "redis://127.0.0.1:1",
      OKTA_GITOPS_REDIS_PREFIX: "a b",
    });
    expect(await runServe([], prefix)).toBe(1);
    expect(prefix.err).toContain("OKTA_GITOPS_REDIS_PREFIX must be 1 to 64 letters");
    expect(SERVE_HELP).toContain("OKTA_GITOPS_JOB_LOCK_SECONDS");
    const lock = testIo("/", {
      ...given,
      REDIS_URL: "redis://127.0.0.1:1",
      OKTA_GITOPS_JOB_LOCK_SECONDS: "0",
    });
    expect(await runServe([], lock)).toBe(1);
    expect(lock.err).toContain("OKTA_GITOPS_JOB_LOCK_SECONDS must be 1 to 600 seconds");
  });
});
