// A crash mid-apply: a child process running `okta-gitops apply` is killed (SIGKILL) after K
// writes reached the org, for several K. The next apply takes over the dead run's lock once its
// lease lapses, converges, and leaves exactly one of everything.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { envFor, ownedCounts, Repo, startOrg, testIo, writeIntegrations } from "./harness.js";

const CLI = fileURLToPath(new URL("../../src/cli/run.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
const LEASE_S = 1;

let org: LocalOrg | undefined;
let repo: Repo | undefined;
afterEach(async () => {
  await org?.close();
  repo?.cleanup();
});

const writes = (o: LocalOrg) =>
  o.requests().filter((r) => r.method !== "GET" && !r.url.startsWith("/oauth2/v1/token")).length;

/** Runs apply in a child process and kills it once `k` writes have reached the org. */
async function applyKilledAfter(k: number): Promise<{ killedAt: number; killed: boolean }> {
  const child = spawn(process.execPath, ["--import", TSX, CLI, "apply", "--yes"], {
    cwd: repo!.dir,
    env: { ...process.env, ...envFor(org!), OKTA_GITOPS_LOCK_LEASE_SECONDS: String(LEASE_S) },
    stdio: process.env.KILL_DEBUG ? "inherit" : "ignore",
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let exited = false;
  void exit.then(() => (exited = true));
  const start = writes(org!);
  while (!exited && writes(org!) - start < k) await sleep(1);
  const killed = !exited;
  child.kill("SIGKILL");
  await exit;
  return { killedAt: writes(org!) - start, killed };
}

describe("apply killed mid-run", () => {
  it("converges after kills at several points, with no duplicate", async () => {
    org = await startOrg();
    repo = new Repo();
    const group = org.seed.group("employees").id;
    const expected = writeIntegrations(repo, 3, group);
    const env = { ...envFor(org), OKTA_GITOPS_LOCK_LEASE_SECONDS: String(LEASE_S) };
    const kills: string[] = [];
    for (const k of [1, 3, 6, 10, 15]) {
      // Start from nothing each time: remove what earlier rounds made, through apply itself.
      // Latency spreads the child's writes out, so that the kill lands where it is aimed.
      org.setFaults({ latencyMs: 15 });
      const { killedAt, killed } = await applyKilledAfter(k);
      org.setFaults({});
      kills.push(`${k}:${killedAt}${killed ? "†" : ""}`);
      await sleep(LEASE_S * 1000 + 200);
      const io = testIo(repo.dir, env);
      const code = await runApply(["--yes"], io);
      expect(code, `K=${k}: ${io.out}${io.err}`).toBe(0);
      expect(ownedCounts(org), `K=${k}`).toEqual(expected);
      const plan = testIo(repo.dir, env);
      expect(await runPlan([], plan), plan.out).toBe(0);
      // Reset Okta to empty for the next K, with faults off.
      for (const name of Object.keys(expected)) repo.remove(name);
      const wipe = testIo(repo.dir, env);
      expect(await runApply(["--yes", "--confirm-deletions"], wipe), wipe.out + wipe.err).toBe(0);
      expect(ownedCounts(org)).toEqual({});
      writeIntegrations(repo, 3, group);
    }
    // Every kill landed mid-run (K:writes seen†: the child was killed before it finished).
    expect(
      kills.every((s) => s.endsWith("†")),
      kills.join(" "),
    ).toBe(true);
  }, 120_000);
});
