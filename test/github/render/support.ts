// Reports for the GitHub renderers, made by the real workflows: a repository on disk (the
// harness's), loaded as the CLI loads it, planned and applied against a local Okta org over HTTP
// through the real SDK.
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { LocalOrg } from "../../../src/local-org/index.js";
import { connectOkta, type OktaConnection } from "../../../src/okta/adapter.js";
import { OktaLock } from "../../../src/okta/lock.js";
import { oktaSettingsFromEnv } from "../../../src/okta/settings.js";
import { workspacePorts } from "../../../src/cli/reconcile-support.js";
import { loadWorkspace, type Workspace } from "../../../src/workflows/workspace.js";
import { envFor, Repo, startOrg, testIo } from "../../reconcile/harness.js";

export type Okta = OktaConnection & { lock(): OktaLock };

export async function oktaSession(): Promise<{ org: LocalOrg; okta: Okta }> {
  const org = await startOrg();
  const connection = await connectOkta(oktaSettingsFromEnv(envFor(org))!);
  return { org, okta: { ...connection, lock: () => new OktaLock(connection.adapter, 60_000) } };
}

/** A local org for the tests of a file (or one per test: an apply reconciles the whole
 * repository, so another test's objects would be deleted), and repositories removed after. */
export function localOrgForTests(scope: "file" | "test" = "file") {
  let session: { org: LocalOrg; okta: Okta } | undefined;
  const repos: Repo[] = [];
  (scope === "file" ? beforeAll : beforeEach)(async () => {
    session = await oktaSession();
  });
  (scope === "file" ? afterAll : afterEach)(async () => {
    await session?.org.close();
    for (const r of repos.splice(0)) r.cleanup();
  });
  return {
    get org(): LocalOrg {
      return session!.org;
    },
    get okta(): Okta {
      return session!.okta;
    },
    repo(): Repo {
      const r = new Repo();
      repos.push(r);
      return r;
    },
  };
}

/** The repository's workspace, with the given exceptions approved (`all` for every one). */
export function workspaceOf(repo: Repo, approved: string[] = []): Workspace {
  return loadWorkspace(workspacePorts(testIo(repo.dir, {})), {
    paths: [],
    approved: new Set(approved),
  });
}

/** Hostile text as it reaches a comment: Markdown, HTML, mentions, a code fence, ANSI escapes, C1
 * and bidi controls, a forged "No changes". */
export const HOSTILE =
  "x`|@acme/identity ![p](https://ev.il/p)<img src=x>```" +
  "\u009b2J\u202e\r\x1b[2KNo changes: Okta matches.\x1b[0m\n|a|";

/** Markdown with every code span taken out (CommonMark: a run of n backticks up to the next run
 * of exactly n): what GitHub renders as Markdown rather than as literal code. */
export function outsideCode(md: string): string {
  return md.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, "");
}
