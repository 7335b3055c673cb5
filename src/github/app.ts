// The Probot app: routes GitHub's events to the jobs, ignores the events the App itself causes, and
// runs every delivery's work through the work queue (one job at a time per pull request and per
// repository's default branch), so that a burst of pushes or reviews is handled in order and the
// newest state wins. A handler only parses, filters and queues a work item (plain data: it may
// cross Redis to another replica); one runner does an item, authenticated as the item's
// installation, and tells the observer how each job ended. The jobs see GitHub through the port
// (octokit-port.ts) and Okta through the session the CLI's `serve` builds: this module holds no
// Okta or GitHub settings of its own.
import type { Context, Probot } from "probot";
import { z } from "zod";
import { terminalText } from "../render/escape.js";
import { ArchiveCache } from "./archives.js";
import { octokitPort, type OctokitLike } from "./octokit-port.js";
import { noObserver, type JobOutcome, type Observer } from "./observe.js";
import type { RepoRef } from "./port.js";
import type { AppDeps, AppLog, AppRuntime } from "./runtime.js";
import { registerMergeJobs, type MergeJobs } from "./merge-jobs.js";
import { errorText } from "./jobs/merge.js";
import { memoryWorkQueue } from "./work/memory-queue.js";
import type { WorkItem, WorkQueue } from "./work/types.js";

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
  /** Stops the drift schedule and the queue: stops taking work, and finishes (memory) or hands
   * back (Redis) what runs. */
  close(): Promise<void>;
};

const Repository = z.object({
  name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string(),
});
const Sender = z.object({ login: z.string(), type: z.string() }).optional();
const InstallationRef = z.object({ id: z.number().int().positive() }).optional();
const PullEvent = z.object({
  pull_request: z.object({ number: z.number().int() }),
  repository: Repository,
  sender: Sender,
  installation: InstallationRef,
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
  installation: InstallationRef,
});
const CheckSuiteEvent = z.object({
  check_suite: z.object({
    head_sha: z.string(),
    app: z.object({ id: z.number().int() }).nullable().optional(),
    pull_requests: z.array(z.object({ number: z.number().int() })).default([]),
  }),
  repository: Repository,
  sender: Sender,
  installation: InstallationRef,
});

/** A payload's repository as the port's reference. */
function repoOf(r: z.infer<typeof Repository>): RepoRef {
  return { owner: r.owner.login, repo: r.name };
}

/** A pull request's lane. */
const pullKey = (repo: RepoRef, number: number) =>
  `${repo.owner}/${repo.repo}#${number}`.toLowerCase();

/** What a pull request's item holds (read back from Redis too): the number, or for a re-run of a
 * commit's checks whose pull requests GitHub did not list, the commit. */
const PullData = z.object({
  number: z.number().int().positive().optional(),
  headSha: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  defaultBranch: z.string().min(1),
});

/** An observer whose failure never fails a job. */
function safeObserver(o: Observer, log: AppLog): Observer {
  const guard =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      try {
        f(...a);
      } catch (error) {
        log.warn(`observer: ${errorText(error)}`);
      }
    };
  return {
    jobEnded: guard((e) => o.jobEnded(e)),
    reconciled: guard((e) => o.reconciled(e)),
    githubRequest: guard((s) => o.githubRequest(s)),
  };
}

/** A job's failure, as one line of the log. The message may quote GitHub or a file: no control
 * character reaches the log. */
function logJobFailure(log: AppLog, key: string, error: unknown): void {
  log.error(
    terminalText(
      `${key}: the job failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
    ).slice(0, 1000),
  );
}

/** The work queue of one process (no Redis), logging a job that throws past its handler. */
export function memoryQueueFor(log: AppLog): WorkQueue {
  return memoryWorkQueue({ onError: (item, error) => logJobFailure(log, item.key, error) });
}

export function oktaGitopsApp(deps: AppDeps): OktaGitopsApp {
  let work: WorkQueue | undefined;
  let mergeJobs: MergeJobs | undefined;

  const appFn = async (app: Probot): Promise<void> => {
    const log: AppLog = deps.log ?? {
      info: (m) => app.log.info(m),
      warn: (m) => app.log.warn(m),
      error: (m) => app.log.error(m),
    };
    const observer = safeObserver(deps.observer ?? noObserver, log);
    const failed = (key: string, error: unknown) => logJobFailure(log, key, error);
    const queue = (work = deps.work?.(log) ?? memoryQueueFor(log));
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
      log,
      observer,
      archives: new ArchiveCache(),
      enqueue: async (item) => {
        if ((await queue.enqueue(item)) === "duplicate") {
          log.info(
            terminalText(
              `${item.key}: delivery ${item.delivery ?? ""} was seen before: not done again`,
            ),
          );
          observer.jobEnded({ ...ended(item), outcome: "duplicate", ms: 0 });
        }
      },
      appLogin: async () => `${(await appIdentity()).slug}[bot]`,
      portFor: async (item) => {
        // Webhooks of a GitHub App always carry their installation: without one there is no one
        // to act as.
        if (item.installation === undefined)
          throw new Error("the event names no installation of the App");
        const octokit = (await app.auth(item.installation)) as unknown as OctokitLike;
        return octokitPort(octokit, item.repo);
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

    /** A pull request's item: a full check (its head changed, or a re-run), or the approval
     * alone. A full check decides the approvals too: a waiting approval-only job gives way. */
    const pullItem = (
      kind: "pull" | "approval" | "rerun",
      repo: RepoRef,
      number: number,
      defaultBranch: string,
      delivery: string | undefined,
      installation: number | undefined,
    ): WorkItem => ({
      kind,
      key: pullKey(repo, number),
      rank: kind === "approval" ? 0 : 1,
      ...(delivery !== undefined ? { delivery } : {}),
      ...(installation !== undefined ? { installation } : {}),
      repo,
      data: { number, defaultBranch },
    });

    /** A pull request's events: a full check (its head changed), or the approval alone. */
    const onPull = (events: Parameters<Probot["on"]>[0], full: boolean) =>
      app.on(events, async (context) => {
        const e = await accept(PullEvent, context);
        if (!e) return;
        const { repository: r, pull_request: pr } = e;
        await runtime.enqueue(
          pullItem(
            full ? "pull" : "approval",
            repoOf(r),
            pr.number,
            r.default_branch,
            context.id,
            e.installation?.id,
          ),
        );
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
      installation: number | undefined,
    ) => {
      if (!numbers.length) {
        // GitHub leaves `pull_requests` empty for a fork's head: the runner asks which pull
        // requests hold it (the handler only queues).
        await runtime.enqueue({
          kind: "rerun",
          key: `${repo.owner}/${repo.repo}#${headSha}`.toLowerCase(),
          rank: 1,
          delivery: context.id,
          ...(installation !== undefined ? { installation } : {}),
          repo,
          data: { headSha, defaultBranch },
        });
        return;
      }
      // One delivery, several items: each its own delivery id, the same on a redelivery.
      for (const n of numbers.slice(0, 10))
        await runtime.enqueue(
          pullItem("rerun", repo, n, defaultBranch, `${context.id}-${n}`, installation),
        );
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
        e.installation?.id,
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
        e.installation?.id,
      );
    });

    // The apply on a push to the default branch and the drift schedule register here too.
    const merges = (mergeJobs = registerMergeJobs(app, runtime));

    /** Does one item: the existing jobs, as the item's installation. */
    const runItem = async (item: WorkItem): Promise<JobOutcome | void> => {
      if (item.kind === "push") return merges.runPush(item);
      if (item.kind === "drift") throw new Error("a drift check is not a queued item");
      const d = PullData.parse(item.data);
      const port = await runtime.portFor(item);
      if (d.number === undefined) {
        if (!d.headSha) throw new Error("a re-run names neither a pull request nor a commit");
        const found = await port.pullsOfCommit(d.headSha);
        const open = found.filter((p) => p.state === "open" && p.headSha === d.headSha);
        for (const p of open.slice(0, 10))
          await runtime.enqueue(
            pullItem(
              "rerun",
              item.repo,
              p.number,
              d.defaultBranch,
              item.delivery !== undefined ? `${item.delivery}-${p.number}` : undefined,
              item.installation,
            ),
          );
        return;
      }
      const job = {
        port,
        runtime,
        defaultBranch: d.defaultBranch,
        today: deps.clock().toISOString().slice(0, 10),
      };
      if (item.kind === "approval") await runApprovalJob(job, d.number);
      else await runPullRequestJob(job, d.number);
    };

    queue.start(
      async (item) => {
        const started = Date.now();
        try {
          const outcome = (await runItem(item)) ?? "done";
          observer.jobEnded({ ...ended(item), outcome, ms: Date.now() - started });
          return outcome;
        } catch (error) {
          failed(item.key, error);
          observer.jobEnded({
            ...ended(item),
            outcome: "failed",
            ms: Date.now() - started,
            error: terminalText(errorText(error)),
          });
          return "failed";
        }
      },
      (item, outcome) => observer.jobEnded({ ...ended(item), outcome, ms: 0 }),
    );
  };

  return Object.assign(appFn, {
    idle: async () => {
      // Twice: a job may queue another (a re-run's pull requests), or a drift check end.
      for (let i = 0; i < 2; i++) {
        await work?.idle();
        await mergeJobs?.idle();
      }
    },
    close: async () => {
      await mergeJobs?.close();
      await work?.close();
    },
  });
}

/** The observer's view of an item. */
function ended(item: WorkItem) {
  return {
    kind: item.kind,
    key: item.key,
    ...(item.delivery !== undefined ? { delivery: item.delivery } : {}),
  };
}
