// Whose an API token is: an exception's registered token must belong to its declared service
// account, and that account must be a dedicated one (ACTIVE, its Okta login the file's, and no
// admin role but the file's, none through a group). These tests play the attacks against the
// local org over HTTP: a person's token registered under a service account's name, an account
// that holds a role through a group, one deactivated, one that already holds another role. Each
// is refused whole, and Okta holds exactly what it held before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { plan } from "../../src/reconcile/plan.js";
import { desiredToken } from "../../src/reconcile/desired.js";
import { DEFAULT_CONFIG } from "../../src/model/index.js";
import { sswsClient } from "../support/okta-sdk.js";
import { cli, Repo, startOrg } from "./harness.js";
import { tokenException } from "./fixtures.js";

let org: LocalOrg;
let repo: Repo;

async function admin(method: string, p: string, body?: unknown): Promise<void> {
  const client = sswsClient(org);
  const res = (await client.http.http(`${org.url}${p}`, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  } as Parameters<typeof client.http.http>[1])) as unknown as { status: number };
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status}`);
}

beforeAll(async () => {
  org = await startOrg();
  repo = new Repo();
});
afterAll(async () => {
  await org.close();
  repo.cleanup();
});

/** Registers `tokenId` for `login`, plans and applies it approved: both refuse, Okta unchanged.
 * Returns the refusal reasons. */
async function refused(name: string, tokenId: string, login: string): Promise<string> {
  repo.writeDoc(tokenException(name, tokenId, { login }));
  const before = JSON.stringify(org.state);
  const p = await cli(runPlan, ["--format", "json", "--approved", name], repo, org);
  expect(p.code, p.err).toBe(1);
  const { operations, notes } = JSON.parse(p.out) as {
    operations: { integration: string; action: string; reason?: string }[];
    notes: string[];
  };
  // Nothing of it is planned, not even the shared interactive-login block.
  expect(operations.every((o) => o.action === "conflict" && o.integration === name)).toBe(true);
  expect(notes).toContain(
    `${name}: left out, it has a conflict (see the plan); nothing of it is changed`,
  );
  const applied = await cli(runApply, ["--yes", "--approved", name], repo, org);
  expect(applied.code, applied.out + applied.err).toBe(1);
  expect(JSON.stringify(org.state)).toBe(before);
  repo.remove(name);
  return operations.map((o) => o.reason).join("\n");
}

describe("a registered API token", () => {
  it("is refused when it belongs to a person, not the declared service account, naming the owner", async () => {
    org.seed.user({ login: "svc-payroll@acme.example" });
    const person = org.seed.user({ login: "alice.smith@acme.example" });
    const token = org.seed.apiToken({ name: "alice's token", userId: person.id });
    const reasons = await refused("payroll-grab", token.id, "svc-payroll");
    expect(reasons).toContain(
      `API token ${token.id} belongs to "alice.smith@acme.example" in Okta, not to the declared service account "svc-payroll@acme.example"`,
    );
    expect(org.state.apiTokens[token.id]!.name).toBe("alice's token");
  });

  it("is refused when its account holds an admin role through a group", async () => {
    const account = org.seed.user({ login: "svc-ledger@acme.example" });
    const group = org.seed.group("it-admins");
    await admin("PUT", `/api/v1/groups/${group.id}/users/${account.id}`);
    await admin("POST", `/api/v1/groups/${group.id}/roles`, { type: "USER_ADMIN" });
    const token = org.seed.apiToken({ name: "ledger", userId: account.id });
    const reasons = await refused("ledger-grab", token.id, "svc-ledger");
    expect(reasons).toContain(
      `service account "svc-ledger@acme.example" (${account.id}) is not a dedicated account: it holds the admin role USER_ADMIN through group ${group.id}`,
    );
  });

  it("is refused when its account is not ACTIVE", async () => {
    const account = org.seed.user({ login: "svc-old@acme.example" });
    await admin("POST", `/api/v1/users/${account.id}/lifecycle/deactivate`);
    const token = org.seed.apiToken({ name: "old", userId: account.id });
    const reasons = await refused("old-grab", token.id, "svc-old");
    expect(reasons).toContain("it is DEPROVISIONED, not ACTIVE");
  });

  it("is refused when its account already holds an admin role the file does not give it", async () => {
    const account = org.seed.user({ login: "svc-wide@acme.example" });
    await admin("POST", `/api/v1/users/${account.id}/roles`, { type: "ORG_ADMIN" });
    const token = org.seed.apiToken({ name: "wide", userId: account.id });
    const reasons = await refused("wide-grab", token.id, "svc-wide");
    expect(reasons).toContain(
      "it already holds the admin role ORG_ADMIN, which the file does not give it",
    );
  });

  it("is refused when Okta's login of the account is not the file's, or fails the pattern", () => {
    const t = desiredToken(
      tokenException("x-sync", "00Tx1sync0000", { login: "svc-x" }),
      DEFAULT_CONFIG,
    );
    const actual = (login: string) => ({
      integrations: new Map([
        [
          "x-sync",
          {
            name: "x-sync",
            grants: [],
            roles: [],
            token: { id: "00Tx1sync0000", adopt: true, userId: "00u1", state: t.token },
            serviceAccount: { id: "00u1", blocked: false, status: "ACTIVE", login },
          },
        ],
      ]),
      unowned: [],
      scope: "all" as const,
    });
    const reasonsFor = (login: string, pattern = t.loginPattern) =>
      plan(new Map(), actual(login), new Map([["x-sync", { ...t, loginPattern: pattern }]]))
        .operations.map((o) => `${o.action} ${o.reason ?? ""}`)
        .join("\n");
    expect(reasonsFor("svc-x@evil.example")).toContain(
      'conflict service account "svc-x@acme.example" (00u1) is not a dedicated account: its login in Okta is "svc-x@evil.example"',
    );
    expect(reasonsFor("svc-x@acme.example", "^bot-")).toContain(
      "its login does not match the service-account pattern ^bot-",
    );
    expect(reasonsFor("SVC-X@acme.example")).not.toContain("conflict");
  });
});
