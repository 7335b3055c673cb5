// Redis for the tests that run several replicas: Debian's redis-server on 127.0.0.1. CI (.ci/run)
// starts one on a free port and says where in OKTA_GITOPS_TEST_REDIS_URL; elsewhere each test
// file starts its own when redis-server is installed. Without it, the Redis tests are skipped
// (`describe.skipIf(!REDIS_AVAILABLE)`), with a line saying so. Each test takes its own key
// prefix, so that files sharing one server never see each other's keys.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";

const GIVEN = process.env.OKTA_GITOPS_TEST_REDIS_URL;
const INSTALLED = !GIVEN && spawnSync("redis-server", ["--version"]).status === 0;

export const REDIS_AVAILABLE = Boolean(GIVEN) || INSTALLED;
if (!REDIS_AVAILABLE)
  console.warn(
    "redis-server is not installed (apt-get install redis-server): the Redis tests are skipped",
  );

export interface TestRedis {
  url: string;
  /** A fresh key prefix (OKTA_GITOPS_REDIS_PREFIX) for one test. */
  prefix(): string;
  /** A client, closed by close(). */
  client(): Redis;
  close(): Promise<void>;
}

/** A loopback port free right now (nothing listens on it once this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The server to use: CI's, or one started for this file (stopped by close()). */
export async function startRedis(): Promise<TestRedis> {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  let url = GIVEN;
  if (!url) {
    dir = mkdtempSync(path.join(tmpdir(), "okta-gitops-redis-"));
    const port = await freePort();
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { cwd: dir, stdio: "ignore" },
    );
    url = `redis://127.0.0.1:${port}`;
    // A fresh client per attempt: one whose first connect failed keeps reconnecting on its own
    // and refuses connect() again ("already connecting"), so it would never be seen to succeed.
    for (let i = 0; ; i++) {
      const probe = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on("error", () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch {
        if (i > 100) throw new Error("redis-server did not start");
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  }
  const clients: Redis[] = [];
  return {
    url,
    prefix: () => `test-${randomBytes(6).toString("hex")}`,
    client: () => {
      const c = new Redis(url!, { maxRetriesPerRequest: null });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.disconnect();
      if (child) {
        child.kill("SIGTERM");
        await new Promise((r) => child!.once("exit", r));
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
