// The jobs that change Okta, wired into the Probot app: the apply on a push to the default branch
// of the configured repository, and the drift schedule over that repository. Both go through the
// App's queue (so that waiting for the App's work waits for them too), and one at a time against
// Okta (a mutex shared by the two: an apply and a correction never race for the org's lock).
import type { Probot } from "probot";
import { z } from "zod";
import { octokitPort, type OctokitLike } from "./octokit-port.js";
import { terminalText } from "../render/escape.js";
import type { GitHubPort } from "./port.js";
import type { AppRuntime } from "./runtime.js";
import { approvalsOfPullRequest, exceptionHashes } from "./jobs/approval.js";
import { DriftSchedule, runDriftJob, systemTimer } from "./jobs/drift.js";
import {
  applyGate,
  errorText,
  reportSuperseded,
  runMergeJob,
  type MergeJobDeps,
} from "./jobs/merge.js";

/** What the jobs need of the App. */
export type MergeRuntime = Pick<
  AppRuntime,
  "deps" | "queue" | "log" | "archives" | "appLogin" | "portOf"
>;

export interface MergeJobs {
  /** The drift schedule (absent when no repository is configured). */
  drift?: DriftSchedule;
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
});

const Installation = z.object({ id: z.number().int() });
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
    const port = runtime.portOf(context);
    const branch = gate.branch;
    // A newer push for the branch replaces this one while it waits (the queue keeps one waiting).
    runtime.queue.push(`${e.repository.full_name}@${branch}`.toLowerCase(), () =>
      oneAtATime(async () => {
        // Level-based: when main has moved on, its newest commit is the one to apply (its own
        // push is on its way); this one is said to be superseded, and not applied on its own.
        const head = await port.branchHead(branch);
        if (head !== e.after) {
          await reportSuperseded(port, e.after, head);
          return;
        }
        await runMergeJob(port, await jobDeps(), { sha: e.after, branch });
      }),
    );
  });

  if (!deps.repository) {
    log.info("OKTA_GITOPS_REPOSITORY is not set: no apply and no drift check");
    return { close: async () => {} };
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

  const check = () =>
    new Promise<number>((resolve, reject) => {
      runtime.queue.push(`${full}#drift`.toLowerCase(), () =>
        oneAtATime(async () => {
          try {
            const { port, branch } = await repositoryPort();
            const { intervalMs } = await runDriftJob(port, await jobDeps(), { branch });
            resolve(intervalMs);
          } catch (error) {
            reject(error);
          }
        }),
      );
    });
  const drift = new DriftSchedule(check, deps.driftTimer ?? systemTimer, (error) =>
    log.error(`drift check of ${full}: ${errorText(error)}`),
  );
  drift.start();
  return { drift, close: () => drift.stop() };
}
