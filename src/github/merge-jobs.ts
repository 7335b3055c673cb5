// The jobs that change Okta, wired into the Probot app: the apply on a push to the default branch
// of the configured repository, and the drift schedule over that repository. A push is queued as
// a work item (its lane: the branch); the drift schedule runs on every replica and checks only in
// the rounds it claims (once across replicas). Both run one at a time against Okta in a process
// (a mutex shared by the two: an apply and a correction never race for the org's lock), and the
// org's lock serialises them across replicas.
import type { Probot } from "probot";
import { z } from "zod";
import { octokitPort, type OctokitLike } from "./octokit-port.js";
import { terminalText } from "../render/escape.js";
import type { JobOutcome } from "./observe.js";
import type { GitHubPort } from "./port.js";
import type { AppRuntime } from "./runtime.js";
import type { WorkItem } from "./work/types.js";
import { approvalsOfPullRequest, exceptionHashes } from "./jobs/approval.js";
import { DEFAULT_DRIFT_MS, DriftSchedule, runDriftJob, systemTimer } from "./jobs/drift.js";
import {
  applyGate,
  errorText,
  reportSuperseded,
  runMergeJob,
  type MergeJobDeps,
} from "./jobs/merge.js";
import { driftOutcome, mergeOutcome } from "./jobs/runs.js";

/** What the jobs need of the App. */
export type MergeRuntime = Pick<
  AppRuntime,
  "deps" | "log" | "observer" | "archives" | "appLogin" | "portFor" | "enqueue"
>;

export interface MergeJobs {
  /** The drift schedule (absent when no repository is configured). */
  drift?: DriftSchedule;
  /** Runs a queued push (kind "push"). */
  runPush(item: WorkItem): Promise<JobOutcome>;
  /** Resolves when no drift check runs. */
  idle(): Promise<void>;
  /** Stops the schedule (a check under way finishes first). */
  close(): Promise<void>;
}

const PushPayload = z.object({
  ref: z.string(),
  after: z.string().regex(/^[0-9a-f]{40}$/),
  deleted: z.boolean().optional(),
  repository: z.object({
    name: z.string(),
    owner: z.object({ login: z.string().optional(), name: z.string().optional() }),
    full_name: z.string(),
    default_branch: z.string(),
  }),
  sender: z.object({ login: z.string(), type: z.string() }).optional(),
  installation: z.object({ id: z.number().int() }).optional(),
});

const Installation = z.object({ id: z.number().int() });
/** A push item's data (read back from Redis too). */
const PushData = z.object({ after: z.string().regex(/^[0-9a-f]{40}$/), branch: z.string().min(1) });
const RepositoryInfo = z.object({ default_branch: z.string() });

/** One at a time: the jobs that change Okta queue behind each other. */
function serial(): <T>(body: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (body) => {
    const next = tail.then(body, body);
    tail = next.catch(() => {});
    return next;
  };
}

export function registerMergeJobs(app: Probot, runtime: MergeRuntime): MergeJobs {
  const { deps, log } = runtime;
  const oneAtATime = serial();
  const jobDeps = async (): Promise<MergeJobDeps> => {
    const today = () => deps.clock().toISOString().slice(0, 10);
    return {
      okta: await deps.okta(),
      botLogin: await runtime.appLogin(),
      now: () => deps.clock(),
      log,
      tree: (port, sha) => runtime.archives.tree(port, sha),
      approvalsOf: async (port, pr, exceptions, config) => {
        const ctx = { config, today: today(), archives: runtime.archives };
        const head = await runtime.archives.tree(port, pr.headSha);
        const atHead = exceptionHashes(head, exceptions, config, ctx.today);
        const decisions = await approvalsOfPullRequest(port, pr, exceptions, ctx);
        return { atHead, decisions };
      },
    };
  };

  app.on("push", async (context) => {
    const parsed = PushPayload.safeParse(context.payload);
    if (!parsed.success) {
      log.warn(`push ${context.id}: an event of an unexpected shape was ignored`);
      return;
    }
    const e = parsed.data;
    if (e.sender?.type === "Bot" && e.sender.login === (await runtime.appLogin())) return;
    const configured = deps.repository
      ? `${deps.repository.owner}/${deps.repository.repo}`
      : undefined;
    const gate = applyGate(
      {
        repository: e.repository.full_name,
        ref: e.ref,
        after: e.after,
        defaultBranch: e.repository.default_branch,
        deleted: Boolean(e.deleted),
      },
      configured,
    );
    if (!gate.apply) {
      log.info(
        terminalText(`push to ${e.repository.full_name} ${e.ref}: not applied (${gate.why})`),
      );
      return;
    }
    const [owner, name] = e.repository.full_name.split("/");
    // A newer push for the branch supersedes this one while it waits.
    await runtime.enqueue({
      kind: "push",
      key: `${e.repository.full_name}@${gate.branch}`.toLowerCase(),
      rank: 0,
      delivery: context.id,
      ...(e.installation ? { installation: e.installation.id } : {}),
      repo: { owner: owner!, repo: name! },
      data: { after: e.after, branch: gate.branch },
    });
  });

  const runPush = (item: WorkItem): Promise<JobOutcome> => {
    const { after, branch } = PushData.parse(item.data);
    return oneAtATime(async () => {
      const port = await runtime.portFor(item);
      // Level-based: when main has moved on, its newest commit is the one to apply (its own
      // push is on its way); this one is said to be superseded, and not applied on its own.
      const head = await port.branchHead(branch);
      if (head !== after) {
        await reportSuperseded(port, after, head);
        return "superseded";
      }
      const run = await runMergeJob(port, await jobDeps(), { sha: after, branch });
      runtime.observer.reconciled({ kind: "apply", outcome: mergeOutcome(run), at: deps.clock() });
      return "done";
    });
  };

  if (!deps.repository) {
    log.info("OKTA_GITOPS_REPOSITORY is not set: no apply and no drift check");
    return { runPush, idle: async () => {}, close: async () => {} };
  }
  const repo = deps.repository;
  const full = `${repo.owner}/${repo.repo}`;

  /** The configured repository's installation, default branch and port. */
  const repositoryPort = async (): Promise<{ port: GitHubPort; branch: string }> => {
    const asApp = (await app.auth()) as unknown as OctokitLike;
    const installation = Installation.parse(
      (await asApp.request("GET /repos/{owner}/{repo}/installation", { ...repo })).data,
    );
    const octokit = (await app.auth(installation.id)) as unknown as OctokitLike;
    const info = RepositoryInfo.parse(
      (await octokit.request("GET /repos/{owner}/{repo}", { ...repo })).data,
    );
    return { port: octokitPort(octokit, repo), branch: info.default_branch };
  };

  const key = `${full}#drift`.toLowerCase();
  /** The interval main asked for at the last check this replica ran. */
  let intervalMs = DEFAULT_DRIFT_MS;
  const check = async (): Promise<number> => {
    // Once across replicas: the round is this replica's only if it takes the claim, which lapses
    // before the next round (a little before the interval, so that the next round finds it free).
    if (deps.driftClaim && !(await deps.driftClaim(Math.floor(intervalMs * 0.9))))
      return intervalMs;
    const started = Date.now();
    try {
      intervalMs = await oneAtATime(async () => {
        const { port, branch } = await repositoryPort();
        const { run, intervalMs: next } = await runDriftJob(port, await jobDeps(), { branch });
        runtime.observer.reconciled({ kind: "drift", ...driftOutcome(run), at: deps.clock() });
        return next;
      });
      runtime.observer.jobEnded({ kind: "drift", key, outcome: "done", ms: Date.now() - started });
      return intervalMs;
    } catch (error) {
      runtime.observer.jobEnded({
        kind: "drift",
        key,
        outcome: "failed",
        ms: Date.now() - started,
        error: errorText(error),
      });
      throw error;
    }
  };
  const drift = new DriftSchedule(check, deps.driftTimer ?? systemTimer, (error) =>
    log.error(`drift check of ${full}: ${errorText(error)}`),
  );
  drift.start();
  return { drift, runPush, idle: () => drift.idle(), close: () => drift.stop() };
}
