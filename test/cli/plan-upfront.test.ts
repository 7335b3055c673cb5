// What a plan says up front, through the real entry point against a local Okta org over HTTP: that
// apply would stop at the deletion guard, the counts of adoptions, conflicts and refusals next to
// creates, updates and deletes (in plan and in apply), the JSON's version, and the rate-limit
// entries a deletion leaves in Okta.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { envFor, Repo, startOrg } from "../reconcile/harness.js";
import { tokenException } from "../reconcile/fixtures.js";
import { runBin } from "../support/cli-process.js";

let org: LocalOrg;
let repo: Repo;
beforeEach(async () => {
  org = await startOrg();
  repo = new Repo();
});
afterEach(async () => {
  await org.close();
  repo.cleanup();
});

const bin = (...argv: string[]) => runBin(repo.dir, envFor(org), argv);
const lastLine = (s: string) => s.trimEnd().split("\n").pop();

interface PlanJson {
  version: number;
  summary: Record<string, number>;
  refused: string[];
  warnings: string[];
  notes: string[];
  operations: { id: string; action: string }[];
}

describe("plan warns when apply would stop at the deletion guard", () => {
  it("over bot.deletionGuard.maxDeletions: a warning in text, markdown and JSON", async () => {
    repo.config("bot:\n  deletionGuard:\n    maxDeletions: 1\n");
    repo.write("old-one");
    repo.write("old-two");
    expect((await bin("apply", "--yes")).code).toBe(0);
    repo.remove("old-one");
    // One deletion is within the guard: no warning.
    const within = await bin("plan");
    expect(within.code).toBe(2);
    expect(within.err).not.toContain("apply will stop");

    repo.remove("old-two");
    const warning =
      "apply will stop: the plan deletes 2 integrations (old-one, old-two), more than bot.deletionGuard.maxDeletions (1); it needs --confirm-deletions";
    const text = await bin("plan");
    expect(text.code).toBe(2);
    expect(text.err).toContain(`warning: ${warning}\n`);
    const md = await bin("plan", "--format", "markdown");
    expect(md.out).toContain(`> **warning** \`${warning}\``);
    const json = JSON.parse((await bin("plan", "--format", "json")).out) as PlanJson;
    expect(json.warnings).toEqual([warning]);
    // And apply does stop there.
    const applied = await bin("apply", "--yes");
    expect(applied.code).toBe(1);
    expect(applied.err).toContain(
      "more than bot.deletionGuard.maxDeletions (1): nothing was applied",
    );
  }, 180_000);
});

describe("summary lines count adoptions, conflicts and refusals", () => {
  it("in plan (text and JSON, version 1) and in apply", async () => {
    const account = org.seed.user({ login: "svc-count@acme.example" });
    const token = org.seed.apiToken({ name: "count connector", userId: account.id }).id;
    repo.writeDoc(tokenException("payroll-count", token, { login: "svc-count" })); // adopts
    repo.write("fresh-count"); // creates
    repo.write("bad-count", { role: { standard: "SUPER_ADMIN" } }); // refused: role.forbidden
    org.seed.app({
      name: "oidc_client",
      label: "clash-count", // an app without the marker has the label: a conflict
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          jwks: {
            keys: [
              {
                kty: "EC",
                kid: "x",
                crv: "P-256",
                x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
              },
            ],
          },
        },
      },
    });
    repo.write("clash-count");

    const json = await bin("plan", "--approved", "payroll-count", "--format", "json");
    expect(json.code).toBe(1);
    const p = JSON.parse(json.out) as PlanJson;
    expect(p.version).toBe(1);
    const count = (action: string) => p.operations.filter((o) => o.action === action).length;
    expect(p.summary).toEqual({
      create: count("create"),
      update: 0,
      adopt: 1,
      delete: 0,
      conflict: 1,
      refused: 1,
    });
    expect(p.refused).toEqual(["bad-count"]);

    const counts = `${count("create")} to create, 0 to update, 1 to adopt, 0 to delete, 1 conflict, 1 refused`;
    const text = await bin("plan", "--approved", "payroll-count");
    expect(lastLine(text.out)).toBe(`Plan: ${counts} (bad-count; see the notes).`);

    const applied = await bin("apply", "--yes", "--approved", "payroll-count");
    expect(applied.code).toBe(1);
    const n = count("create") + 1;
    expect(lastLine(applied.out)).toBe(
      `Applied ${n} of ${n} operations (planned: ${counts}); 0 failed, 0 skipped.`,
    );
  }, 180_000);

  it("a plan whose only integration is refused does not say 'No changes'", async () => {
    repo.write("bad-only", { role: { standard: "SUPER_ADMIN" } });
    const text = await bin("plan");
    expect(text.code).toBe(1);
    expect(text.out).not.toContain("No changes");
    expect(lastLine(text.out)).toBe(
      "Plan: 0 to create, 0 to update, 0 to adopt, 0 to delete, 0 conflicts, 1 refused (bad-only; see the notes).",
    );
  }, 180_000);
});

describe("leftovers of a deletion", () => {
  it("the principal rate-limit entries of deleted apps: one note, and they do stay", async () => {
    repo.write("gone-one");
    repo.write("gone-two");
    expect((await bin("apply", "--yes")).code).toBe(0);
    const appIds = ["gone-one", "gone-two"].map(
      (label) => Object.values(org.state.apps).find((a) => a.label === label)!.id,
    );
    const limitOf = (appId: string) =>
      Object.values(org.state.principalRateLimits).find((l) => l.principalId === appId)?.id;
    const limits = appIds.map(limitOf);
    repo.remove("gone-one");
    repo.remove("gone-two");

    const p = JSON.parse((await bin("plan", "--format", "json")).out) as PlanJson;
    const notes = p.notes.filter((n) => n.includes("rate-limit"));
    expect(notes).toEqual([
      `the principal rate-limit entries of deleted integrations stay in Okta, because Okta's API has no delete for them: gone-one (${limits[0]}), gone-two (${limits[1]}); they name a principal that no longer exists`,
    ]);
    const text = await bin("plan");
    expect(text.err.match(/principal rate-limit entries/g)).toHaveLength(1);

    expect((await bin("apply", "--yes", "--confirm-deletions")).code).toBe(0);
    expect(appIds.map((id) => org.state.apps[id])).toEqual([undefined, undefined]);
    // What the note says is so: the entries are still in Okta.
    expect(appIds.map(limitOf)).toEqual(limits);
    // A plan with no deletion says nothing of them.
    const after = JSON.parse((await bin("plan", "--format", "json")).out) as PlanJson;
    expect(after.notes.some((n) => n.includes("rate-limit"))).toBe(false);
  }, 180_000);
});
