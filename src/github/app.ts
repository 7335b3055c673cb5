// The Probot app: routes GitHub's events to the jobs, ignores the events the App itself causes, and
// runs every delivery's work through one in-process queue (one job at a time per pull request and
// per repository's default branch), so that a burst of pushes or reviews is handled in order and
// the newest state wins. The jobs see GitHub through the port (octokit-port.ts) and Okta through the
// session the CLI's `serve` builds: this module holds no Okta or GitHub settings of its own.
import type { Context, Probot } from "probot";
import { z } from "zod";
import { terminalText } from "../render/escape.js";
import { ArchiveCache } from "./archives.js";
import { octokitPort, type OctokitLike } from "./octokit-port.js";
import type { RepoRef } from "./port.js";
import { jobQueue, type JobQueue } from "./queue.js";
import type { AppDeps, AppLog, AppRuntime } from "./runtime.js";
import { registerMergeJobs, type MergeJobs } from "./merge-jobs.js";

export type { AppDeps, AppLog, AppRuntime };
import {
  APPROVAL_CHECK,
  POLICY_CHECK,
  runApprovalJob,
  runPullRequestJob,
} from "./jobs/pull-request.js";

export type OktaGitopsApp = ((app: Probot) => Promise<void>) & {
  /** Resolves when every delivery's work is done. */
  idle(): Promise<void>;
  /** Stops the drift schedule (a check under way finishes first). */
  close(): Promise<void>;
};

const Repository = z.object({
  name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string(),
});
const Sender = z.object({ login: z.string(), type: z.string() }).optional();
const PullEvent = z.object({
  pull_request: z.object({ number: z.number().int() }),
  repository: Repository,
  sender: Sender,
});
const CheckRunEvent = z.object({
  check_run: z.object({
    name: z.string(),
    head_sha: z.string(),
    app: z.object({ id: z.number().int() }).nullable().optional(),
    pull_requests: z.array(z.object({ number: z.number().int() })).default([]),
  }),
  repository: Repository,
  sender: Sender,
});
const CheckSuiteEvent = z.object({
  check_suite: z.object({
    head_sha: z.string(),
    app: z.object({ id: z.number().int() }).nullable().optional(),
    pull_requests: z.array(z.object({ number: z.number().int() })).default([]),
  }),
  repository: Repository,
  sender: Sender,
});

/** A payload's repository as the port's reference. */
function repoOf(r: z.infer<typeof Repository>): RepoRef {
  return { owner: r.owner.login, repo: r.name };
}

export function oktaGitopsApp(deps: AppDeps): OktaGitopsApp {
  let queue: JobQueue | undefined;
  let mergeJobs: MergeJobs | undefined;
  const pending: Promise<unknown>[] = [];

  const appFn = async (app: Probot): Promise<void> => {
    const log: AppLog = deps.log ?? {
      info: (m) => app.log.info(m),
      warn: (m) => app.log.warn(m),
      error: (m) => app.log.error(m),
    };
    queue = jobQueue((key, error) =>
      // The message may quote GitHub or a file: no control character reaches the log.
      log.error(
        terminalText(
          `${key}: the job failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
        ).slice(0, 1000),
      ),
    );
    let identity: Promise<{ slug: string; id: number }> | undefined;
    const appIdentity = () =>
      (identity ??= (async () => {
        const octokit = (await app.auth()) as unknown as OctokitLike;
        const r = await octokit.request("GET /app");
        const parsed = z.object({ slug: z.string(), id: z.number().int() }).parse(r.data);
        return parsed;
      })().catch((error: unknown) => {
        identity = undefined;
        throw error;
      }));
    const runtime: AppRuntime = {
      deps,
      queue,
      log,
      archives: new ArchiveCache(),
      appLogin: async () => `${(await appIdentity()).slug}[bot]`,
      portOf: (context) => {
        const r = Repository.parse((context.payload as { repository?: unknown }).repository);
        return octokitPort(context.octokit as unknown as OctokitLike, repoOf(r));
      },
      isConfigured: (repo) =>
        !!deps.repository &&
        deps.repository.owner.toLowerCase() === repo.owner.toLowerCase() &&
        deps.repository.repo.toLowerCase() === repo.repo.toLowerCase(),
    };

    /** The App's own events (its check runs, comments) would otherwise start it again. */
    const fromSelf = async (sender: z.infer<typeof Sender>) =>
      sender?.type === "Bot" && sender.login === (await runtime.appLogin());

    /** Parses an event's payload; one this App cannot read is reported and dropped. */
    const accept = async <T extends { sender?: z.infer<typeof Sender> }>(
      schema: z.ZodType<T>,
      context: Context,
    ): Promise<T | undefined> => {
      const r = schema.safeParse(context.payload);
      if (!r.success) {
        log.warn(`${context.name} ${context.id}: an event of an unexpected shape was ignored`);
        return undefined;
      }
      if (await fromSelf(r.data.sender)) return undefined;
      return r.data;
    };

    const pullJob = (
      context: Context,
      repo: RepoRef,
      number: number,
      full: boolean,
      defaultBranch: string,
    ) => {
      const port = runtime.portOf(context);
      queue!.push(
        `${repo.owner}/${repo.repo}#${number}`,
        async () => {
          const job = {
            port,
            runtime,
            defaultBranch,
            today: deps.clock().toISOString().slice(0, 10),
          };
          if (full) await runPullRequestJob(job, number);
          else await runApprovalJob(job, number);
          // A full check decides the approvals too: a waiting approval-only job gives way to it.
        },
        full ? 1 : 0,
      );
    };

    /** A pull request's events: a full check (its head changed), or the approval alone. */
    const onPull = (events: Parameters<Probot["on"]>[0], full: boolean) =>
      app.on(events, async (context) => {
        const e = await accept(PullEvent, context);
        if (!e) return;
        const { repository: r, pull_request: pr } = e;
        pullJob(context, repoOf(r), pr.number, full, r.default_branch);
      });
    onPull(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], true);
    onPull(
      [
        "pull_request_review.submitted",
        "pull_request_review.edited",
        "pull_request_review.dismissed",
      ],
      false,
    );

    // A re-run of one of our checks: the pull requests of its commit are checked again.
    const rerun = async (
      context: Context,
      repo: RepoRef,
      defaultBranch: string,
      headSha: string,
      numbers: number[],
    ) => {
      let prs = numbers;
      if (!prs.length) {
        // GitHub leaves `pull_requests` empty for a fork's head: ask which pull requests hold it.
        const found = await runtime.portOf(context).pullsOfCommit(headSha);
        prs = found.filter((p) => p.state === "open" && p.headSha === headSha).map((p) => p.number);
      }
      for (const n of prs.slice(0, 10)) pullJob(context, repo, n, true, defaultBranch);
    };

    app.on("check_run.rerequested", async (context) => {
      const e = await accept(CheckRunEvent, context);
      if (!e) return;
      if (![POLICY_CHECK, APPROVAL_CHECK].includes(e.check_run.name)) return;
      if (e.check_run.app && e.check_run.app.id !== (await appIdentity()).id) return;
      const numbers = e.check_run.pull_requests.map((p) => p.number);
      await rerun(
        context,
        repoOf(e.repository),
        e.repository.default_branch,
        e.check_run.head_sha,
        numbers,
      );
    });

    app.on("check_suite.rerequested", async (context) => {
      const e = await accept(CheckSuiteEvent, context);
      if (!e) return;
      if (e.check_suite.app && e.check_suite.app.id !== (await appIdentity()).id) return;
      const numbers = e.check_suite.pull_requests.map((p) => p.number);
      await rerun(
        context,
        repoOf(e.repository),
        e.repository.default_branch,
        e.check_suite.head_sha,
        numbers,
      );
    });

    // The apply on a push to the default branch and the drift schedule register here too.
    mergeJobs = registerMergeJobs(app, runtime);
    await Promise.all(pending);
  };

  return Object.assign(appFn, {
    idle: async () => {
      // Twice: a job may push another (a review event arriving while a check runs).
      await queue?.idle();
      await queue?.idle();
    },
    close: async () => {
      await mergeJobs?.close();
    },
  });
}
