// The App's cache of commits' trees: each commit's archive is downloaded once while it is kept,
// and the cache holds a bounded number of bytes, so that a few pull requests of large trees
// cannot fill the process's memory. Through the port over the local GitHub.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Probot } from "probot";
import { ArchiveCache } from "../../src/github/archives.js";
import { octokitPort, type OctokitLike } from "../../src/github/octokit-port.js";
import type { GitHubPort } from "../../src/github/port.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { captureLogger, TestOctokit } from "../support/probot.js";

let gh: LocalGitHub;
let port: GitHubPort;
const REPO = "acme/cache";
const shas: string[] = [];

beforeAll(async () => {
  gh = await startLocalGitHub();
  gh.createRepo(REPO);
  // Three commits of about 100 KB of integration files each.
  for (let i = 0; i < 3; i++)
    shas.push(
      gh.commit(REPO, "main", { [`integrations/big-${i}.yaml`]: `# ${"x".repeat(100_000)}\n` }),
    );
  const probot = new Probot({
    appId: gh.appId,
    privateKey: gh.privateKey,
    baseUrl: `${gh.url}/api/v3`,
    Octokit: TestOctokit,
    log: captureLogger([]),
  });
  const octokit = (await probot.auth(gh.installationId)) as unknown as OctokitLike;
  port = octokitPort(octokit, { owner: "acme", repo: "cache" });
});

afterAll(async () => {
  expect(gh.violations()).toEqual([]);
  await gh.close();
});

const downloads = () => gh.requests().filter((r) => r.operationId === "codeload").length;

describe("ArchiveCache", () => {
  it("downloads a commit's archive once while it is kept", async () => {
    const cache = new ArchiveCache();
    const before = downloads();
    const [a, b] = await Promise.all([cache.tree(port, shas[0]!), cache.tree(port, shas[0]!)]);
    await cache.tree(port, shas[0]!);
    expect(a).toBe(b);
    expect(downloads() - before).toBe(1);
  });

  it("keeps no more bytes than its bound: the oldest trees go first, the newest stays", async () => {
    // Room for two of the trees (each holds all the files up to its commit: 100, 200, 300 KB).
    const cache = new ArchiveCache(16, 350_000);
    for (const sha of shas) await cache.tree(port, sha);
    const before = downloads();
    await cache.tree(port, shas[2]!);
    expect(downloads() - before).toBe(0);
    await cache.tree(port, shas[0]!);
    expect(downloads() - before).toBe(1);
  });
});
