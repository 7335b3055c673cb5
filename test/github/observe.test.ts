// What an operator watches: /metrics scraped after real deliveries to the App (against the local
// GitHub and the local Okta org, over HTTP) must say what the local GitHub and the local org
// recorded; /healthz and /readyz say whether the process can work, and why not; the log is JSON
// lines through pino, one per job, with keys, tokens and secrets redacted.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/okta/pacer.js";
import { createLogger, REDACTED } from "../../src/github/log.js";
import { createMetrics } from "../../src/github/metrics.js";
import { readiness } from "../../src/github/health.js";
import type { Timer } from "../../src/github/jobs/drift.js";
import type { LocalOrg } from "../../src/local-org/index.js";
import { freePort, REDIS_AVAILABLE } from "../support/redis.js";
import { sswsClient } from "../support/okta-sdk.js";
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

async function world(
  options: {
    now?: () => number;
    logDestination?: Writable;
    env?: Record<string, string>;
    driftTimer?: Timer;
  } = {},
) {
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

/** A push delivered to the App, and its work waited for. */
async function push(
  w: { gh: LocalGitHub; app: StartedApp },
  before: string,
  after: string,
  ref = "refs/heads/main",
) {
  const d = await deliver(
    w.app.url,
    "push",
    pushEvent(w.gh, REPO, { ref, before, after }),
    w.app.secret,
  );
  expect(d.status, d.body).toBe(202);
  await w.app.idle();
  return d;
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
  const pushed = await push(w, base, merged);
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

  it("an apply that fails is counted as a failure, GitHub's 5xx by its class, and no successful apply is claimed", async () => {
    const w = await world();
    const base = w.gh.commit(REPO, "main", { "README.md": "access\n" });
    const sha = w.gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
    });
    w.gh.failNext("repos/download-tarball-archive", 502);
    await push(w, base, sha);
    const text = await scrape(w.app);
    expect(
      sample(text, "okta_gitops_reconciles_total", { kind: "apply", outcome: "failure" }),
    ).toBe(1);
    expect(
      sample(text, "okta_gitops_reconciles_total", { kind: "apply", outcome: "success" }),
    ).toBe(0);
    const injected = w.gh.requests().filter((r) => r.injected);
    expect(injected.map((r) => r.status)).toEqual([502]);
    expect(sample(text, "okta_gitops_github_requests_total", { status: "5xx" })).toBe(1);
    expect(sample(text, "okta_gitops_last_successful_apply_timestamp_seconds")).toBeUndefined();
    expect(sample(text, "okta_gitops_seconds_since_last_successful_apply")).toBeUndefined();
  });

  it("a drift check counts each drifted integration once, and its reconcile", async () => {
    const armed: (() => void)[] = [];
    const timer: Timer = {
      setTimeout: (fn) => armed.push(fn),
      clearTimeout: () => {},
    };
    const w = await world({ driftTimer: timer });
    const base = w.gh.commit(REPO, "main", { "README.md": "access\n" });
    const head = w.gh.commit(REPO, "main", {
      "integrations/hr-sync.yaml": integrationYaml("hr-sync"),
      "integrations/expenses.yaml": integrationYaml("expenses"),
      "integrations/payroll.yaml": integrationYaml("payroll"),
    });
    await push(w, base, head);
    // Two of the three changed by hand in Okta, one of them twice over.
    const admin = sswsClient(w.org);
    for (const label of ["hr-sync", "expenses"]) {
      const id = Object.values(w.org.state.apps).find((a) => a.label === label)!.id;
      const a = await admin.applicationApi.getApplication({ appId: id });
      const oauth = (a as unknown as { settings: { oauthClient: Record<string, unknown> } })
        .settings.oauthClient;
      oauth.dpop_bound_access_tokens = false;
      await admin.applicationApi.replaceApplication({ appId: id, application: a });
    }
    const zone = Object.values(w.org.state.zones).find((z) => z.name === "okta-gitops/hr-sync")!;
    const z = await admin.networkZoneApi.getNetworkZone({ zoneId: zone.id });
    (z as unknown as { gateways: { type: string; value: string }[] }).gateways.push({
      type: "CIDR",
      value: "192.0.2.0/24",
    });
    await admin.networkZoneApi.replaceNetworkZone({ zoneId: zone.id, zone: z });
    expect(armed).toHaveLength(1);
    armed.shift()!();
    await w.app.idle();
    const text = await scrape(w.app);
    expect(sample(text, "okta_gitops_jobs_total", { kind: "drift", outcome: "done" })).toBe(1);
    expect(sample(text, "okta_gitops_drift_found_total")).toBe(2);
    // Report mode (the default): found, not corrected.
    expect(sample(text, "okta_gitops_drift_corrected_total")).toBe(0);
    const outcomes = ["success", "failure", "refused"].map(
      (outcome) => sample(text, "okta_gitops_reconciles_total", { kind: "drift", outcome }) ?? 0,
    );
    expect(outcomes.reduce((a, b) => a + b, 0)).toBe(1);
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

  it("/readyz turns 503 naming the queue while a job has waited longer than OKTA_GITOPS_QUEUE_STUCK_SECONDS, and 200 again once it is done", async () => {
    const w = await world({ env: { OKTA_GITOPS_QUEUE_STUCK_SECONDS: "1" } });
    expect((await ready(w.app)).status).toBe(200);
    w.gh.commit(REPO, "main", { "integrations/hr-sync.yaml": integrationYaml("hr-sync") });
    w.gh.commit(
      REPO,
      "add-expenses",
      { "integrations/expenses.yaml": integrationYaml("expenses") },
      { author: "alice" },
    );
    const pr = w.gh.openPullRequest(REPO, { head: "add-expenses", author: "alice" });
    // Every Okta answer now takes 1.5 s: the pull request's check runs for longer than 1 s.
    w.org.setFaults({ latencyMs: 1500 });
    const opened = await deliver(
      w.app.url,
      "pull_request",
      pullRequestEvent(w.gh, REPO, pr, "opened"),
      w.app.secret,
    );
    expect(opened.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1200));
    const metrics = await scrape(w.app);
    expect(sample(metrics, "okta_gitops_queue_depth")).toBe(1);
    expect(sample(metrics, "okta_gitops_queue_oldest_job_age_seconds")).toBeGreaterThanOrEqual(1);
    const stuck = await ready(w.app);
    expect(stuck.status).toBe(503);
    expect(stuck.body.checks.queue).toMatch(
      /^failed: the oldest unfinished job was queued [1-9] s ago/,
    );
    await w.app.idle();
    w.org.setFaults({});
    const after = await ready(w.app);
    expect(after.status).toBe(200);
    expect(after.body.checks.queue).toBe("ok");
  });

  it("an unusable OKTA_GITOPS_QUEUE_STUCK_SECONDS is refused at start, naming it", async () => {
    gh = await startLocalGitHub();
    org = await startOrg();
    await expect(
      startApp({ github: gh, okta: org, env: { OKTA_GITOPS_QUEUE_STUCK_SECONDS: "soon" } }),
    ).rejects.toThrow(/OKTA_GITOPS_QUEUE_STUCK_SECONDS must be a whole number of seconds/);
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
    await push(
      w,
      w.gh.branchHead(REPO, "main"),
      w.gh.commit(REPO, "feature", { "README.md": "x\n" }),
      "refs/heads/feature",
    );
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

/** A redis-server of this test's own (it is stopped and started again), on a free port. */
async function ownRedis(): Promise<{ url: string; stop(): Promise<void>; start(): Promise<void> }> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once("error", () => resolve(true));
        s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("redis-server did not start");
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    c.kill("SIGKILL");
    await new Promise((r) => c.once("exit", r));
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

describe.skipIf(!REDIS_AVAILABLE)("/readyz with REDIS_URL", () => {
  it("checks Redis, and turns 503 naming it while Redis does not answer", async () => {
    const redis = await ownRedis();
    let stopped = false;
    try {
      const w = await world({ env: { REDIS_URL: redis.url, OKTA_GITOPS_REDIS_PREFIX: "observe" } });
      const up = await ready(w.app);
      expect(up.status, JSON.stringify(up.body)).toBe(200);
      expect(up.body.checks).toEqual({ redis: "ok", okta: "ok", queue: "ok", github: "ok" });
      await redis.stop();
      stopped = true;
      const down = await ready(w.app);
      expect(down.status).toBe(503);
      expect(down.body.checks.redis).toMatch(/^failed: /);
      expect(JSON.stringify(down.body)).not.toContain(redis.url);
      // Redis back: ready again.
      await redis.start();
      stopped = false;
      let again = await ready(w.app);
      for (let i = 0; i < 50 && again.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        again = await ready(w.app);
      }
      expect(again.status, JSON.stringify(again.body)).toBe(200);
    } finally {
      // The App's queue closes only with Redis there.
      if (stopped) await redis.start();
      await app?.close();
      app = undefined;
      await redis.stop();
    }
  });
});
