// Webhook deliveries the App's tests send: payloads built from @octokit/webhooks-examples and
// filled from the local GitHub's state must match GitHub's webhook schemas (the description's
// x-webhooks) and that state; signatures must be GitHub's (the documented test vector).
import { createServer, type IncomingMessage } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { loadGitHubSpec } from "../support/local-github/spec.js";
import {
  checkRunRerequestedEvent,
  checkSuiteRerequestedEvent,
  deliver,
  pullRequestEvent,
  pullRequestReviewEvent,
  pushEvent,
  signature,
  webhookSchemaName,
} from "../support/local-github/webhooks.js";

const spec = loadGitHubSpec();
let gh: LocalGitHub;
const REPO = "acme/okta-config";

beforeEach(async () => {
  gh = await startLocalGitHub();
  gh.createRepo(REPO);
  gh.commit(REPO, "main", { "integrations/a.yaml": "name: a\n" }, { author: "alice" });
});
afterEach(async () => {
  await gh.close();
});

type P = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("webhook payloads", () => {
  it("pull_request opened, synchronize, reopened and closed carry the local state and match GitHub's schemas", () => {
    const c1 = gh.commit(
      REPO,
      "feature",
      { "integrations/b.yaml": "name: b\n" },
      { author: "carol" },
    );
    const n = gh.openPullRequest(REPO, { head: "feature", author: "carol" });
    const opened = pullRequestEvent(gh, REPO, n, "opened") as P;
    expect(spec.validateWebhook("pull-request-opened", opened)).toEqual([]);
    expect(opened.installation.id).toBe(gh.installationId);
    expect(opened.repository.full_name).toBe(REPO);
    expect(opened.pull_request.head).toMatchObject({ sha: c1, ref: "feature" });
    expect(opened.pull_request.base.sha).toBe(gh.branchHead(REPO, "main"));
    expect(opened.sender.login).toBe("carol");
    // Control: the schema check is not vacuous.
    const broken = structuredClone(opened);
    delete broken.pull_request.head.sha;
    broken.action = "shut";
    expect(spec.validateWebhook("pull-request-opened", broken).join("\n")).toMatch(
      /head must have required property 'sha'/,
    );
    const c2 = gh.commit(
      REPO,
      "feature",
      { "integrations/b.yaml": "name: b2\n" },
      { author: "carol" },
    );
    const sync = pullRequestEvent(gh, REPO, n, "synchronize", { before: c1 }) as P;
    expect(spec.validateWebhook("pull-request-synchronize", sync)).toEqual([]);
    expect([sync.before, sync.after, sync.pull_request.head.sha]).toEqual([c1, c2, c2]);
    gh.closePullRequest(REPO, n);
    gh.reopenPullRequest(REPO, n);
    expect(
      spec.validateWebhook("pull-request-reopened", pullRequestEvent(gh, REPO, n, "reopened")),
    ).toEqual([]);
    const merge = gh.mergePullRequest(REPO, n, { by: "dave" });
    const closed = pullRequestEvent(gh, REPO, n, "closed") as P;
    expect(spec.validateWebhook("pull-request-closed", closed)).toEqual([]);
    expect(closed.pull_request).toMatchObject({
      merged: true,
      merge_commit_sha: merge,
      state: "closed",
    });
    expect(closed.sender.login).toBe("dave");
  });

  it("a fork's pull request names the fork as its head repository", () => {
    gh.commit(REPO, "evil", { "integrations/x.yaml": "name: x\n" }, { author: "mallory" });
    const n = gh.openPullRequest(REPO, {
      head: "evil",
      author: "mallory",
      fromFork: "mallory/okta-config",
    });
    const p = pullRequestEvent(gh, REPO, n, "opened") as P;
    expect(spec.validateWebhook("pull-request-opened", p)).toEqual([]);
    expect(p.pull_request.head.repo.full_name).toBe("mallory/okta-config");
    expect(p.pull_request.head.repo.fork).toBe(true);
    expect(p.pull_request.head.label).toBe("mallory:evil");
    expect(p.pull_request.base.repo.full_name).toBe(REPO);
  });

  it("pull_request_review submitted, edited and dismissed carry the review's commit", () => {
    const c1 = gh.commit(
      REPO,
      "feature",
      { "integrations/b.yaml": "name: b\n" },
      { author: "carol" },
    );
    const n = gh.openPullRequest(REPO, { head: "feature", author: "carol" });
    const id = gh.review(REPO, n, { user: "ivy", state: "APPROVED" });
    const submitted = pullRequestReviewEvent(gh, REPO, n, id, "submitted") as P;
    expect(spec.validateWebhook("pull-request-review-submitted", submitted)).toEqual([]);
    expect(submitted.review).toMatchObject({
      id,
      commit_id: c1,
      state: "approved",
      user: { login: "ivy" },
    });
    expect(
      spec.validateWebhook(
        "pull-request-review-edited",
        pullRequestReviewEvent(gh, REPO, n, id, "edited"),
      ),
    ).toEqual([]);
    gh.dismissReview(REPO, n, id);
    const dismissed = pullRequestReviewEvent(gh, REPO, n, id, "dismissed", {
      sender: "carol",
    }) as P;
    expect(spec.validateWebhook("pull-request-review-dismissed", dismissed)).toEqual([]);
    expect(dismissed.review.state).toBe("dismissed");
  });

  it("push carries before, after, ref and the commits in between", () => {
    const before = gh.branchHead(REPO, "main");
    const c1 = gh.commit(REPO, "main", { "integrations/b.yaml": "name: b\n" }, { author: "bob" });
    const c2 = gh.commit(REPO, "main", { "integrations/a.yaml": null }, { author: "bob" });
    const p = pushEvent(gh, REPO, { ref: "refs/heads/main", before, after: c2 }) as P;
    expect(spec.validateWebhook("push", p)).toEqual([]);
    expect(p.commits.map((c: P) => [c.id, c.added, c.removed])).toEqual([
      [c1, ["integrations/b.yaml"], []],
      [c2, [], ["integrations/a.yaml"]],
    ]);
    expect(p.head_commit.id).toBe(c2);
    expect(p.repository.default_branch).toBe("main");
  });

  it("check_run and check_suite rerequested name the App's run and its commit", async () => {
    const sha = gh.branchHead(REPO, "main");
    gh.commit(REPO, "feature", { "integrations/b.yaml": "name: b\n" });
    const n = gh.openPullRequest(REPO, { head: "feature", author: "carol" });
    const head = gh.branchHead(REPO, "feature");
    // A check run made through the API, as the App makes it.
    const { Probot, ProbotOctokit } = await import("probot");
    const octokit = await new Probot({
      appId: gh.appId,
      privateKey: gh.privateKey,
      baseUrl: `${gh.url}/api/v3`,
      Octokit: ProbotOctokit,
      logLevel: "fatal",
    } as never).auth(gh.installationId);
    const run = await octokit.rest.checks.create({
      owner: "acme",
      repo: "okta-config",
      name: "okta-gitops/policy",
      head_sha: head,
      conclusion: "success",
      output: { title: "t", summary: "s" },
    });
    const cr = checkRunRerequestedEvent(gh, REPO, run.data.id) as P;
    expect(spec.validateWebhook("check-run-rerequested", cr)).toEqual([]);
    expect(cr.check_run).toMatchObject({
      id: run.data.id,
      head_sha: head,
      name: "okta-gitops/policy",
      app: { id: gh.appId },
    });
    expect(cr.check_run.pull_requests.map((p: P) => p.number)).toEqual([n]);
    const cs = checkSuiteRerequestedEvent(gh, REPO, head, { headBranch: "feature" }) as P;
    expect(spec.validateWebhook("check-suite-rerequested", cs)).toEqual([]);
    expect(cs.check_suite).toMatchObject({ head_sha: head, head_branch: "feature" });
    expect(sha).not.toBe(head);
    expect(gh.violations()).toEqual([]);
  });
});

describe("deliver", () => {
  it("signs as GitHub does: the documented test vector", () => {
    expect(signature("It's a Secret to Everybody", "Hello, World!")).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
    expect(webhookSchemaName("pull_request_review", "submitted")).toBe(
      "pull-request-review-submitted",
    );
  });

  it("POSTs the raw JSON with X-GitHub-Event, X-GitHub-Delivery and X-Hub-Signature-256, or a wrong signature when asked", async () => {
    const got: { headers: IncomingMessage["headers"]; body: string; url: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        got.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          url: req.url ?? "",
        });
        res.writeHead(202).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const payload = { action: "opened", hello: "wörld" };
      const a = await deliver(`http://127.0.0.1:${port}`, "pull_request", payload, "s3cret", {
        deliveryId: "d-1",
      });
      const b = await deliver(`http://127.0.0.1:${port}/hooks`, "push", payload, "s3cret", {
        badSignature: true,
      });
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(got[0]).toMatchObject({ url: "/api/github/webhooks", body: JSON.stringify(payload) });
      expect(got[0]!.headers["x-github-event"]).toBe("pull_request");
      expect(got[0]!.headers["x-github-delivery"]).toBe("d-1");
      expect(got[0]!.headers["x-hub-signature-256"]).toBe(signature("s3cret", got[0]!.body));
      expect(got[1]!.url).toBe("/hooks");
      expect(got[1]!.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(got[1]!.headers["x-hub-signature-256"]).not.toBe(signature("s3cret", got[1]!.body));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe("deliver to a real Probot", () => {
  it("Probot verifies the signature, receives the payload with a working installation, and refuses a forged one", async () => {
    const { Probot, ProbotOctokit, createNodeMiddleware } = await import("probot");
    const secret = "webhook-secret";
    const probot = new Probot({
      appId: gh.appId,
      privateKey: gh.privateKey,
      secret,
      baseUrl: `${gh.url}/api/v3`,
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
        ...o,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
      logLevel: "fatal",
    } as never);
    const seen: string[] = [];
    const middleware = await createNodeMiddleware(
      (app) => {
        app.on("pull_request.opened", async (context) => {
          // The installation in the payload yields a token the local GitHub accepts.
          const { data } = await context.octokit.rest.pulls.get(context.pullRequest());
          seen.push(`${context.id} #${data.number} ${data.head.sha}`);
        });
      },
      { probot },
    );
    const server = createServer((req, res) => {
      void middleware(req, res, () => res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      gh.commit(REPO, "feature", { "integrations/b.yaml": "name: b\n" }, { author: "carol" });
      const n = gh.openPullRequest(REPO, { head: "feature", author: "carol" });
      const payload = pullRequestEvent(gh, REPO, n, "opened");
      const forged = await deliver(url, "pull_request", payload, secret, { badSignature: true });
      expect(forged.status).toBeGreaterThanOrEqual(400);
      expect(seen).toEqual([]);
      const real = await deliver(url, "pull_request", payload, secret, {
        deliveryId: "delivery-1",
      });
      expect(real.status).toBe(200);
      expect(seen).toEqual([`delivery-1 #${n} ${gh.branchHead(REPO, "feature")}`]);
      expect(gh.violations()).toEqual([]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
