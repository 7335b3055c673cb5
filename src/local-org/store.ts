// The org's state and its persistence. State is plain JSON (so a restart reads back exactly what was
// written); with a data folder it is saved to org.json atomically (temp file, then rename), soon
// after each change and on close, so that a crash leaves the previous or the new file, never half.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

type JsonObject = Record<string, unknown>;

export interface JwkRecord extends JsonObject {
  id: string;
  kid?: string;
  kty: string;
  status: "ACTIVE" | "INACTIVE";
  created: string;
  lastUpdated: string;
}

export interface AppRecord {
  id: string;
  name: string;
  label: string;
  status: "ACTIVE" | "INACTIVE";
  signOnMode: string;
  created: string;
  lastUpdated: string;
  profile?: JsonObject;
  grantTypes: string[];
  applicationType: string;
  tokenEndpointAuthMethod: string;
  dpop: boolean;
  network?: { connection: string; include?: string[]; exclude?: string[] };
  jwks: JwkRecord[];
}

export interface GrantRecord {
  id: string;
  appId: string;
  issuer: string;
  scopeId: string;
  created: string;
  lastUpdated: string;
  createdBy: { id: string; type: string };
}

/** An admin role assignment: a standard role by type, or CUSTOM with a role and a resource set. */
export interface RoleAssignmentFields {
  id: string;
  type: string;
  role?: string;
  resourceSet?: string;
  created: string;
  lastUpdated: string;
}

export interface ClientRoleRecord extends RoleAssignmentFields {
  clientId: string;
}

export interface UserRoleRecord extends RoleAssignmentFields {
  userId: string;
}

/** A role assigned to a group: every member holds it (listed among the user's roles as GROUP). */
export interface GroupRoleRecord extends RoleAssignmentFields {
  groupId: string;
}

export interface IamRoleRecord {
  id: string;
  label: string;
  description: string;
  permissions: { type: string; created: string; lastUpdated: string; conditions?: JsonObject }[];
  created: string;
  lastUpdated: string;
}

export interface ResourceRecord {
  id: string;
  /** The resource as it was given: an ORN or the REST URL of a user, group or app (or of all). */
  value: string;
  created: string;
  lastUpdated: string;
}

export interface ResourceSetRecord {
  id: string;
  label: string;
  description: string;
  resources: ResourceRecord[];
  created: string;
  lastUpdated: string;
}

export interface ZoneRecord {
  id: string;
  name: string;
  type: "IP";
  status: "ACTIVE" | "INACTIVE";
  usage: "POLICY" | "BLOCKLIST";
  gateways: { type: "CIDR" | "RANGE"; value: string }[];
  proxies: { type: "CIDR" | "RANGE"; value: string }[] | null;
  created: string;
  lastUpdated: string;
}

export interface ApiTokenRecord {
  id: string;
  name: string;
  userId: string;
  clientName: string;
  network: { connection: string; include?: string[]; exclude?: string[] };
  /** sha256 of the SSWS secret, hex: the secret itself is shown once, at seeding. */
  secretHash: string;
  created: string;
  lastUpdated: string;
  expiresAt: string;
}

export interface UserRecord {
  id: string;
  status: "STAGED" | "ACTIVE" | "DEPROVISIONED" | "SUSPENDED";
  profile: { login: string; email: string; firstName?: string; lastName?: string } & JsonObject;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastUpdated: string;
}

export interface GroupRecord {
  id: string;
  type: "OKTA_GROUP" | "BUILT_IN";
  profile: { name: string; description?: string };
  members: string[];
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
}

export interface PolicyRecord {
  id: string;
  type: string;
  name: string;
  description?: string;
  status: "ACTIVE" | "INACTIVE";
  priority: number;
  system: boolean;
  conditions: JsonObject | null;
  created: string;
  lastUpdated: string;
}

export interface PolicyRuleRecord {
  id: string;
  policyId: string;
  type: string;
  name: string;
  status: "ACTIVE" | "INACTIVE";
  priority: number;
  system: boolean;
  conditions: JsonObject | null;
  actions: JsonObject;
  created: string;
  lastUpdated: string;
}

export interface PrincipalRateLimitRecord {
  id: string;
  principalId: string;
  principalType: "OAUTH_CLIENT" | "SSWS_TOKEN";
  defaultPercentage?: number;
  defaultConcurrencyPercentage?: number;
  createdBy: string;
  createdDate: string;
  lastUpdate: string;
  lastUpdatedBy: string;
}

export interface OrgState {
  version: 1;
  orgId: string;
  apps: Record<string, AppRecord>;
  grants: Record<string, GrantRecord>;
  clientRoles: Record<string, ClientRoleRecord>;
  userRoles: Record<string, UserRoleRecord>;
  groupRoles: Record<string, GroupRoleRecord>;
  iamRoles: Record<string, IamRoleRecord>;
  resourceSets: Record<string, ResourceSetRecord>;
  zones: Record<string, ZoneRecord>;
  apiTokens: Record<string, ApiTokenRecord>;
  users: Record<string, UserRecord>;
  groups: Record<string, GroupRecord>;
  policies: Record<string, PolicyRecord>;
  policyRules: Record<string, PolicyRuleRecord>;
  principalRateLimits: Record<string, PrincipalRateLimitRecord>;
}

export function emptyState(orgId: string): OrgState {
  return {
    version: 1,
    orgId,
    apps: {},
    grants: {},
    clientRoles: {},
    userRoles: {},
    groupRoles: {},
    iamRoles: {},
    resourceSets: {},
    zones: {},
    apiTokens: {},
    users: {},
    groups: {},
    policies: {},
    policyRules: {},
    principalRateLimits: {},
  };
}

/** Every role assignment of the org, of clients, users and groups: what a role or resource set is
 * in use by. */
export function allRoleAssignments(state: OrgState): RoleAssignmentFields[] {
  return [
    ...Object.values(state.clientRoles),
    ...Object.values(state.userRoles),
    ...Object.values(state.groupRoles),
  ];
}

export interface Store {
  readonly state: OrgState;
  /** Records that the state changed; a file-backed store saves soon after. */
  changed(): void;
  /** Writes any pending change now. */
  flush(): void;
}

/** State that lives as long as the process: for tests. */
export function memoryStore(state: OrgState): Store {
  return { state, changed() {}, flush() {} };
}

export const STATE_FILE = "org.json";

export function loadState(dataDir: string): OrgState | undefined {
  const file = path.join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, "utf8")) as OrgState;
  if (state.version !== 1)
    throw new Error(`${file}: unsupported state version ${String(state.version)}`);
  // A file written before a collection existed (user role assignments, say) reads it as empty.
  return { ...emptyState(state.orgId), ...state };
}

/** Saves the state to <dataDir>/org.json, coalescing bursts of changes into one write. */
export function fileStore(dataDir: string, state: OrgState, delayMs = 25): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, STATE_FILE);
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, file);
  };
  write();
  return {
    state,
    changed() {
      timer ??= setTimeout(write, delayMs);
    },
    flush() {
      if (timer) write();
    },
  };
}
