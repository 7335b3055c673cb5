// Pull requests, their reviews (oldest first, as GitHub lists them) and their commits (oldest
// first, at most 250 as GitHub lists them), and team memberships (the Identity team's approvals).
import {
  GitHubError,
  intParam,
  notFound,
  paginate,
  repoOf,
  type Ctx,
  type Reply,
} from "../context.js";
import { commit, pullRequest, review } from "../objects.js";
import type { Route } from "../router.js";
import type { PullState, RepoState } from "../store.js";

/** GitHub lists at most 250 commits of a pull request. */
const MAX_PULL_COMMITS = 250;

function pullOf(ctx: Ctx): { r: RepoState; pr: PullState } {
  const r = repoOf(ctx);
  const pr = r.pulls.get(intParam(ctx, "pull_number"));
  if (!pr) throw notFound();
  return { r, pr };
}

function getPull(ctx: Ctx): Reply {
  const { r, pr } = pullOf(ctx);
  return { status: 200, body: pullRequest(ctx.site, ctx.store, r, pr, true) };
}

function listReviews(ctx: Ctx): Reply {
  const { r, pr } = pullOf(ctx);
  const page = paginate(ctx, r.reviews.get(pr.number) ?? []);
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((rv) => review(ctx.site, ctx.store, r, pr.number, rv)),
  };
}

function listPullCommits(ctx: Ctx): Reply {
  const { r, pr } = pullOf(ctx);
  const page = paginate(ctx, ctx.store.pullCommits(r, pr).slice(0, MAX_PULL_COMMITS));
  return {
    status: 200,
    headers: page.headers,
    body: page.items.map((c) => commit(ctx.site, ctx.store, r, c)),
  };
}

function membership(ctx: Ctx): Reply {
  const team = ctx.store.teams.get(`${ctx.params.org}/${ctx.params.team_slug}`.toLowerCase());
  const state = team?.get((ctx.params.username ?? "").toLowerCase());
  if (!state) throw new GitHubError(404, "Not Found");
  return {
    status: 200,
    body: {
      url: `${ctx.site.api}/organizations/${ctx.store.userId(ctx.params.org ?? "")}/team/${ctx.params.team_slug}/memberships/${ctx.params.username}`,
      role: "member",
      state,
    },
  };
}

export const pullRoutes: Route[] = [
  { method: "GET", template: "/repos/{owner}/{repo}/pulls/{pull_number}", handler: getPull },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    handler: listReviews,
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/commits",
    handler: listPullCommits,
  },
  {
    method: "GET",
    template: "/orgs/{org}/teams/{team_slug}/memberships/{username}",
    handler: membership,
  },
];
