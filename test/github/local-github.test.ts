// The local GitHub the App's tests run against, driven as the App drives GitHub: through Probot's
// own Octokit over HTTP (JWT, then an installation token), with every request and answer checked
// against GitHub's OpenAPI description: each test ends with 0 violations.
import { sign } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { Probot, ProbotOctokit } from "probot";
import { extract } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";

const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

let gh: LocalGitHub;
beforeEach(async () => {
  gh = await startLocalGitHub();
  gh.createRepo("acme/okta-config");
  gh.commit(
    "acme/okta-config",
    "main",
    { "README.md": "hello\n", "integrations/a.yaml": "name: a\n" },
    { author: "alice" },
  );
});
afterEach(async () => {
  await gh.close();
});

function probot(privateKey = gh.privateKey): Probot {
  return new Probot({
    appId: gh.appId,
    privateKey,
    baseUrl: `${gh.url}/api/v3`,
    Octokit,
    logLevel: "fatal",
  } as never);
}

/** A GitHub App JWT as Octokit makes one (RS256, iss = the App's id), `shift` seconds off now. */
function appJwt(privateKey: string, appId: number, shift = 0): string {
  const now = Math.floor(Date.now() / 1000) + shift;
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: appId })}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), privateKey).toString("base64url")}`;
}

async function installation() {
  return probot().auth(gh.installationId);
}

async function untar(
  gz: Uint8Array,
): Promise<Map<string, { type: string; body: string; linkname?: string }>> {
  const out = new Map<string, { type: string; body: string; linkname?: string }>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        out.set(header.name, {
          type: header.type ?? "file",
          body: Buffer.concat(chunks).toString("utf8"),
          linkname: header.linkname ?? undefined,
        });
        next();
      });
      stream.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.end(gunzipSync(gz));
  await done;
  return out;
}

describe("local GitHub: authentication as a GitHub App", () => {
  it("answers GET /app to the App's JWT and issues installation tokens that the API accepts", async () => {
    const appOctokit = await probot().auth();
    const { data: app } = await appOctokit.rest.apps.getAuthenticated();
    expect(app?.id).toBe(gh.appId);
    expect(app?.slug).toBe(gh.appSlug);
    const { data: inst } = await appOctokit.rest.apps.getRepoInstallation({
      owner: "acme",
      repo: "okta-config",
    });
    expect(inst.id).toBe(gh.installationId);
    const octokit = await installation();
    const { data: repo } = await octokit.rest.repos.get({ owner: "acme", repo: "okta-config" });
    expect(repo.default_branch).toBe("main");
    const ops = gh.requests().map((r) => `${r.operationId} ${r.status}`);
    expect(ops).toContain("apps/create-installation-access-token 201");
    expect(gh.violations()).toEqual([]);
  });

  it("refuses a JWT signed with another key, an API call without a token, and a JWT where a token is needed", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    const forged = await probot(other).auth();
    await expect(forged.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    const anonymous = new Octokit({ baseUrl: `${gh.url}/api/v3` } as never);
    await expect(
      anonymous.rest.repos.get({ owner: "acme", repo: "okta-config" }),
    ).rejects.toMatchObject({ status: 401 });
    // Octokit's App auth would not send a JWT there; a raw request does, and is refused.
    const jwt = appJwt(gh.privateKey, gh.appId);
    const get = (path: string) =>
      fetch(`${gh.url}/api/v3${path}`, { headers: { authorization: `Bearer ${jwt}` } });
    expect((await get("/app")).status).toBe(200);
    expect((await get("/repos/acme/okta-config")).status).toBe(401);
    expect((await get("/app")).status).toBe(200);
    const expired = appJwt(gh.privateKey, gh.appId, -700);
    expect(
      (await fetch(`${gh.url}/api/v3/app`, { headers: { authorization: `Bearer ${expired}` } }))
        .status,
    ).toBe(401);
    const wrongIss = appJwt(gh.privateKey, gh.appId + 1);
    expect(
      (await fetch(`${gh.url}/api/v3/app`, { headers: { authorization: `Bearer ${wrongIss}` } }))
        .status,
    ).toBe(401);
    expect(gh.violations()).toEqual([]);
  });
});

describe("local GitHub: repositories as commit graphs", () => {
  it("redirects the tarball to a .tar.gz of the commit under owner-repo-sha7/, symlinks included", async () => {
    const sha = gh.commit(
      "acme/okta-config",
      "main",
      { "integrations/b.yaml": "name: b\n" },
      { author: "bob", symlinks: { "integrations/link.yaml": "../README.md" } },
    );
    const octokit = await installation();
    const res = await octokit
      .request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        owner: "acme",
        repo: "okta-config",
        ref: sha,
        request: { redirect: "manual" },
      })
      .catch((e: { status: number; response: { headers: Record<string, string> } }) => e);
    // Octokit reports a 302 it did not follow as an error carrying the response.
    const location =
      (res as { response?: { headers: Record<string, string> }; headers?: Record<string, string> })
        .response?.headers.location ??
      (res as { headers: Record<string, string> }).headers?.location;
    expect((res as { status: number }).status).toBe(302);
    expect(location).toMatch(
      new RegExp(`^${gh.url}/_codeload/acme/okta-config/legacy.tar.gz/${sha}`),
    );
    const body = new Uint8Array(await (await fetch(location!)).arrayBuffer());
    const entries = await untar(body);
    const top = `acme-okta-config-${sha.slice(0, 7)}/`;
    expect([...entries.keys()].every((n) => n.startsWith(top))).toBe(true);
    expect(entries.get(`${top}integrations/b.yaml`)?.body).toBe("name: b\n");
    expect(entries.get(`${top}integrations/a.yaml`)?.body).toBe("name: a\n");
    expect(entries.get(`${top}integrations/link.yaml`)).toMatchObject({
      type: "symlink",
      linkname: "../README.md",
    });
    // Followed, as the App's adapter does with fetch's default.
    const followed = await octokit.rest.repos.downloadTarballArchive({
      owner: "acme",
      repo: "okta-config",
      ref: "main",
    });
    expect(followed.status).toBe(200);
    expect(
      (await untar(new Uint8Array(followed.data as ArrayBuffer))).has(`${top}integrations/b.yaml`),
    ).toBe(true);
    expect(gh.violations()).toEqual([]);
  });

  it("serves contents, branches, compare with the merge base, and a merge commit", async () => {
    const base = gh.branchHead("acme/okta-config", "main");
    const c1 = gh.commit(
      "acme/okta-config",
      "feature",
      { "integrations/a.yaml": "name: a2\n" },
      { author: "carol" },
    );
    const onMain = gh.commit(
      "acme/okta-config",
      "main",
      { "README.md": "hello again\n" },
      { author: "alice" },
    );
    const n = gh.openPullRequest("acme/okta-config", { head: "feature", author: "carol" });
    const octokit = await installation();
    const file = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "okta-config",
      path: "integrations/a.yaml",
      ref: c1,
    });
    expect(Buffer.from((file.data as { content: string }).content, "base64").toString()).toBe(
      "name: a2\n",
    );
    await expect(
      octokit.rest.repos.getContent({
        owner: "acme",
        repo: "okta-config",
        path: "nope.yaml",
        ref: c1,
      }),
    ).rejects.toMatchObject({ status: 404 });
    const cmp = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: "okta-config",
      basehead: `main...${c1}`,
    });
    expect(cmp.data.merge_base_commit.sha).toBe(base);
    expect(cmp.data.status).toBe("diverged");
    expect(cmp.data.files?.map((f) => [f.filename, f.status])).toEqual([
      ["integrations/a.yaml", "modified"],
    ]);
    const pr = await octokit.rest.pulls.get({ owner: "acme", repo: "okta-config", pull_number: n });
    expect(pr.data.head.sha).toBe(c1);
    expect(pr.data.base.sha).toBe(onMain);
    const merged = gh.mergePullRequest("acme/okta-config", n, { by: "dave" });
    const branch = await octokit.rest.repos.getBranch({
      owner: "acme",
      repo: "okta-config",
      branch: "main",
    });
    expect(branch.data.commit.sha).toBe(merged);
    expect(branch.data.commit.parents.map((p) => p.sha)).toEqual([onMain, c1]);
    const after = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "okta-config",
      path: "README.md",
      ref: "main",
    });
    expect(Buffer.from((after.data as { content: string }).content, "base64").toString()).toBe(
      "hello again\n",
    );
    const pulls = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: "acme",
      repo: "okta-config",
      commit_sha: merged,
    });
    expect(pulls.data.map((p) => [p.number, p.merged_at !== null])).toEqual([[n, true]]);
    const history = await octokit.rest.repos.listCommits({
      owner: "acme",
      repo: "okta-config",
      path: "integrations/a.yaml",
      sha: "main",
    });
    // The merge took the file from one side unchanged: git's history simplification leaves it out.
    expect(history.data.map((c) => [c.sha, c.author?.login])).toEqual([
      [c1, "carol"],
      [history.data[1]!.sha, "alice"],
    ]);
    expect(gh.violations()).toEqual([]);
  });

  it("pages a list over 3 pages with Link rel=next and rel=last", async () => {
    for (let i = 0; i < 6; i++) gh.commit("acme/okta-config", "main", { [`f${i}.txt`]: `${i}` });
    const octokit = await installation();
    const first = await octokit.rest.repos.listCommits({
      owner: "acme",
      repo: "okta-config",
      per_page: 3,
    });
    expect(first.headers.link).toMatch(/rel="next"/);
    expect(first.headers.link).toMatch(/page=3>; rel="last"/);
    const all = await octokit.paginate(octokit.rest.repos.listCommits, {
      owner: "acme",
      repo: "okta-config",
      per_page: 3,
    });
    expect(all).toHaveLength(7);
    expect(new Set(all.map((c) => c.sha)).size).toBe(7);
    expect(gh.requests().filter((r) => r.operationId === "repos/list-commits")).toHaveLength(4);
    expect(gh.violations()).toEqual([]);
  });
});

describe("local GitHub: reviews, memberships, check runs and comments", () => {
  it("lists reviews oldest first with the commit they were made on; a dismissed one reads DISMISSED", async () => {
    const c1 = gh.commit(
      "acme/okta-config",
      "feature",
      { "integrations/a.yaml": "name: a2\n" },
      { author: "carol" },
    );
    const n = gh.openPullRequest("acme/okta-config", { head: "feature", author: "carol" });
    const r1 = gh.review("acme/okta-config", n, { user: "ivy", state: "APPROVED" });
    const c2 = gh.commit(
      "acme/okta-config",
      "feature",
      { "integrations/c.yaml": "name: c\n" },
      { author: "carol" },
    );
    gh.review("acme/okta-config", n, { user: "joe", state: "CHANGES_REQUESTED" });
    gh.dismissReview("acme/okta-config", n, r1);
    gh.addTeamMember("acme", "identity", "ivy");
    gh.addTeamMember("acme", "identity", "pat", "pending");
    const octokit = await installation();
    const reviews = await octokit.rest.pulls.listReviews({
      owner: "acme",
      repo: "okta-config",
      pull_number: n,
    });
    expect(reviews.data.map((r) => [r.user?.login, r.state, r.commit_id])).toEqual([
      ["ivy", "DISMISSED", c1],
      ["joe", "CHANGES_REQUESTED", c2],
    ]);
    const commits = await octokit.rest.pulls.listCommits({
      owner: "acme",
      repo: "okta-config",
      pull_number: n,
    });
    expect(commits.data.map((c) => c.sha)).toEqual([c1, c2]);
    const m = (username: string) =>
      octokit.rest.teams.getMembershipForUserInOrg({
        org: "acme",
        team_slug: "identity",
        username,
      });
    expect((await m("ivy")).data.state).toBe("active");
    expect((await m("pat")).data.state).toBe("pending");
    await expect(m("joe")).rejects.toMatchObject({ status: 404 });
    expect(gh.violations()).toEqual([]);
  });

  it("accumulates check run annotations across updates and refuses what GitHub refuses", async () => {
    const sha = gh.branchHead("acme/okta-config", "main");
    const octokit = await installation();
    const ann = (i: number) => ({
      path: "integrations/a.yaml",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure" as const,
      message: `finding ${i}`,
    });
    const created = await octokit.rest.checks.create({
      owner: "acme",
      repo: "okta-config",
      name: "okta-gitops/policy",
      head_sha: sha,
      status: "in_progress",
      output: {
        title: "t",
        summary: "s",
        annotations: Array.from({ length: 50 }, (_, i) => ann(i)),
      },
    });
    await octokit.rest.checks.update({
      owner: "acme",
      repo: "okta-config",
      check_run_id: created.data.id,
      output: {
        title: "t",
        summary: "s",
        annotations: Array.from({ length: 20 }, (_, i) => ann(50 + i)),
      },
    });
    const done = await octokit.rest.checks.update({
      owner: "acme",
      repo: "okta-config",
      check_run_id: created.data.id,
      conclusion: "failure",
      output: { title: "done", summary: "70 findings" },
    });
    expect(done.data.status).toBe("completed");
    expect(done.data.output.annotations_count).toBe(70);
    const [run] = gh.checkRuns("acme/okta-config", sha);
    expect(run?.annotations.map((a) => a.message)).toEqual(
      Array.from({ length: 70 }, (_, i) => `finding ${i}`),
    );
    expect(run?.output.summary).toBe("70 findings");
    const listed = await octokit.rest.checks.listForRef({
      owner: "acme",
      repo: "okta-config",
      ref: sha,
    });
    expect(listed.data.check_runs.map((c) => c.conclusion)).toEqual(["failure"]);
    expect(gh.violations()).toEqual([]);
    // 65,535 characters of "é" are 131,070 bytes: GitHub counts bytes.
    await expect(
      octokit.rest.checks.create({
        owner: "acme",
        repo: "okta-config",
        name: "x",
        head_sha: sha,
        output: { title: "t", summary: "é".repeat(65_535) },
      }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.rest.checks.update({
        owner: "acme",
        repo: "okta-config",
        check_run_id: created.data.id,
        output: {
          title: "t",
          summary: "s",
          annotations: Array.from({ length: 51 }, (_, i) => ann(i)),
        },
      }),
    ).rejects.toMatchObject({ status: 422 });
    const update = (body: object) =>
      octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        owner: "acme",
        repo: "okta-config",
        check_run_id: created.data.id,
        ...body,
      });
    const one = (a: object) => ({
      output: { title: "t", summary: "s", annotations: [{ ...ann(0), ...a }] },
    });
    await expect(update(one({ title: "x".repeat(256) }))).rejects.toMatchObject({ status: 422 });
    await expect(
      update(one({ start_line: 1, end_line: 2, start_column: 1, end_column: 3 })),
    ).rejects.toMatchObject({ status: 422 });
    await expect(update(one({ start_line: 3, end_line: 2 }))).rejects.toMatchObject({
      status: 422,
    });
    // None of the refused updates left anything behind.
    expect(gh.checkRuns("acme/okta-config", sha)[0]?.annotations).toHaveLength(70);
    const fresh = await octokit.rest.checks.create({
      owner: "acme",
      repo: "okta-config",
      name: "y",
      head_sha: sha,
    });
    await expect(
      update({ check_run_id: fresh.data.id, status: "completed" }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("keeps comments, refuses a body over 65,536 characters, and edits in place", async () => {
    const n = gh.openPullRequest("acme/okta-config", {
      head: "main",
      base: "main",
      author: "carol",
    });
    const octokit = await installation();
    const c = await octokit.rest.issues.createComment({
      owner: "acme",
      repo: "okta-config",
      issue_number: n,
      body: "<!-- marker --> plan",
    });
    expect(c.data.user?.login).toBe(`${gh.appSlug}[bot]`);
    expect(c.data.user?.type).toBe("Bot");
    await octokit.rest.issues.updateComment({
      owner: "acme",
      repo: "okta-config",
      comment_id: c.data.id,
      body: "<!-- marker --> plan 2",
    });
    const list = await octokit.rest.issues.listComments({
      owner: "acme",
      repo: "okta-config",
      issue_number: n,
    });
    expect(list.data.map((x) => x.body)).toEqual(["<!-- marker --> plan 2"]);
    expect(gh.comments("acme/okta-config", n)).toMatchObject([
      { edits: 1, author: `${gh.appSlug}[bot]` },
    ]);
    expect(gh.violations()).toEqual([]);
    await expect(
      octokit.rest.issues.createComment({
        owner: "acme",
        repo: "okta-config",
        issue_number: n,
        body: "x".repeat(65_537),
      }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe("local GitHub: issues, deployments, squash merges, forks", () => {
  it("lists issues by label and state (pull requests included, as GitHub does), updates and closes them", async () => {
    const n = gh.openPullRequest("acme/okta-config", {
      head: "main",
      base: "main",
      author: "carol",
    });
    const octokit = await installation();
    const created = await octokit.rest.issues.create({
      owner: "acme",
      repo: "okta-config",
      title: "Drift",
      body: "<!-- okta-gitops:drift -->",
      labels: ["okta-gitops"],
    });
    expect(created.data.number).toBe(n + 1);
    expect(created.data.user?.login).toBe(`${gh.appSlug}[bot]`);
    const open = await octokit.rest.issues.listForRepo({
      owner: "acme",
      repo: "okta-config",
      labels: "okta-gitops",
      state: "open",
    });
    expect(open.data.map((i) => i.number)).toEqual([created.data.number]);
    const all = await octokit.rest.issues.listForRepo({
      owner: "acme",
      repo: "okta-config",
      state: "all",
    });
    expect(all.data.map((i) => [i.number, i.pull_request !== undefined])).toEqual([
      [created.data.number, false],
      [n, true],
    ]);
    await octokit.rest.issues.update({
      owner: "acme",
      repo: "okta-config",
      issue_number: created.data.number,
      state: "closed",
      body: "fixed",
    });
    expect(gh.issues("acme/okta-config")).toMatchObject([
      { state: "closed", body: "fixed", labels: ["okta-gitops"] },
    ]);
    const closed = await octokit.rest.issues.listForRepo({
      owner: "acme",
      repo: "okta-config",
      labels: "okta-gitops",
    });
    expect(closed.data).toEqual([]);
    await expect(
      octokit.rest.issues.update({
        owner: "acme",
        repo: "okta-config",
        issue_number: 99,
        state: "closed",
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(gh.violations()).toEqual([]);
  });

  it("seeds comments, issues and deployments by others, told apart by their author", async () => {
    const sha = gh.branchHead("acme/okta-config", "main");
    const n = gh.openPullRequest("acme/okta-config", {
      head: "main",
      base: "main",
      author: "carol",
    });
    gh.addComment("acme/okta-config", n, {
      author: "mallory",
      body: "<!-- okta-gitops:plan --> fake",
    });
    const issue = gh.addIssue("acme/okta-config", {
      author: "mallory",
      title: "Drift",
      body: "<!-- okta-gitops:drift -->",
      labels: ["okta-gitops"],
    });
    gh.addDeployment("acme/okta-config", {
      creator: "mallory",
      sha,
      environment: "okta",
      payload: { okta_gitops: { approved: { a: "sha256:0" } } },
      state: "success",
    });
    const octokit = await installation();
    const comments = await octokit.rest.issues.listComments({
      owner: "acme",
      repo: "okta-config",
      issue_number: n,
    });
    expect(comments.data.map((c) => [c.user?.login, c.user?.type])).toEqual([["mallory", "User"]]);
    const issues = await octokit.rest.issues.listForRepo({
      owner: "acme",
      repo: "okta-config",
      labels: "okta-gitops",
    });
    expect(issues.data.map((i) => [i.number, i.user?.login])).toEqual([[issue, "mallory"]]);
    const deployments = await octokit.rest.repos.listDeployments({
      owner: "acme",
      repo: "okta-config",
      environment: "okta",
    });
    expect(deployments.data.map((d) => d.creator?.login)).toEqual(["mallory"]);
    // As on GitHub, write access edits anyone's comment: the record tells who wrote it and how
    // often it was edited since.
    await octokit.rest.issues.updateComment({
      owner: "acme",
      repo: "okta-config",
      comment_id: comments.data[0]!.id,
      body: "edited",
    });
    expect(gh.comments("acme/okta-config", n)).toMatchObject([
      { author: "mallory", edits: 1, body: "edited" },
    ]);
    expect(gh.violations()).toEqual([]);
  });

  it("records deployments with their statuses, and refuses one GitHub would refuse by default", async () => {
    const sha = gh.branchHead("acme/okta-config", "main");
    const octokit = await installation();
    await octokit.rest.checks.create({
      owner: "acme",
      repo: "okta-config",
      name: "okta-gitops/apply",
      head_sha: sha,
      status: "in_progress",
    });
    // Without required_contexts: [], GitHub requires every context on the commit to pass.
    await expect(
      octokit.rest.repos.createDeployment({
        owner: "acme",
        repo: "okta-config",
        ref: sha,
        environment: "okta",
      }),
    ).rejects.toMatchObject({ status: 409 });
    const d = await octokit.rest.repos.createDeployment({
      owner: "acme",
      repo: "okta-config",
      ref: sha,
      environment: "okta",
      auto_merge: false,
      required_contexts: [],
      payload: { okta_gitops: { approved: { a: "sha256:1" } } },
      description: "apply",
    });
    expect(d.status).toBe(201);
    const id = (d.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({
      owner: "acme",
      repo: "okta-config",
      deployment_id: id,
      state: "in_progress",
    });
    await octokit.rest.repos.createDeploymentStatus({
      owner: "acme",
      repo: "okta-config",
      deployment_id: id,
      state: "success",
      description: "applied",
    });
    const list = await octokit.rest.repos.listDeployments({
      owner: "acme",
      repo: "okta-config",
      environment: "okta",
    });
    expect(list.data.map((x) => [x.id, x.creator?.login, x.payload])).toEqual([
      [id, `${gh.appSlug}[bot]`, { okta_gitops: { approved: { a: "sha256:1" } } }],
    ]);
    const statuses = await octokit.rest.repos.listDeploymentStatuses({
      owner: "acme",
      repo: "okta-config",
      deployment_id: id,
    });
    expect(statuses.data.map((s) => s.state)).toEqual(["success", "in_progress"]);
    expect(gh.deployments("acme/okta-config")).toMatchObject([
      {
        autoMerge: false,
        requiredContexts: [],
        environment: "okta",
        statuses: [{ state: "in_progress" }, { state: "success" }],
      },
    ]);
    expect(gh.violations()).toEqual([]);
  });

  it("squash-merges a fork's pull request as one commit by its author; the fork's head stays in the fork", async () => {
    const base = gh.branchHead("acme/okta-config", "main");
    gh.commit(
      "acme/okta-config",
      "evil",
      { "integrations/x.yaml": "name: x\n" },
      { author: "mallory" },
    );
    const n = gh.openPullRequest("acme/okta-config", {
      head: "evil",
      author: "mallory",
      fromFork: "mallory/okta-config",
    });
    const c2 = gh.commit(
      "mallory/okta-config",
      "evil",
      { "integrations/y.yaml": "name: y\n" },
      { author: "mallory" },
    );
    const octokit = await installation();
    const pr = await octokit.rest.pulls.get({ owner: "acme", repo: "okta-config", pull_number: n });
    expect([pr.data.head.repo?.full_name, pr.data.head.sha, pr.data.base.repo.full_name]).toEqual([
      "mallory/okta-config",
      c2,
      "acme/okta-config",
    ]);
    await expect(
      octokit.rest.repos.getBranch({ owner: "acme", repo: "okta-config", branch: "evil" }),
    ).rejects.toMatchObject({ status: 404 });
    const squashed = gh.mergePullRequest("acme/okta-config", n, { method: "squash", by: "dave" });
    const main = await octokit.rest.repos.getBranch({
      owner: "acme",
      repo: "okta-config",
      branch: "main",
    });
    expect(main.data.commit.sha).toBe(squashed);
    expect(main.data.commit.parents.map((p) => p.sha)).toEqual([base]);
    expect(main.data.commit.author?.login).toBe("mallory");
    const files = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "okta-config",
      path: "integrations",
      ref: squashed,
    });
    expect((files.data as { name: string }[]).map((f) => f.name)).toEqual([
      "a.yaml",
      "x.yaml",
      "y.yaml",
    ]);
    const touching = await octokit.rest.repos.listCommits({
      owner: "acme",
      repo: "okta-config",
      path: "integrations/y.yaml",
      per_page: 1,
    });
    expect(touching.data.map((c) => c.sha)).toEqual([squashed]);
    const pulls = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: "acme",
      repo: "okta-config",
      commit_sha: squashed,
    });
    expect(pulls.data.map((p) => p.number)).toEqual([n]);
    expect(gh.violations()).toEqual([]);
  });

  it("signs the archive link of a private repository: without its token the download is refused", async () => {
    gh.createRepo("acme/secret", { private: true });
    const sha = gh.commit("acme/secret", "main", { "integrations/s.yaml": "name: s\n" });
    const octokit = await installation();
    const followed = await octokit.rest.repos.downloadTarballArchive({
      owner: "acme",
      repo: "secret",
      ref: sha,
    });
    expect(
      (await untar(new Uint8Array(followed.data as ArrayBuffer))).has(
        `acme-secret-${sha.slice(0, 7)}/integrations/s.yaml`,
      ),
    ).toBe(true);
    const unsigned = await fetch(`${gh.url}/_codeload/acme/secret/legacy.tar.gz/${sha}`);
    expect(unsigned.status).toBe(404);
    expect(gh.violations()).toEqual([]);
  });
});

describe("local GitHub: rebases, unlinked authors and fork check runs", () => {
  it("rebases a pull request's branch onto main: new shas, same authors and changes", async () => {
    const c1 = gh.commit(
      "acme/okta-config",
      "feature",
      { "integrations/b.yaml": "name: b\n" },
      { author: "carol" },
    );
    const n = gh.openPullRequest("acme/okta-config", { head: "feature", author: "carol" });
    const onMain = gh.commit(
      "acme/okta-config",
      "main",
      { "README.md": "new\n" },
      { author: "alice" },
    );
    const rebased = gh.rebaseBranch("acme/okta-config", "feature");
    expect(rebased).not.toBe(c1);
    const octokit = await installation();
    const commits = await octokit.rest.pulls.listCommits({
      owner: "acme",
      repo: "okta-config",
      pull_number: n,
    });
    expect(commits.data.map((c) => [c.sha, c.author?.login, c.parents.map((p) => p.sha)])).toEqual([
      [rebased, "carol", [onMain]],
    ]);
    const cmp = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: "okta-config",
      basehead: `main...${rebased}`,
    });
    expect([cmp.data.status, cmp.data.merge_base_commit.sha]).toEqual(["ahead", onMain]);
    expect(gh.violations()).toEqual([]);
  });

  it("gives a commit with no linked account null author and committer", async () => {
    const sha = gh.commit(
      "acme/okta-config",
      "main",
      { "integrations/a.yaml": "name: z\n" },
      { author: null },
    );
    const octokit = await installation();
    const list = await octokit.rest.repos.listCommits({
      owner: "acme",
      repo: "okta-config",
      path: "integrations/a.yaml",
      per_page: 1,
    });
    expect(list.data.map((c) => [c.sha, c.author, c.committer, c.commit.author?.name])).toEqual([
      [sha, null, null, "Someone Unlinked"],
    ]);
    expect(gh.violations()).toEqual([]);
  });

  it("lists in a check run only the same-repository pull requests of its commit, as GitHub does", async () => {
    gh.commit(
      "acme/okta-config",
      "evil",
      { "integrations/x.yaml": "name: x\n" },
      { author: "mallory" },
    );
    gh.openPullRequest("acme/okta-config", {
      head: "evil",
      author: "mallory",
      fromFork: "mallory/okta-config",
    });
    const head = gh.branchHead("mallory/okta-config", "evil");
    const octokit = await installation();
    const run = await octokit.rest.checks.create({
      owner: "acme",
      repo: "okta-config",
      name: "okta-gitops/policy",
      head_sha: head,
      status: "in_progress",
    });
    expect(run.data.pull_requests).toEqual([]);
    const pulls = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: "acme",
      repo: "okta-config",
      commit_sha: head,
    });
    expect(pulls.data.map((p) => p.head.repo?.full_name)).toEqual(["mallory/okta-config"]);
    expect(gh.violations()).toEqual([]);
  });
});

describe("local GitHub: GitHub's caps and injected faults", () => {
  it("leaves out the content of a file over 1 MB, as the contents API does", async () => {
    const sha = gh.commit("acme/okta-config", "main", { "big.yaml": "x".repeat(1024 * 1024 + 1) });
    const octokit = await installation();
    const file = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "okta-config",
      path: "big.yaml",
      ref: sha,
    });
    expect(file.data).toMatchObject({
      type: "file",
      encoding: "none",
      content: "",
      size: 1024 * 1024 + 1,
    });
    expect(gh.violations()).toEqual([]);
  });

  it("lists at most 300 files in a comparison, and only on its first page", async () => {
    const base = gh.branchHead("acme/okta-config", "main");
    const files: Record<string, string> = {};
    for (let i = 0; i < 301; i++)
      files[`integrations/f${String(i).padStart(3, "0")}.yaml`] = `name: f${i}\n`;
    const head = gh.commit("acme/okta-config", "big", files);
    const octokit = await installation();
    const cmp = (page: number) =>
      octokit.rest.repos.compareCommitsWithBasehead({
        owner: "acme",
        repo: "okta-config",
        basehead: `${base}...${head}`,
        per_page: 1,
        page,
      });
    expect((await cmp(1)).data.files).toHaveLength(300);
    expect((await cmp(2)).data.files).toEqual([]);
    expect(gh.violations()).toEqual([]);
  });

  it("answers an injected fault in GitHub's error shape, once, and marks it", async () => {
    gh.failNext("repos/download-tarball-archive", 502);
    const octokit = await installation();
    await expect(
      octokit.rest.repos.downloadTarballArchive({
        owner: "acme",
        repo: "okta-config",
        ref: "main",
      }),
    ).rejects.toMatchObject({ status: 502 });
    const ok = await octokit.rest.repos.downloadTarballArchive({
      owner: "acme",
      repo: "okta-config",
      ref: "main",
    });
    expect(ok.status).toBe(200);
    const tarballs = gh
      .requests()
      .filter((r) => r.operationId === "repos/download-tarball-archive");
    expect(tarballs.map((r) => [r.status, r.injected ?? false])).toEqual([
      [502, true],
      [302, false],
    ]);
    expect(gh.violations()).toEqual([]);
  });

  it("counts requests per token in the rate-limit headers and answers 403 once the limit is spent", async () => {
    const limited = await startLocalGitHub({ rateLimit: 2 });
    try {
      limited.createRepo("acme/r");
      const octokit = await new Probot({
        appId: limited.appId,
        privateKey: limited.privateKey,
        baseUrl: `${limited.url}/api/v3`,
        Octokit,
        logLevel: "fatal",
      } as never).auth(limited.installationId);
      const first = await octokit.rest.repos.get({ owner: "acme", repo: "r" });
      expect([first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]]).toEqual([
        "2",
        "1",
      ]);
      await octokit.rest.repos.get({ owner: "acme", repo: "r" });
      await expect(octokit.rest.repos.get({ owner: "acme", repo: "r" })).rejects.toMatchObject({
        status: 403,
      });
      expect(limited.violations()).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it("refuses tokens once revoked", async () => {
    const octokit = await installation();
    await octokit.rest.repos.get({ owner: "acme", repo: "okta-config" });
    gh.revokeTokens();
    await expect(
      octokit.rest.repos.get({ owner: "acme", repo: "okta-config" }),
    ).rejects.toMatchObject({ status: 401 });
    expect(gh.violations()).toEqual([]);
  });
});
