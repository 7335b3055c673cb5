// The App's own endpoints, authenticated with its JWT: who it is, its installation of a
// repository, and installation access tokens.
import type { AppAuth } from "../auth.js";
import { GitHubError, intParam, notFound, repoOf, type Ctx, type Reply } from "../context.js";
import { APP_PERMISSIONS, installation, integration } from "../objects.js";
import type { Route } from "../router.js";

export function appRoutes(auth: AppAuth): Route[] {
  return [
    {
      method: "GET",
      template: "/app",
      auth: "jwt",
      handler: (ctx: Ctx): Reply => ({
        status: 200,
        body: integration(ctx.site, ctx.store, ctx.app),
      }),
    },
    {
      method: "POST",
      template: "/app/installations/{installation_id}/access_tokens",
      auth: "jwt",
      handler: (ctx: Ctx): Reply => {
        if (intParam(ctx, "installation_id") !== ctx.app.installationId) throw notFound();
        const body = (ctx.body ?? {}) as { repositories?: string[]; repository_ids?: number[] };
        for (const name of body.repositories ?? [])
          if (![...ctx.store.repos.values()].some((r) => r.name === name))
            throw new GitHubError(
              422,
              `There is at least one repository that does not exist or is not accessible to the parent installation.`,
            );
        const t = auth.issueToken(ctx.app.installationId);
        return {
          status: 201,
          body: {
            token: t.token,
            expires_at: t.expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
            permissions: APP_PERMISSIONS,
            repository_selection: "all",
          },
        };
      },
    },
    {
      method: "GET",
      template: "/repos/{owner}/{repo}/installation",
      auth: "jwt",
      handler: (ctx: Ctx): Reply => {
        const r = repoOf(ctx);
        return { status: 200, body: installation(ctx.site, ctx.store, ctx.app, r.owner) };
      },
    },
  ];
}
