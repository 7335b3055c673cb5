// GitHub's REST description as the tests use it: the committed subset (spec/github) must be what
// `npm run github-spec` makes from ../shared/github, must stand alone (every reference resolves
// inside it), and the validator built on it must catch wrong requests and wrong answers: the
// local GitHub's "0 violations" means something only if a violation is seen when there is one.
import { existsSync, readFileSync } from "node:fs";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GITHUB_OPERATIONS,
  GITHUB_WEBHOOKS,
  githubSpecSubset,
} from "../../scripts/github-spec-subset.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import {
  GITHUB_SUBSET_FILE,
  SHARED_GITHUB_FILE,
  loadGitHubSpec,
} from "../support/local-github/spec.js";

describe("GitHub's description, committed as spec/github/api.subset.json", () => {
  const subset = JSON.parse(readFileSync(GITHUB_SUBSET_FILE, "utf8"));

  it("holds every operation the App calls and every webhook it receives, with MIT licence", () => {
    for (const [method, path] of GITHUB_OPERATIONS)
      expect(subset.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    for (const hook of GITHUB_WEBHOOKS) expect(subset["x-webhooks"][hook], hook).toBeDefined();
    expect(subset.info.license.name).toBe("MIT");
  });

  it("stands alone: every $ref resolves inside the subset", () => {
    const missing: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === "object")
        for (const [k, v] of Object.entries(n)) {
          if (k === "$ref" && typeof v === "string") {
            const [, kind, name] = v.split("/").slice(1);
            if (subset.components[kind!]?.[name!] === undefined) missing.push(v);
          } else walk(v);
        }
    };
    walk(subset);
    expect(missing).toEqual([]);
  });

  it.skipIf(!existsSync(SHARED_GITHUB_FILE))(
    `is what npm run github-spec makes from ${SHARED_GITHUB_FILE} (skipped when that file is absent: a fresh clone)`,
    () => {
      const full = JSON.parse(readFileSync(SHARED_GITHUB_FILE, "utf8"));
      const made = `${JSON.stringify(githubSpecSubset(full), null, 1)}\n`;
      expect(
        made === readFileSync(GITHUB_SUBSET_FILE, "utf8"),
        "spec/github/api.subset.json is stale: npm run github-spec",
      ).toBe(true);
    },
  );
});

describe("the validator catches what breaks GitHub's description", () => {
  const spec = loadGitHubSpec();

  it("a check run without head_sha, with a status of the wrong type, with an unknown annotation level", () => {
    expect(spec.validateRequest("POST", "/repos/acme/r/check-runs", { name: "x" })).toEqual([
      "POST /repos/acme/r/check-runs (checks/create) request must have required property 'head_sha'",
    ]);
    const wrong = spec.validateRequest("POST", "/repos/acme/r/check-runs", {
      name: "x",
      head_sha: "a".repeat(40),
      status: 3,
      output: {
        title: "t",
        summary: "s",
        annotations: [
          { path: "a", start_line: 1, end_line: 1, annotation_level: "error", message: "m" },
        ],
      },
    });
    expect(wrong.join("\n")).toMatch(/request\/status must be string/);
    expect(wrong.join("\n")).toMatch(
      /annotations\/0\/annotation_level must be equal to one of the allowed values/,
    );
  });

  it("a path the description lacks, an unknown or mistyped query parameter", () => {
    expect(spec.validateRequest("GET", "/repos/acme/r/pulls/1/approvals", undefined)).toEqual([
      "GET /repos/acme/r/pulls/1/approvals: no such operation in GitHub's description",
    ]);
    expect(
      spec.validateRequest("GET", "/repos/acme/r/commits?per_page=lots&pathh=x", undefined),
    ).toEqual([
      "GET /repos/acme/r/commits (repos/list-commits) query parameter per_page must be integer",
      "GET /repos/acme/r/commits (repos/list-commits): query parameter pathh is not in the description",
    ]);
  });

  it("a wrong answer: a review without user and with an unknown state, a check run with a null id", () => {
    const review = {
      id: 1,
      node_id: "n",
      body: "",
      state: "LGTM",
      html_url: "http://x/y",
      pull_request_url: "http://x/p",
      _links: { html: { href: "h" }, pull_request: { href: "p" } },
      commit_id: null,
      author_association: "MEMBER",
    };
    const errors = spec.validateResponse("GET", "/repos/acme/r/pulls/1/reviews", 200, [review]);
    expect(errors.join("\n")).toMatch(/response 200\/0 must have required property 'user'/);
    expect(
      spec.validateResponse("GET", "/repos/acme/r/pulls/1/reviews", 200, [
        { ...review, user: null, state: "APPROVED" },
      ]),
    ).toEqual([]);
    expect(
      spec.validateResponse("POST", "/repos/acme/r/check-runs", 201, { id: null }).join("\n"),
    ).toMatch(/\/id must be integer/);
    expect(spec.validateResponse("GET", "/repos/acme/r/pulls/1/reviews", 201, [])).toEqual([
      "GET /repos/acme/r/pulls/1/reviews (pulls/list-reviews) response 201: status 201 is not documented (200)",
    ]);
  });

  it("understands OpenAPI 3.0 nullable and checks formats", () => {
    const comment = (over: object) => ({
      id: 1,
      node_id: "n",
      url: "http://127.0.0.1/c",
      html_url: "http://127.0.0.1/h",
      issue_url: "http://127.0.0.1/i",
      user: null,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      author_association: "NONE",
      ...over,
    });
    // user is a nullable-simple-user: null is fine, a string is not.
    expect(spec.validateResponse("POST", "/repos/a/r/issues/1/comments", 201, comment({}))).toEqual(
      [],
    );
    expect(
      spec.validateResponse("POST", "/repos/a/r/issues/1/comments", 201, comment({ user: "bob" }))
        .length,
    ).toBeGreaterThan(0);
    expect(
      spec
        .validateResponse(
          "POST",
          "/repos/a/r/issues/1/comments",
          201,
          comment({ created_at: "yesterday" }),
        )
        .join("\n"),
    ).toMatch(/created_at must match format "date-time"/);
    expect(
      spec
        .validateResponse(
          "POST",
          "/repos/a/r/issues/1/comments",
          201,
          comment({ url: "not a uri" }),
        )
        .join("\n"),
    ).toMatch(/url must match format "uri"/);
  });
});

describe("the local GitHub records what breaks the description", () => {
  let gh: LocalGitHub;
  beforeAll(async () => {
    gh = await startLocalGitHub();
    gh.createRepo("acme/r");
    gh.commit("acme/r", "main", { "a.txt": "a" });
  });
  afterAll(async () => {
    await gh.close();
  });

  it("refuses a check run with no head_sha with 422 (as GitHub does) and records the violation", async () => {
    const octokit = await new Probot({
      appId: gh.appId,
      privateKey: gh.privateKey,
      baseUrl: `${gh.url}/api/v3`,
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
        ...o,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
      logLevel: "fatal",
    } as never).auth(gh.installationId);
    expect(gh.violations()).toEqual([]);
    await expect(
      // The typed route insists on head_sha: go around the types, as a buggy caller would.
      octokit.request("POST /repos/{owner}/{repo}/check-runs", {
        owner: "acme",
        repo: "r",
        name: "okta-gitops/policy",
      } as never),
    ).rejects.toMatchObject({ status: 422 });
    expect(gh.violations()).toEqual([
      "POST /repos/acme/r/check-runs (checks/create) request must have required property 'head_sha'",
    ]);
    expect(gh.checkRuns("acme/r")).toEqual([]);
  });

  it("records a path the description lacks, and one outside /api/v3", async () => {
    const before = gh.violations().length;
    const lost = await fetch(`${gh.url}/api/v3/repos/acme/r/check-suites/1/rerun`, {
      method: "POST",
    });
    expect(lost.status).toBe(404);
    const outside = await fetch(`${gh.url}/repos/acme/r`);
    expect(outside.status).toBe(404);
    expect(gh.violations().slice(before)).toEqual([
      "POST /repos/acme/r/check-suites/1/rerun: no such operation in GitHub's description",
      "GET /repos/acme/r: not under /api/v3, where GitHub Enterprise Server serves its API",
    ]);
  });
});
