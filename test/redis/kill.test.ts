// A replica killed (SIGKILL) in the middle of an apply, with the lock in Redis: the child process
// running `okta-gitops apply` holds the org's lock when it dies; nothing releases it, so the next
// apply waits for its lease to lapse, then converges, with exactly one of everything in Okta and
// no lock zone ever made there.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runApply } from "../../src/cli/commands/apply.js";
import type { LocalOrg } from "../../src/local-org/index.js";
import { LOCK_ZONE } from "../../src/okta/lock.js";
import {
  envFor,
  ownedCounts,
  Repo,
  startOrg,
  testIo,
  writeIntegrations,
} from "../reconcile/harness.js";
import { REDIS_AVAILABLE, startRedis, type TestRedis } from "../support/redis.js";

const CLI = fileURLToPath(new URL("../../src/cli/run.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
const LEASE_S = 1;

let redis: TestRedis;

const writes = (o: LocalOrg) =>
  o.requests().filter((r) => r.method !== "GET" && !r.url.startsWith("/oauth2/v1/token")).length;

describe.skipIf(!REDIS_AVAILABLE)("a replica killed mid-apply, with the lock in Redis", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it("leaves a lock that expires after one lease; the next apply then converges with no duplicate", async () => {
    const org = await startOrg();
    const repo = new Repo();
    try {
      const expected = writeIntegrations(repo, 2, org.seed.group("employees").id);
      const prefix = redis.prefix();
      const env = {
        ...envFor(org),
        REDIS_URL: redis.url,
        OKTA_GITOPS_REDIS_PREFIX: prefix,
        OKTA_GITOPS_LOCK_LEASE_SECONDS: String(LEASE_S),
      };
      const key = `${prefix}:lock:${new URL(org.url).host}`;
      // Latency spreads the child's writes out, so that the kill lands mid-apply.
      org.setFaults({ latencyMs: 15 });
      const child = spawn(process.execPath, ["--import", TSX, CLI, "apply", "--yes"], {
        cwd: repo.dir,
        env: { ...process.env, ...env },
        stdio: "ignore",
      });
      const exit = new Promise((resolve) => child.on("exit", resolve));
      let exited = false;
      void exit.then(() => (exited = true));
      const deadline = Date.now() + 60_000;
      while (!exited && writes(org) < 3 && Date.now() < deadline) await sleep(1);
      expect(exited).toBe(false);
      child.kill("SIGKILL");
      await exit;
      org.setFaults({});
      // The dead run's lock is still there: nobody released it.
      const c = redis.client();
      expect(await c.get(key)).toMatch(/"holder":".* pid \d+ since /);

      const started = Date.now();
      const io = testIo(repo.dir, env);
      const code = await runApply(["--yes"], io);
      expect(code, io.err).toBe(0);
      // It waited for the lease to lapse (at most one lease and a poll), then did the rest.
      expect(Date.now() - started).toBeLessThan(LEASE_S * 1000 + 10_000);
      expect(ownedCounts(org)).toEqual(expected);
      expect(await c.exists(key)).toBe(0);
      expect(
        org
          .requests()
          .filter(
            (r) => r.method === "POST" && JSON.stringify(r.requestBody ?? "").includes(LOCK_ZONE),
          ),
      ).toEqual([]);
    } finally {
      repo.cleanup();
      await org.close();
    }
  }, 120_000);
});
