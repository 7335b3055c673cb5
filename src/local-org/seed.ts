// The seed file (local-org.seed.yaml at the repository root): directory objects that the
// repository's integrations reference but the bot does not create (groups named in resource sets,
// service accounts and the API tokens that exceptions register), so that a new local org can stand
// in for the company's Okta. Validated at the edge with zod; every problem is reported at its file
// and line, as the rest of the tool reports; nothing is seeded from a file with any problem. Read
// with `yaml` directly (seed-yaml.ts): the local org does not depend on the reconciler's loader.
import { z } from "zod";
import { isoAt, type Clock } from "./clock.js";
import { OktaError } from "./errors.js";
import { seedApiToken } from "./resources/api-tokens.js";
import { createGroup, createUser } from "./resources/directory.js";
import {
  issueFindings,
  parseSeedYaml,
  type Locate,
  type SeedFinding,
  type SeedPath,
} from "./seed-yaml.js";
import type { OrgState } from "./store.js";

export const SEED_FILE = "local-org.seed.yaml";

const oktaId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9]{5,30}$`), {
    error: `must be an Okta ${what} id (${prefix} and 5 to 30 letters or digits)`,
  });
const login = z.email({ error: "must be a login (an email address)" });

const GroupSeed = z.strictObject({
  id: oktaId("00g", "group"),
  name: z.string().trim().min(1).max(255),
  description: z.string().max(1024).optional(),
});
const UserSeed = z.strictObject({
  id: oktaId("00u", "user"),
  login,
  firstName: z.string().min(1).optional(),
  lastName: z.string().min(1).optional(),
  /** Ids of groups of this file that the user belongs to. */
  groups: z.array(oktaId("00g", "group")).optional(),
});
const ApiTokenSeed = z.strictObject({
  id: oktaId("00T", "API token"),
  name: z.string().trim().min(1).max(255),
  /** The login of the user the token acts as (a user of this file). */
  owner: login,
});

export const LocalOrgSeed = z.strictObject({
  groups: z.array(GroupSeed).default([]),
  users: z.array(UserSeed).default([]),
  apiTokens: z.array(ApiTokenSeed).default([]),
});
export type LocalOrgSeed = z.infer<typeof LocalOrgSeed>;

/** A seed file with problems: the message lists each as file:line:column. */
export class SeedFileError extends Error {
  constructor(readonly findings: SeedFinding[]) {
    super(
      findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule})`).join("\n"),
    );
  }
}

/** References and uniqueness, which the schema cannot see: ids, names and logins, owners. */
function crossChecks(seed: LocalOrgSeed, file: string, locate: Locate): SeedFinding[] {
  const findings: SeedFinding[] = [];
  const at = (rule: string, path: SeedPath, message: string) =>
    findings.push({ rule, severity: "error", message, file, ...locate(path, "value") });
  const seen = new Map<string, string>();
  const unique = (kind: string, value: string, path: SeedPath) => {
    const key = `${kind}:${value.toLowerCase()}`;
    const first = seen.get(key);
    if (first) at("seed.duplicate", path, `${kind} ${value} is already given at ${first}`);
    else seen.set(key, `line ${locate(path, "value").line}`);
  };
  seed.groups.forEach((g, i) => {
    unique("id", g.id, ["groups", i, "id"]);
    unique("group name", g.name, ["groups", i, "name"]);
  });
  const groupIds = new Set(seed.groups.map((g) => g.id));
  seed.users.forEach((u, i) => {
    unique("id", u.id, ["users", i, "id"]);
    unique("login", u.login, ["users", i, "login"]);
    u.groups?.forEach((g, j) => {
      if (!groupIds.has(g))
        at("seed.reference", ["users", i, "groups", j], `no group with id ${g} in this file`);
    });
  });
  const logins = new Set(seed.users.map((u) => u.login.toLowerCase()));
  seed.apiTokens.forEach((t, i) => {
    unique("id", t.id, ["apiTokens", i, "id"]);
    if (!logins.has(t.owner.toLowerCase()))
      at(
        "seed.reference",
        ["apiTokens", i, "owner"],
        `no user with login ${t.owner} in this file's users: add the service account`,
      );
  });
  return findings;
}

/**
 * Reads and validates a seed file's bytes; `file` is the name to report (relative to the
 * repository). Throws SeedFileError listing every problem.
 */
export function parseSeed(file: string, bytes: Uint8Array): LocalOrgSeed {
  const { data, locate, findings } = parseSeedYaml(file, bytes);
  if (findings.length) throw new SeedFileError(findings);
  // An empty file (or one of comments only) seeds nothing.
  if (data === undefined || data === null) return LocalOrgSeed.parse({});
  const result = LocalOrgSeed.safeParse(data);
  if (!result.success)
    throw new SeedFileError(issueFindings(result.error.issues, file, locate, knownKeys));
  const cross = crossChecks(result.data, file, locate);
  if (cross.length) throw new SeedFileError(cross);
  return result.data;
}

/** The keys allowed at a path, to suggest the one a typo meant. */
function knownKeys(path: SeedPath): string[] {
  if (path.length === 0) return Object.keys(LocalOrgSeed.shape);
  const item = { groups: GroupSeed, users: UserSeed, apiTokens: ApiTokenSeed }[String(path[0])];
  return path.length === 2 && item ? Object.keys(item.shape) : [];
}

export interface SeededApiToken {
  id: string;
  name: string;
  /** The SSWS secret: Okta shows it once, when the token is created. */
  token: string;
}

/** Creates the seed's groups, users and API tokens in a new org. */
export function applySeed(state: OrgState, seed: LocalOrgSeed, clock: Clock): SeededApiToken[] {
  const now = isoAt(clock);
  try {
    for (const g of seed.groups)
      createGroup(state, { profile: { name: g.name, description: g.description } }, now, g.id);
    for (const u of seed.users) {
      const profile = {
        login: u.login,
        email: u.login,
        ...(u.firstName ? { firstName: u.firstName } : {}),
        ...(u.lastName ? { lastName: u.lastName } : {}),
      };
      createUser(state, { profile, groupIds: u.groups }, now, true, u.id);
    }
    return seed.apiTokens.map((t) => {
      const owner = Object.values(state.users).find(
        (u) => u.profile.login.toLowerCase() === t.owner.toLowerCase(),
      );
      if (!owner) throw new Error(`API token ${t.id}: no user ${t.owner}`);
      const seeded = seedApiToken(state, clock.now(), { id: t.id, name: t.name, userId: owner.id });
      return { id: seeded.id, name: t.name, token: seeded.token };
    });
  } catch (e) {
    // A seed that collides with what every new org has (the admin user, Everyone).
    const detail = e instanceof OktaError ? e.causes.join("; ") || e.summary : (e as Error).message;
    throw new Error(`${SEED_FILE}: cannot seed the new local org: ${detail}`);
  }
}
