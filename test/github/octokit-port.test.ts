// The port over Octokit against the local GitHub, through Probot's own installation
// authentication: lists read to the end across pages, check-run annotations sent 50 a request
// with every one arriving, the archive fetched through GitHub's redirect and refused past its
// bound, a missing team membership read as "none". Every request and answer is checked against
// GitHub's OpenAPI description.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Probot } from "probot";
import { octokitPort, type OctokitLike } from "../../src/github/octokit-port.js";
import type { Annotation, GitHubPort } from "../../src/github/port.js";
import { readArchive } from "../../src/github/archive.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { captureLogger, TestOctokit } from "../support/probot.js";

let gh: LocalGitHub;
let port: GitHubPort;
const REPO = "acme/port";

beforeAll(async () => {
  gh = await startLocalGitHub();
  gh.createRepo(REPO);
  gh.commit(REPO, "main", { "integrations/a.yaml": "a: 1\n", "README.md": "hi\n" });
  const probot = new Probot({
    appId: gh.appId,
    privateKey: gh.privateKey,
    baseUrl: `${gh.url}/api/v3`,
    Octokit: TestOctokit,
    log: captureLogger([]),
  });
  const octokit = (await probot.auth(gh.installationId)) as unknown as OctokitLike;
  port = octokitPort(octokit, { owner: "acme", repo: "port" });
});

afterAll(async () => {
  expect(gh.violations()).toEqual([]);
  await gh.close();
});

describe("octokitPort", () => {
  it("reads every comment across pages, oldest first", async () => {
    gh.commit(REPO, "many", { "integrations/b.yaml": "b: 1\n" });
    const pr = gh.openPullRequest(REPO, { head: "many", author: "alice" });
    for (let i = 0; i < 230; i++) await port.createComment(pr, `comment ${i}`);
    const all = await port.comments(pr);
    expect(all).toHaveLength(230);
    expect(all[0]!.body).toBe("comment 0");
    expect(all[229]!.body).toBe("comment 229");
    expect(all[0]!.author).toBe(`${gh.appSlug}[bot]`);
    const pages = gh.requests().filter((r) => r.operationId === "issues/list-comments");
    expect(pages).toHaveLength(3);
  });

  it("sends annotations 50 a request, completes the run with the last batch, and all arrive", async () => {
    const head = gh.branchHead(REPO, "main");
    const annotations: Annotation[] = Array.from({ length: 123 }, (_, i) => ({
      path: "integrations/a.yaml",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure",
      message: `finding ${i}`,
      title: "rule",
    }));
    const { id } = await port.createCheckRun("okta-gitops/policy", head, {
      status: "completed",
      conclusion: "failure",
      output: { title: "t", summary: "s", text: "x", annotations },
    });
    const run = gh.checkRuns(REPO, head).find((c) => c.id === id)!;
    expect(run.writes).toBe(3);
    expect(run.annotations.map((a) => a.start_line)).toEqual(annotations.map((a) => a.start_line));
    expect(run.conclusion).toBe("failure");
    expect(run.status).toBe("completed");
    expect(run.output.text).toBe("x");
  });

  it("follows the archive's redirect and refuses one larger than the bound", async () => {
    const head = gh.branchHead(REPO, "main");
    const gz = await port.tarball(head, 10 * 1024 * 1024);
    const tree = await readArchive(gz);
    expect(tree.files.map((f) => f.path)).toEqual(["integrations/a.yaml"]);
    await expect(port.tarball(head, 20)).rejects.toThrow(/larger than 20 bytes/);
  });

  it("reads a file at a ref, and none where there is none", async () => {
    const head = gh.branchHead(REPO, "main");
    expect(new TextDecoder().decode(await port.fileAt("integrations/a.yaml", head))).toBe("a: 1\n");
    expect(await port.fileAt(".okta-gitops.yml", "main")).toBeUndefined();
  });

  it("reads a team membership: active, pending, and none for a 404", async () => {
    gh.addTeamMember("acme", "identity", "ines");
    gh.addTeamMember("acme", "identity", "paul", "pending");
    expect(await port.teamMembership("acme", "identity", "ines")).toBe("active");
    expect(await port.teamMembership("acme", "identity", "paul")).toBe("pending");
    expect(await port.teamMembership("acme", "identity", "mallory")).toBe("none");
  });

  it("finds the merge base, the pull request's commits and the commits that touched a file", async () => {
    const base = gh.branchHead(REPO, "main");
    gh.commit(REPO, "feature", { "integrations/c.yaml": "c: 1\n" }, { author: "bob" });
    gh.commit(REPO, "feature", { "README.md": "more\n" }, { author: "carol" });
    const pr = gh.openPullRequest(REPO, { head: "feature", author: "bob" });
    const info = await port.pullRequest(pr);
    expect(await port.mergeBase(info.baseSha, info.headSha)).toBe(base);
    const commits = await port.pullCommits(pr);
    expect(commits.map((c) => c.author)).toEqual(["bob", "carol"]);
    const touching = await port.commitsTouching("integrations/c.yaml", info.headSha, 10);
    expect(touching.map((c) => c.author)).toEqual(["bob"]);
  });
});
