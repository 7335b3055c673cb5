// A local Okta org and a repository on disk for tests of plan, apply, drift and import over HTTP
// with the real SDK, driven through the CLI's own entry points.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import {
  BOT_SCOPES,
  startLocalOrg,
  type LocalOrg,
  type LocalOrgOptions,
} from "../../src/local-org/index.js";
import type { ReconcileIo } from "../../src/cli/reconcile-support.js";
import { DESCRIPTION_PREFIX, MARKER_KEY, NAME_PREFIX } from "../../src/reconcile/model.js";
import { customRoleOn, serviceApp, type SpecOverrides } from "./fixtures.js";

export async function startOrg(options: LocalOrgOptions = {}): Promise<LocalOrg> {
  return startLocalOrg(options);
}

/** The OKTA_* variables that point the CLI at `org` as the bot. */
export function envFor(org: LocalOrg): Record<string, string> {
  const c = org.credentials;
  return {
    OKTA_ORG_URL: org.url,
    OKTA_CLIENT_ID: c.clientId,
    OKTA_PRIVATE_KEY: JSON.stringify(c.privateKeyJwk),
    OKTA_KEY_ID: c.keyId,
    OKTA_SCOPES: BOT_SCOPES.join(" "),
  };
}

export class Repo {
  readonly dir = mkdtempSync(path.join(tmpdir(), "okta-gitops-repo-"));
  constructor() {
    mkdirSync(path.join(this.dir, "integrations"));
  }
  write(name: string, spec: SpecOverrides = {}): void {
    this.writeDoc(serviceApp(name, spec));
  }
  /** Writes any integration document to integrations/<metadata.name>.yaml. */
  writeDoc(doc: { metadata: { name: string } }): void {
    const file = path.join(this.dir, "integrations", `${doc.metadata.name}.yaml`);
    writeFileSync(file, stringify(doc));
  }
  remove(name: string): void {
    rmSync(path.join(this.dir, "integrations", `${name}.yaml`));
  }
  config(text: string): void {
    writeFileSync(path.join(this.dir, ".okta-gitops.yml"), text);
  }
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface TestIo extends ReconcileIo {
  out: string;
  err: string;
}

export function testIo(cwd: string, env: Record<string, string>): TestIo {
  const io: TestIo = {
    cwd,
    env,
    out: "",
    err: "",
    stdout: (s) => void (io.out += s),
    stderr: (s) => void (io.err += s),
    stderrIsTTY: false,
    stdinIsTTY: false,
    confirm: async () => false,
    today: "2026-11-29",
  };
  return io;
}

/** Runs a CLI command; returns its exit code and what it printed. */
export async function cli(
  run: (argv: string[], io: ReconcileIo) => Promise<number>,
  argv: string[],
  repo: Repo,
  org: LocalOrg,
): Promise<{ code: number; out: string; err: string }> {
  const io = testIo(repo.dir, envFor(org));
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

/** What the org holds, counted by the bot's markers (read from the org's own state). */
export function ownedCounts(org: LocalOrg): Record<string, Record<string, number>> {
  const s = org.state;
  const counts: Record<string, Record<string, number>> = {};
  const bump = (name: string, kind: string) => {
    counts[name] ??= {};
    counts[name][kind] = (counts[name][kind] ?? 0) + 1;
  };
  for (const app of Object.values(s.apps)) {
    const marker = app.profile?.[MARKER_KEY] as { integration?: string } | undefined;
    if (!marker?.integration || app.id === org.credentials.clientId) continue;
    bump(marker.integration, "app");
    for (const g of Object.values(s.grants))
      if (g.appId === app.id) bump(marker.integration, "grant");
    for (const r of Object.values(s.clientRoles))
      if (r.clientId === app.id) bump(marker.integration, "role");
    for (const p of Object.values(s.principalRateLimits))
      if (p.principalId === app.id) bump(marker.integration, "rateLimit");
  }
  for (const z of Object.values(s.zones))
    if (z.name.startsWith(NAME_PREFIX) && !z.name.endsWith("/.lock"))
      bump(z.name.slice(NAME_PREFIX.length), "zone");
  for (const r of Object.values(s.iamRoles))
    if (r.description.startsWith(DESCRIPTION_PREFIX))
      bump(r.description.slice(DESCRIPTION_PREFIX.length), "customRole");
  for (const r of Object.values(s.resourceSets))
    if (r.description.startsWith(DESCRIPTION_PREFIX))
      bump(r.description.slice(DESCRIPTION_PREFIX.length), "resourceSet");
  return counts;
}

const FULL = { app: 1, grant: 2, role: 1, rateLimit: 1, zone: 1 };
const FULL_CUSTOM = { ...FULL, customRole: 1, resourceSet: 1 };

/** `n` integrations, every other one with a custom role on `groupId` (a group in the org). */
export function writeIntegrations(
  r: Repo,
  n: number,
  groupId: string,
): Record<string, Record<string, number>> {
  const expected: Record<string, Record<string, number>> = {};
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const custom = i % 2 === 0;
    r.write(name, custom ? { role: customRoleOn(groupId) } : {});
    expected[name] = custom ? FULL_CUSTOM : FULL;
  }
  return expected;
}
