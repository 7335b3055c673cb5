// The adapters' edges: Okta settings from the environment, the pacer, the apply locks, the import
// line, and the adapter's 429 handling against the local org (a retry with a fresh DPoP proof).
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { importLine, progressBar } from "../../src/cli/reconcile-support.js";
import { connectOkta } from "../../src/okta/adapter.js";
import { FileLock, LockHeldError, OktaLock } from "../../src/okta/lock.js";
import { bucketOf, Pacer } from "../../src/okta/pacer.js";
import { oktaSettingsFromEnv } from "../../src/okta/settings.js";
import { envFor, startOrg, testIo } from "./harness.js";

let org: LocalOrg | undefined;
afterEach(async () => {
  await org?.close();
  org = undefined;
});

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe("Okta settings", () => {
  it("uses the local org when no OKTA_* variable is set", () => {
    expect(oktaSettingsFromEnv({ HOME: "/root" })).toBeUndefined();
  });

  it("names what is missing or malformed", () => {
    expect(() => oktaSettingsFromEnv({ OKTA_ORG_URL: "https://acme.okta.com" })).toThrow(
      /OKTA_CLIENT_ID is required; OKTA_SCOPES is required/,
    );
    expect(() =>
      oktaSettingsFromEnv({
        OKTA_ORG_URL: "acme",
        OKTA_CLIENT_ID: "0oa1",
        OKTA_PRIVATE_KEY: "k",
        OKTA_SCOPES: "okta.apps.read",
      }),
    ).toThrow(/OKTA_ORG_URL must be the org's URL/);
  });

  it("reads the key from OKTA_PRIVATE_KEY_FILE", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "okta-key-")), "key.pem");
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ format: "pem", type: "pkcs8" })
      .toString();
    writeFileSync(file, pem);
    const s = oktaSettingsFromEnv({
      OKTA_ORG_URL: "https://acme.okta.com/",
      OKTA_CLIENT_ID: "0oa1",
      OKTA_PRIVATE_KEY_FILE: file,
      OKTA_SCOPES: "okta.apps.read okta.apps.manage",
    });
    expect(s).toEqual({
      orgUrl: "https://acme.okta.com",
      clientId: "0oa1",
      privateKey: pem,
      scopes: ["okta.apps.read", "okta.apps.manage"],
    });
  });
});

describe("pacer", () => {
  it("keeps to the announced share and waits for the reset when it is used up", async () => {
    let now = 1_000_000;
    const pacer = new Pacer({
      share: 0.5,
      now: () => now,
      sleep: () => new Promise((r) => setTimeout(r, 2)),
    });
    await pacer.acquire("apps");
    const reset = String(Math.ceil((now + 60_000) / 1000));
    pacer.release(
      "apps",
      headers({
        "x-rate-limit-limit": "10",
        "x-rate-limit-remaining": "9",
        "x-rate-limit-reset": reset,
      }),
    );
    // Half of 10 may be used: 1 is used, 4 more fit.
    for (let i = 0; i < 4; i++) await pacer.acquire("apps");
    let waited = false;
    const fifth = pacer.acquire("apps").then(() => (waited = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(waited).toBe(false);
    now += 61_000; // the window resets
    await fifth;
    expect(waited).toBe(true);
    expect(pacer.waits).toBeGreaterThan(0);
  });

  it("knows Okta's buckets by path", () => {
    expect(bucketOf("https://acme.okta.com/api/v1/apps/0oa1/grants?x=1")).toBe("apps");
    expect(bucketOf("/oauth2/v1/clients/0oa1/roles")).toBe("clients");
    expect(bucketOf("/api/v1/iam/roles")).toBe("iam");
  });
});

describe("locks", () => {
  it("a file lock refuses a second holder and takes over from a dead process", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "okta-lock-")), "apply.lock");
    const first = new FileLock(file);
    await first.acquire();
    await expect(new FileLock(file).acquire()).rejects.toBeInstanceOf(LockHeldError);
    await first.release();
    // A lock left by a process that no longer exists (pid far above pid_max).
    writeFileSync(
      file,
      JSON.stringify({
        pid: 99_999_999,
        host: (await import("node:os")).hostname(),
        started: new Date().toISOString(),
      }),
    );
    const next = new FileLock(file);
    await next.acquire();
    expect(next.staleRemoved).toContain("pid 99999999");
    await next.release();
  });

  it("a lock zone in Okta holds against a second apply and is released", async () => {
    org = await startOrg();
    const e = envFor(org);
    const settings = oktaSettingsFromEnv(e)!;
    const a = await connectOkta(settings);
    const b = await connectOkta(settings);
    const first = new OktaLock(a.adapter, 60_000);
    await first.acquire();
    await expect(new OktaLock(b.adapter, 60_000).acquire()).rejects.toThrow(
      /another apply holds the lock/,
    );
    await first.release();
    const second = new OktaLock(b.adapter, 60_000);
    await second.acquire();
    await second.release();
    expect(Object.values(org.state.zones)).toEqual([]);
  });
});

describe("the import line", () => {
  it("is read from the comment block before the document only", () => {
    expect(importLine("# x\n# okta-gitops import: app=0oa1 zone=nzo2\napiVersion: v\n")).toEqual({
      app: "0oa1",
      zone: "nzo2",
    });
    expect(importLine("apiVersion: v\n# okta-gitops import: app=0oa1\n")).toBeUndefined();
    expect(importLine("# okta-gitops import: app=0oa1;rm zone=../x\n")).toBeUndefined();
  });
});

describe("429", () => {
  it("waits for the reset and retries with a fresh DPoP proof", async () => {
    org = await startOrg({ rateLimits: { perMinute: 6, windowMs: 1000 } });
    const settings = oktaSettingsFromEnv(envFor(org))!;
    const other = await connectOkta(settings);
    const bot = await connectOkta(settings);
    // Another run of the bot uses up its share (3 of 6) of the bucket: this one cannot know.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    for (let i = 0; i < 3; i++) await other.adapter.call("GET", "/api/v1/zones");
    const { json } = await bot.adapter.call<unknown[]>("GET", "/api/v1/zones");
    expect(Array.isArray(json)).toBe(true);
    const mine = org
      .requests()
      .filter((r) => r.principal === org!.credentials.clientId && r.template === "/api/v1/zones");
    expect(mine.map((r) => r.status)).toEqual([200, 200, 200, 429, 200]);
    expect(bot.pacer.throttled).toBe(1);
  });
});

describe("progress", () => {
  it("draws a bar on a terminal only", () => {
    const tty = testIo("/", {});
    tty.stderrIsTTY = true;
    const bar = progressBar(tty, "Applying");
    bar.update(3, 12);
    bar.update(12, 12);
    bar.end();
    expect(tty.err).toContain("Applying [" + "#".repeat(30) + "] 12/12\n");
    const pipe = testIo("/", {});
    const quiet = progressBar(pipe, "Applying");
    quiet.update(12, 12);
    quiet.end();
    expect(pipe.err).toBe("");
  });
});
