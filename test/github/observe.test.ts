// What an operator watches: /metrics scraped after real deliveries to the App (against the local
// GitHub and the local Okta org, over HTTP) must say what the local GitHub and the local org
// recorded; /healthz and /readyz say whether the process can work, and why not; the log is JSON
// lines through pino, one per job, with keys, tokens and secrets redacted.
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/okta/pacer.js";
import { createLogger, REDACTED } from "../../src/github/log.js";
import { createMetrics } from "../../src/github/metrics.js";
import { readiness } from "../../src/github/health.js";
import type { LocalOrg } from "../../src/local-org/index.js";
import { startOrg } from "../reconcile/harness.js";
import { startApp, type StartedApp } from "../support/github-app.js";
import { startLocalGitHub, type LocalGitHub } from "../support/local-github/index.js";
import { deliver, pullRequestEvent, pushEvent } from "../support/local-github/webhooks.js";
import { integrationYaml, TODAY } from "./support.js";

const REPO = "acme/okta-access";

/** The value of one sample of a scrape (labels matched exactly), or undefined when absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      got[l[1]!] = l[2]!;
    const keys = Object.keys(labels);
    if (Object.keys(got).length !== keys.length || keys.some((k) => got[k] !== labels[k])) continue;
    return Number(m[3]);
  }
  return undefined;
}

/** Every sample of `name`, by the value of its `label`. */
function byLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}\\{${label}="([^"]*)"\\} (\\S+)$`).exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function scrape(app: StartedApp): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return res.text();
}

async function ready(
  app: StartedApp,
): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const res = await fetch(`${app.url}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

/** A stream that keeps each JSON line pino writes. */
function lineSink(): {
  lines: () => Record<string, unknown>[];
  text: () => string;
  stream: Writable;
} {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

let gh: LocalGitHub | undefined;
let org: LocalOrg | undefined;
let app: StartedApp | undefined;

afterEach(async () => {
  await app?.close();
  await org?.close().catch(() => {});
  await gh?.close().catch(() => {});
  app = org = gh = undefined;
});

async function world(options: { now?: () => number; logDestination?: Writable } = {}) {
  gh = await startLocalGitHub();
  org = await startOrg();
  app = await startApp({
    github: gh,
    okta: org,
    repository: REPO,
    clock: () => TODAY,
    ...options,
  });
  gh.createRepo(REPO);
  return { gh, org, app };
}

/** A pull request adding an integration, checked, then merged and applied. */
async function checkAndApply(w: { gh: LocalGitHub; app: StartedApp }) {
  const base = w.gh.commit(REPO, "main", {
    "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
  });
  w.gh.commit(
    REPO,
    "add-expenses",
    { "integrations/expenses.yaml": integrationYaml("expenses") },
    { author: "alice" },
  );
  const pr = w.gh.openPullRequest(REPO, { head: "add-expenses", author: "alice" });
  const opened = await deliver(
    w.app.url,
    "pull_request",
    pullRequestEvent(w.gh, REPO, pr, "opened"),
    w.app.secret,
  );
  expect(opened.status, opened.body).toBe(202);
  await w.app.idle();
  const merged = w.gh.mergePullRequest(REPO, pr, { by: "alice" });
  const pushed = await deliver(
    w.app.url,
    "push",
    pushEvent(w.gh, REPO, { ref: "refs/heads/main", before: base, after: merged }),
    w.app.secret,
  );
  expect(pushed.status, pushed.body).toBe(202);
  await w.app.idle();
  return { pr, merged, deliveries: [opened.deliveryId, pushed.deliveryId] };
}

describe("/metrics", () => {
  it("after a pull request's check and its merge's apply, the GitHub requests and Okta requests per bucket equal what the local GitHub and the local org recorded", async () => {
    let now = TODAY.getTime();
    const w = await world({ now: () => now });
    await checkAndApply(w);
    now += 90_000;
    const text = await scrape(w.app);

    // GitHub: every API request the local GitHub answered, by status class (the archive's
    // download from its codeload address is not an API request).
    const recorded = w.gh.requests().filter((r) => r.operationId !== "codeload");
    expect(recorded.length).toBeGreaterThan(5);
    const classes: Record<string, number> = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, error: 0 };
    for (const r of recorded) classes[`${Math.floor(r.status / 100)}xx`]! += 1;
    expect(byLabel(text, "okta_gitops_github_requests_total", "status")).toEqual(classes);

    // Okta: every paced request the local org answered, by the pacer's bucket (the token
    // endpoint is the SDK's own and is not paced).
    const perBucket: Record<string, number> = {};
    for (const r of w.org.requests()) {
      const b = bucketOf(r.url);
      if (b !== "token") perBucket[b] = (perBucket[b] ?? 0) + 1;
    }
    expect(Object.keys(perBucket).length).toBeGreaterThan(1);
    expect(byLabel(text, "okta_gitops_okta_requests_total", "bucket")).toEqual(perBucket);
    expect(
      Object.values(byLabel(text, "okta_gitops_okta_throttled_total", "bucket")).reduce(
        (a, b) => a + b,
        0,
      ),
    ).toBe(w.org.requests().filter((r) => r.status === 429).length);

    // The process's own metrics are there too.
    expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
  });

  it("counts each job by kind and outcome, the apply's success, and the time since it", async () => {
    let now = TODAY.getTime();
    const w = await world({ now: () => now });
    const before = await scrape(w.app);
    expect(sample(before, "okta_gitops_jobs_total", { kind: "pull", outcome: "done" })).toBe(0);
    expect(sample(before, "okta_gitops_seconds_since_last_successful_apply")).toBeUndefined();

    await checkAndApply(w);
    now += 90_000;
    const text = await scrape(w.app);
    expect(sample(text, "okta_gitops_jobs_total", { kind: "pull", outcome: "done" })).toBe(1);
    expect(sample(text, "okta_gitops_jobs_total", { kind: "push", outcome: "done" })).toBe(1);
    expect(sample(text, "okta_gitops_jobs_total", { kind: "push", outcome: "failed" })).toBe(0);
    expect(sample(text, "okta_gitops_job_duration_seconds_count", { kind: "push" })).toBe(1);
    expect(
      sample(text, "okta_gitops_reconciles_total", { kind: "apply", outcome: "success" }),
    ).toBe(1);
    expect(
      sample(text, "okta_gitops_reconciles_total", { kind: "apply", outcome: "failure" }),
    ).toBe(0);
    // The App's clock says TODAY; the apply ended then, and the scrape is 90 s later.
    expect(sample(text, "okta_gitops_last_successful_apply_timestamp_seconds")).toBe(
      TODAY.getTime() / 1000,
    );
    expect(sample(text, "okta_gitops_seconds_since_last_successful_apply")).toBe(90);
    expect(sample(text, "okta_gitops_queue_depth")).toBe(0);
  });

  it("the pacer's waits and 429s, per bucket", async () => {
    const m = createMetrics({ processMetrics: false });
    m.pacerObserve({ type: "request", bucket: "apps" });
    m.pacerObserve({ type: "throttled", bucket: "apps" });
    m.pacerObserve({ type: "wait", bucket: "apps", waitMs: 1500 });
    m.pacerObserve({ type: "wait", bucket: "zones", waitMs: 500 });
    const text = await m.metrics();
    expect(sample(text, "okta_gitops_okta_requests_total", { bucket: "apps" })).toBe(1);
    expect(sample(text, "okta_gitops_okta_throttled_total", { bucket: "apps" })).toBe(1);
    expect(byLabel(text, "okta_gitops_okta_waits_total", "bucket")).toEqual({ apps: 1, zones: 1 });
    expect(byLabel(text, "okta_gitops_okta_wait_seconds_total", "bucket")).toEqual({
      apps: 1.5,
      zones: 0.5,
    });
  });
});

describe("/healthz and /readyz", () => {
  it("/healthz answers 200; /readyz 200 while GitHub and Okta answer, then 503 naming GitHub once it stops answering (GitHub asked at most once per 30 s)", async () => {
    let now = TODAY.getTime();
    const w = await world({ now: () => now });
    expect((await fetch(`${w.app.url}/healthz`)).status).toBe(200);
    const first = await ready(w.app);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      status: "ready",
      checks: { okta: "ok", queue: "ok", github: "ok" },
    });

    // Probes within 30 s are answered from the cache: GitHub is not asked again.
    const asked = () => w.gh.requests().filter((r) => r.operationId === "apps/get-authenticated");
    expect(asked()).toHaveLength(1);
    now += 10_000;
    expect((await ready(w.app)).status).toBe(200);
    expect(asked()).toHaveLength(1);

    await w.gh.close();
    gh = undefined;
    now += 30_000;
    const down = await ready(w.app);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("not ready");
    expect(down.body.checks.okta).toBe("ok");
    expect(down.body.checks.github).toMatch(/^failed: .*(ECONNREFUSED|fetch failed|connect)/i);
    // Alive all the same: the process serves.
    expect((await fetch(`${w.app.url}/healthz`)).status).toBe(200);
  });

  it("/readyz turns 503 naming Okta once Okta stops answering", async () => {
    let now = TODAY.getTime();
    const w = await world({ now: () => now });
    expect((await ready(w.app)).status).toBe(200);
    await w.org.close();
    org = undefined;
    now += 31_000;
    const down = await ready(w.app);
    expect(down.status).toBe(503);
    expect(down.body.checks.github).toBe("ok");
    expect(down.body.checks.okta).toMatch(/^failed: .*GET .*\/api\/v1\/zones/);
    // The reason carries no secret of the bot's.
    const text = JSON.stringify(down.body);
    expect(text).not.toContain(w.app.secret);
  });

  it("a probe that does not answer fails with a reason instead of hanging the probe", async () => {
    const r = readiness(
      [
        { name: "slow", probe: () => new Promise<void>(() => {}) },
        { name: "fine", probe: async () => {} },
      ],
      { timeoutMs: 50 },
    );
    const report = await r.check();
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual([
      { name: "slow", ok: false, reason: "no answer within 50 ms" },
      { name: "fine", ok: true },
    ]);
  });
});

describe("logs", () => {
  it("one JSON line per job through the App's pino logger, with its kind, key, delivery, outcome and duration", async () => {
    const sink = lineSink();
    const w = await world({ logDestination: sink.stream });
    const { pr, deliveries } = await checkAndApply(w);
    const jobs = sink.lines().filter((l) => l.msg === "job");
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toMatchObject({
      kind: "pull",
      key: `${REPO}#${pr}`,
      delivery: deliveries[0],
      outcome: "done",
      level: 30,
    });
    expect(jobs[1]).toMatchObject({
      kind: "push",
      key: `${REPO}@main`,
      delivery: deliveries[1],
      outcome: "done",
    });
    for (const j of jobs) expect(typeof j.ms === "number" && j.ms >= 0).toBe(true);
    // The App's own lines go through the same logger, as JSON (a push to another branch is
    // logged as not applied, and is no job).
    const other = await deliver(
      w.app.url,
      "push",
      pushEvent(w.gh, REPO, {
        ref: "refs/heads/feature",
        before: w.gh.branchHead(REPO, "main"),
        after: w.gh.commit(REPO, "feature", { "README.md": "x\n" }),
      }),
      w.app.secret,
    );
    expect(other.status).toBe(202);
    await w.app.idle();
    expect(sink.lines().filter((l) => l.msg === "job")).toHaveLength(2);
    expect(sink.lines()).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: expect.stringMatching(/refs\/heads\/feature: not applied/),
      }),
    );
    // No key or secret of the App's reached the log.
    const privateKeyBody = w.gh.privateKey.split("\n")[1]!;
    expect(sink.text()).not.toContain(privateKeyBody);
    expect(sink.text()).not.toContain(w.app.secret);
  });

  it("keys, tokens, secrets and authorization headers in a logged object are redacted by path", () => {
    const sink = lineSink();
    const log = createLogger("trace", sink.stream);
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
    const token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
    log.info({ privateKey: pem, token }, "top level");
    log.info({ app: { privateKey: pem, webhookSecret: "s3cr3t-hook" } }, "nested");
    log.warn(
      {
        headers: { authorization: `token ${token}` },
        request: { headers: { authorization: `Bearer ${token}` } },
        err: { message: "HTTP 401", request: { headers: { authorization: `token ${token}` } } },
        req: { headers: { authorization: `Bearer ${token}`, cookie: "session=abc123" } },
      },
      "a request",
    );
    log.info(
      { okta: { access_token: token, client_secret: "cs-xyz-123", password: "pw-1" } },
      "okta",
    );
    log.child({ name: "octokit" }).debug({ auth: { token } }, "child");
    const text = sink.text();
    for (const secret of [
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
      token,
      "s3cr3t-hook",
      "session=abc123",
      "cs-xyz-123",
      "pw-1",
    ])
      expect(text, secret).not.toContain(secret);
    expect(sink.lines()).toHaveLength(5);
    expect(sink.lines()[0]).toMatchObject({
      msg: "top level",
      privateKey: REDACTED,
      token: REDACTED,
    });
    // What is not a secret stays.
    expect(sink.lines()[2]).toMatchObject({ msg: "a request", err: { message: "HTTP 401" } });
  });
});
