// What the App's scenario tests share: a local GitHub, a local Okta org and the App between them,
// signed deliveries of GitHub's own example payloads, and reading back what a user sees.
import { stringify } from "yaml";
import { expect } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { serviceApp, type SpecOverrides } from "../reconcile/fixtures.js";
import { startOrg } from "../reconcile/harness.js";
import { startApp, type StartedApp } from "../support/github-app.js";
import {
  startLocalGitHub,
  type CheckRunRecord,
  type CommentRecord,
  type LocalGitHub,
} from "../support/local-github/index.js";
import { deliver, pullRequestEvent, type Delivery } from "../support/local-github/webhooks.js";

export const POLICY = "okta-gitops/policy";
export const APPROVAL = "okta-gitops/identity-approval";
/** The day the App's clock reads (the fixtures' exceptions expire within the policy's bound). */
export const TODAY = new Date("2026-11-29T12:00:00Z");

export interface World {
  gh: LocalGitHub;
  org: LocalOrg;
  app: StartedApp;
  close(): Promise<void>;
}

export async function startWorld(options: { repository?: string } = {}): Promise<World> {
  const gh = await startLocalGitHub();
  const org = await startOrg();
  const app = await startApp({
    github: gh,
    okta: org,
    clock: () => TODAY,
    ...(options.repository ? { repository: options.repository } : {}),
  });
  return {
    gh,
    org,
    app,
    close: async () => {
      await app.close();
      await org.close();
      await gh.close();
    },
  };
}

/** Delivers an event signed with the App's secret and waits until its work is done. */
export async function send(world: World, event: string, payload: unknown): Promise<Delivery> {
  const d = await deliver(world.app.url, event, payload, world.app.secret);
  expect(d.status, d.body).toBeLessThan(300);
  await world.app.idle();
  return d;
}

/** pull_request.<action> for a pull request as it now stands. */
export function pullRequestDelivery(
  world: World,
  repo: string,
  pr: number,
  action: "opened" | "synchronize" | "reopened",
  before?: string,
): Promise<Delivery> {
  return send(
    world,
    "pull_request",
    pullRequestEvent(world.gh, repo, pr, action, before ? { before } : {}),
  );
}

/** The latest check run of that name on a commit. */
export function latestCheck(world: World, repo: string, sha: string, name: string): CheckRunRecord {
  const runs = world.gh.checkRuns(repo, sha).filter((c) => c.name === name);
  expect(runs.length, `a ${name} check run on ${sha}`).toBeGreaterThan(0);
  return runs[runs.length - 1]!;
}

/** The App's comments on a pull request. */
export function botComments(world: World, repo: string, pr: number): CommentRecord[] {
  return world.gh.comments(repo, pr).filter((c) => c.author === `${world.gh.appSlug}[bot]`);
}

export function integrationYaml(name: string, spec: SpecOverrides = {}): string {
  return stringify(serviceApp(name, spec));
}

/** Calls the local org has answered so far. */
export function oktaCalls(org: LocalOrg): number {
  return Object.values(org.counters()).reduce((n, c) => n + c.calls, 0);
}
