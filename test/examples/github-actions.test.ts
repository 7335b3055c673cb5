// examples/github-actions/okta-gitops.yml: the workflow for repositories without the App. Its
// safety properties are read from the YAML itself, every okta-gitops command and flag it uses is
// checked against the CLI's own --help, and its steps are run as written (bash, the real CLI over
// dist/, a local org over HTTP) with and without the Okta credentials.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { LocalOrg } from "../../src/local-org/index.js";
import { BIN } from "../support/cli-process.js";
import { envFor, startOrg } from "../reconcile/harness.js";
import { serviceApp } from "../reconcile/fixtures.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FILE = path.join(ROOT, "examples/github-actions/okta-gitops.yml");

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, { permissions?: unknown; steps: Step[]; "timeout-minutes"?: number }>;
}

const text = readFileSync(FILE, "utf8");
const wf = parse(text) as Workflow;
/** The workflow without its comments (which explain what it must never do). */
const code = text
  .split("\n")
  .filter((l) => !/^\s*#/.test(l))
  .join("\n");
const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
const step = (name: RegExp) => {
  const s = steps.find((x) => name.test(x.name ?? ""));
  expect(s, `a step named ${name}`).toBeDefined();
  return s!;
};
const SHA = /^[0-9a-f]{40}$/;

describe("examples/github-actions/okta-gitops.yml", () => {
  it("runs on pull_request only (never pull_request_target), with contents: read and nothing more", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(code).not.toMatch(/pull_request_target|workflow_run/);
    expect(wf.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(wf.jobs)) {
      expect(job.permissions).toBeUndefined();
      expect(job["timeout-minutes"]).toBeGreaterThan(0);
    }
  });

  it("pins every action by a full commit sha and the tool by a full commit, installed with npm ci (never latest or npx)", () => {
    const uses = steps.filter((s) => s.uses);
    expect(uses.length).toBeGreaterThan(0);
    for (const s of uses) expect(s.uses!.split("@")[1], s.uses).toMatch(SHA);
    expect(wf.env.OKTA_GITOPS_COMMIT).toMatch(SHA);
    const install = step(/^Install okta-gitops/).run!;
    expect(install).toContain('"$OKTA_GITOPS_COMMIT"');
    expect(install).toMatch(/rev-parse HEAD\)" = "\$OKTA_GITOPS_COMMIT"/);
    expect(install).toMatch(/npm ci --ignore-scripts/);
    expect(code).not.toMatch(/npx|@latest|npm install|npm i /);
    // No checkout leaves a token behind for later steps.
    for (const s of uses.filter((x) => x.uses!.startsWith("actions/checkout@")))
      expect(s.with?.["persist-credentials"]).toBe(false);
  });

  it("reads .okta-gitops.yml from the base branch, not from the pull request's head", () => {
    const checkouts = steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    const head = checkouts.find((s) => s.with?.path === "repo");
    const base = checkouts.find((s) => s.with?.path === "base");
    expect(head?.with?.ref).toBe("${{ github.event.pull_request.head.sha }}");
    expect(base?.with?.ref).toBe("${{ github.event.pull_request.base.sha }}");
    expect(base?.with?.["sparse-checkout"]).toBe(".okta-gitops.yml");
    const settings = step(/^Use the base branch's settings$/);
    expect(settings["working-directory"]).toBe("repo");
    expect(settings.run).toMatch(/rm -f \.okta-gitops\.yml/);
    // The settings step comes before every okta-gitops command.
    const first = steps.findIndex((s) => /okta-gitops (validate|plan)/.test(s.run ?? ""));
    expect(steps.indexOf(settings)).toBeLessThan(first);
  });

  it("gives the Okta credentials to the plan step alone, and skips the plan without them, saying so in the job summary", () => {
    const withSecrets = steps.filter((s) => JSON.stringify(s).includes("secrets."));
    expect(withSecrets.map((s) => s.name)).toEqual(["Plan"]);
    expect(JSON.stringify(wf.env)).not.toMatch(/secrets\./);
    const plan = step(/^Plan$/);
    expect(plan.run).toMatch(/if \[ -z "\$OKTA_PRIVATE_KEY" \]/);
    expect(plan.run).toMatch(/skipped: no Okta credentials[^\n]*>> "\$GITHUB_STEP_SUMMARY"/);
    expect(plan.run).toMatch(/okta-gitops plan .*--format markdown >> "\$GITHUB_STEP_SUMMARY"/);
    expect(step(/^Validate$/).run).toMatch(/okta-gitops validate --format github/);
  });

  it("uses only okta-gitops commands, flags and formats that exist (the CLI's --help)", () => {
    const scripts = steps.map((s) => s.run ?? "").join("\n");
    const uses = [
      ...scripts.matchAll(
        /okta-gitops (validate|plan|apply|drift|import|keygen|serve)\b([^\n>|]*)/g,
      ),
    ];
    expect([...new Set(uses.map((m) => m[1]))].sort()).toEqual(["plan", "validate"]);
    for (const [, command, rest] of uses) {
      const help = execFileSync(process.execPath, [BIN, command!, "--help"], { encoding: "utf8" });
      for (const [, flag, value] of rest!.matchAll(/(--[a-z-]+)(?: ("[^"]*"|[^\s"]+))?/g)) {
        expect(help, `${command} ${flag}`).toContain(flag);
        if (flag === "--format") expect(help, `${command} --format ${value}`).toContain(value);
      }
    }
    expect(code).not.toMatch(/okta-gitops (apply|drift --correct)/);
  });
});

describe("examples/github-actions/okta-gitops.yml, run as written", () => {
  let org: LocalOrg;
  let work: string;
  let baseSha: string;
  let headSha: string;
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
      },
    }).trim();

  beforeAll(async () => {
    org = await startOrg({ egressAddress: "203.0.113.200" });
    work = mkdtempSync(path.join(tmpdir(), "okta-gitops-actions-"));
    const repo = path.join(work, "repo");
    mkdirSync(path.join(repo, "integrations"), { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    // Base: the default settings.
    writeFileSync(
      path.join(repo, ".okta-gitops.yml"),
      readFileSync(path.join(ROOT, ".okta-gitops.yml")),
    );
    writeFileSync(path.join(repo, "integrations", ".keep"), "");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "base");
    baseSha = git(repo, "rev-parse", "HEAD");
    // Head: a new integration at 25%, and settings that would refuse it (a ceiling of 10%).
    writeFileSync(
      path.join(repo, "integrations", "expense-reports.yaml"),
      stringify(serviceApp("expense-reports")),
    );
    writeFileSync(
      path.join(repo, ".okta-gitops.yml"),
      "apiVersion: okta-gitops/v1\nkind: Config\npolicy:\n  rateLimit:\n    maxPercent: 10\n    defaultPercent: 10\n",
    );
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "head");
    headSha = git(repo, "rev-parse", "HEAD");
    mkdirSync(path.join(work, "base"));
    writeFileSync(
      path.join(work, "base", ".okta-gitops.yml"),
      git(repo, "show", `${baseSha}:.okta-gitops.yml`) + "\n",
    );
    // The install step's result: `okta-gitops` on PATH.
    mkdirSync(path.join(work, "bin"));
    symlinkSync(BIN, path.join(work, "bin", "okta-gitops"));
  });

  afterAll(async () => {
    await org?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs the steps after the install as GitHub runs `run:` steps (bash -eo pipefail), with the
   * `${{ }}` expressions they use filled in; returns the job summary and each step's exit code. */
  async function runSteps(secrets: Record<string, string>, vars: Record<string, string>) {
    const summary = path.join(work, `summary-${Math.random().toString(36).slice(2)}.md`);
    const output = path.join(work, `output-${Math.random().toString(36).slice(2)}`);
    writeFileSync(summary, "");
    const outputs: Record<string, Record<string, string>> = {};
    const expr = (s: string) =>
      s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) => {
        if (e === "github.event.pull_request.base.sha") return baseSha;
        if (e === "github.event.pull_request.head.sha") return headSha;
        let m = /^secrets\.(\w+)$/.exec(e);
        if (m) return secrets[m[1]!] ?? "";
        m = /^vars\.(\w+)$/.exec(e);
        if (m) return vars[m[1]!] ?? "";
        m = /^steps\.(\w+)\.outputs\.(\w+)$/.exec(e);
        if (m) return outputs[m[1]!]?.[m[2]!] ?? "";
        throw new Error(`an expression this test does not know: ${e}`);
      });
    const codes: Record<string, number> = {};
    let failed = false;
    for (const s of steps.slice(steps.findIndex((x) => /^Install/.test(x.name ?? "")) + 1)) {
      if (!s.run) continue;
      // `if: !cancelled()` runs after a failure; the default (success()) does not.
      if (failed && !/!cancelled\(\)/.test(s.if ?? "")) continue;
      writeFileSync(output, "");
      const env: Record<string, string> = {
        PATH: `${path.join(work, "bin")}:${process.env.PATH}`,
        HOME: work,
        NO_COLOR: "1",
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
        RUNNER_TEMP: work,
      };
      for (const [k, v] of Object.entries(s.env ?? {})) env[k] = expr(v);
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(
          "bash",
          ["--noprofile", "--norc", "-eo", "pipefail", "-c", expr(s.run!)],
          {
            cwd: path.join(work, s["working-directory"] ?? "."),
            env,
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        child.stdout.resume();
        child.stderr.resume();
        child.on("error", reject);
        child.on("close", (c) => resolve(c ?? -1));
      });
      codes[s.name!] = code;
      if (code !== 0) failed = true;
      if (s.id)
        outputs[s.id] = Object.fromEntries(
          readFileSync(output, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
        );
    }
    return { summary: readFileSync(summary, "utf8"), codes };
  }

  it("validates under the base branch's settings and writes the plan of the changed integration into the summary; without credentials (a fork) says the plan was skipped", async () => {
    // The head's own settings would refuse the integration: had the workflow read them, validate
    // would fail.
    const underHead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, [BIN, "validate"], {
        cwd: path.join(work, "repo"),
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
        stdio: "ignore",
      });
      c.on("close", (code) => resolve(code ?? -1));
    });
    expect(underHead).toBe(1);

    const e = envFor(org);
    const vars = {
      OKTA_ORG_URL: e.OKTA_ORG_URL!,
      OKTA_CLIENT_ID: e.OKTA_CLIENT_ID!,
      OKTA_KEY_ID: e.OKTA_KEY_ID!,
      OKTA_SCOPES: e.OKTA_SCOPES!,
    };
    const withCredentials = await runSteps({ OKTA_PRIVATE_KEY: e.OKTA_PRIVATE_KEY! }, vars);
    expect(withCredentials.codes).toEqual({
      "Use the base branch's settings": 0,
      Validate: 0,
      Plan: 0,
    });
    expect(withCredentials.summary).toContain(`base branch (\`${baseSha}\`)`);
    expect(withCredentials.summary).toMatch(/\*\*validate\*\*: no errors/);
    expect(withCredentials.summary).toMatch(/Plan: \d+ to create/);
    expect(withCredentials.summary).toContain("expense-reports");
    expect(withCredentials.summary).not.toMatch(/skipped/);

    const fork = await runSteps({}, vars);
    expect(fork.codes.Plan).toBe(0);
    expect(fork.summary).toMatch(/\*\*plan\*\*: skipped: no Okta credentials/);
    expect(fork.summary).not.toMatch(/Plan: \d+ to create/);
  }, 60_000);
});
