// `okta-gitops serve` as `npm start` runs it (bin/okta-gitops.js over dist/: `npm run build`
// first), in a child process: it listens on 127.0.0.1 by default, refuses a forged delivery,
// checks a pull request from a signed one, logs no secret, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { BIN } from "../support/cli-process.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { deliver, pullRequestEvent, pushEvent } from "../support/local-github/webhooks.js";
import { REDIS_AVAILABLE, startRedis } from "../support/redis.js";
import { envFor, startOrg } from "../reconcile/harness.js";
import { integrationYaml, POLICY } from "./support.js";

let gh: LocalGitHub;
let org: LocalOrg;
let cwd: string;

beforeAll(async () => {
  gh = await startLocalGitHub();
  org = await startOrg();
  cwd = mkdtempSync(path.join(tmpdir(), "okta-gitops-serve-"));
});

afterAll(async () => {
  expect(gh.violations()).toEqual([]);
  await org.close();
  await gh.close();
  rmSync(cwd, { recursive: true, force: true });
});

const SECRET = "a-webhook-secret-never-logged";

function serve(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
} {
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd,
    env: { NO_COLOR: "1", PATH: process.env.PATH ?? "", ...env },
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = new Promise<string>((resolve, reject) => {
    const seen = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on("data", seen);
    child.stderr!.on("data", seen);
    child.on("close", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  // A test that expects the process to exit does not wait for the address.
  url.catch(() => {});
  return { child, output: () => out, url };
}

/** The settings of an App applying `repo`, against this file's local GitHub and org. */
function appEnv(repo: string): Record<string, string> {
  return {
    APP_ID: String(gh.appId),
    PRIVATE_KEY: gh.privateKey,
    WEBHOOK_SECRET: SECRET,
    PORT: "0",
    GHE_HOST: gh.host,
    GHE_PROTOCOL: "http",
    OKTA_GITOPS_REPOSITORY: repo,
    ...envFor(org),
  };
}

async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("okta-gitops serve", () => {
  it("refuses to start without a webhook secret, naming it", async () => {
    const { child, output } = serve({ APP_ID: String(gh.appId), PRIVATE_KEY: gh.privateKey });
    const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
    expect(code).toBe(1);
    expect(output()).toContain("WEBHOOK_SECRET is required");
    expect(output()).not.toContain("PRIVATE KEY");
  });

  it("serves on 127.0.0.1: refuses a forged delivery, checks a signed one, stops on SIGTERM", async () => {
    const repo = "acme/okta-access";
    gh.createRepo(repo);
    gh.commit(repo, "main", { "integrations/hr-sync.yaml": integrationYaml("hr-sync") });
    const head = gh.commit(
      repo,
      "add",
      {
        "integrations/expenses.yaml": integrationYaml("expenses", {
          network: { allow: ["198.51.100.7/32"] },
        }),
      },
      { author: "alice" },
    );
    const pr = gh.openPullRequest(repo, { head: "add", author: "alice" });
    const { child, output, url } = serve(appEnv(repo));
    try {
      const base = await url;
      const payload = pullRequestEvent(gh, repo, pr, "opened");
      const forged = await deliver(base, "pull_request", payload, SECRET, { badSignature: true });
      expect(forged.status).toBe(401);
      const real = await deliver(base, "pull_request", payload, SECRET);
      expect(real.status).toBe(202);
      await until(() =>
        gh.checkRuns(repo, head).some((c) => c.name === POLICY && c.status === "completed"),
      );
      expect(gh.checkRuns(repo, head).find((c) => c.name === POLICY)!.conclusion).toBe("success");
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
    expect(code).toBe(0);
    expect(output()).not.toContain(SECRET);
    expect(output()).not.toContain("PRIVATE KEY");
    expect(output()).not.toContain(envFor(org).OKTA_PRIVATE_KEY);
  });

  for (const mode of ["memory", "redis"] as const)
    it.skipIf(mode === "redis" && !REDIS_AVAILABLE)(
      `on SIGTERM in the middle of an apply (${mode}), stops taking deliveries, lets the apply finish and exits 0`,
      async () => {
        const redis = mode === "redis" ? await startRedis() : undefined;
        const repo = `acme/okta-shutdown-${mode}`;
        gh.createRepo(repo);
        const base = gh.commit(repo, "main", {
          "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
        });
        const after = gh.commit(repo, "main", {
          [`integrations/payroll-${mode}.yaml`]: integrationYaml(`payroll-${mode}`, {
            network: { allow: ["198.51.100.9/32"] },
          }),
        });
        const { child, output, url } = serve({
          ...appEnv(repo),
          ...(redis ? { REDIS_URL: redis.url, OKTA_GITOPS_REDIS_PREFIX: redis.prefix() } : {}),
        });
        const apply = () => gh.checkRuns(repo, after).find((c) => c.name === "okta-gitops/apply");
        try {
          const address = await url;
          // Okta answers slowly: the apply is still running when SIGTERM comes.
          org.setFaults({ latencyMs: 150 });
          const started = Date.now();
          const d = await deliver(
            address,
            "push",
            pushEvent(gh, repo, { ref: "refs/heads/main", before: base, after }),
            SECRET,
          );
          const ackMs = Date.now() - started;
          expect(d.status).toBe(202);
          await until(() => apply()?.status === "in_progress");
          // Acknowledged before the work was done (it is still running).
          expect(ackMs).toBeLessThan(Date.now() - started);
          const closed = new Promise<number>((r) => child.on("close", (c) => r(c ?? -1)));
          child.kill("SIGTERM");
          await until(() => output().includes("SIGTERM: stopping"));
          // No delivery is taken any more, while the apply still runs.
          const late = await deliver(
            address,
            "push",
            pushEvent(gh, repo, { ref: "refs/heads/main", before: base, after }),
            SECRET,
          ).catch((e: Error) => e);
          expect(late).toBeInstanceOf(Error);
          expect(apply()?.status).toBe("in_progress");
          const code = await closed;
          expect(code, output()).toBe(0);
          expect(apply()?.status).toBe("completed");
          expect(apply()?.conclusion, JSON.stringify(apply()?.output)).toBe("success");
          expect(
            Object.values(org.state.apps).filter((a) => a.label === `payroll-${mode}`),
          ).toHaveLength(1);
          expect(output()).toContain("SIGTERM: stopping");
          expect(output()).not.toContain(SECRET);
          if (redis) expect(output()).not.toContain(redis.url);
        } finally {
          org.setFaults({});
          child.kill("SIGKILL");
          await redis?.close();
        }
      },
    );
});
