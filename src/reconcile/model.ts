// The reconciler's plain data: what the bot wants in Okta (desired), what it found (actual) and the
// operations between them. Every state here is already in canonical form (see normalise.ts), so
// comparing desired and actual is plain deep equality, and a plan right after an apply is empty.

/** The kinds of Okta object the bot manages for one integration, in dependency order. */
export const RESOURCE_KINDS = [
  "zone",
  "loginGroup",
  "loginRule",
  "customRole",
  "resourceSet",
  "app",
  "token",
  "loginBlock",
  "grant",
  "roleAssignment",
  "rateLimit",
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Ownership markers: how the bot recognises the objects it created. */
export const MARKER_KEY = "okta-gitops";
export const MANAGED_BY = "okta-gitops";
export const NAME_PREFIX = "okta-gitops/";
export const DESCRIPTION_PREFIX = "Managed by okta-gitops: ";

export const objectName = (integration: string): string => `${NAME_PREFIX}${integration}`;

/** The objects every API token exception shares: a group of service accounts, and a rule of the
 * global session policy that denies that group interactive sign-in. Planned under this name. */
export const SHARED = "(service accounts)";
export const LOGIN_GROUP = `${NAME_PREFIX}no-interactive-login`;
export const LOGIN_GROUP_DESCRIPTION = `${DESCRIPTION_PREFIX}service accounts of API token exceptions, denied interactive sign-in`;
export const LOGIN_RULE = `${NAME_PREFIX}deny-interactive-login`;
export const ownerDescription = (integration: string): string =>
  `${DESCRIPTION_PREFIX}${integration}`;

/** An IP network zone; gateways canonical (CIDR or range, sorted). */
export interface ZoneState {
  name: string;
  gateways: string[];
  status: "ACTIVE" | "INACTIVE";
}

/** A public key as the app holds it: only the members that identify the key. */
export interface JwkState {
  kid: string;
  kty: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface AppState {
  label: string;
  jwks: JwkState[];
  dpop: boolean;
  tokenExchange: boolean;
  /** The network the app may be used from: a zone by name, or ANYWHERE. */
  network: { connection: "ZONE"; zone: string } | { connection: "ANYWHERE" };
  status: "ACTIVE" | "INACTIVE";
}

/** A registered API token (tokens cannot be created through the API): its name carries the
 * bot's marker (`okta-gitops/<integration>`), its network is the integration's zone. */
export interface TokenState {
  name: string;
  network: AppState["network"];
}

export interface CustomRoleState {
  label: string;
  description: string;
  permissions: string[];
}

export interface ResourceSetState {
  label: string;
  description: string;
  /** Short canonical form: users, groups/<id>, groups/<id>/users, apps/<id or name>. */
  resources: string[];
}

/** The admin role of the app: a standard type, or a custom role (by label) on a resource set. */
export type RoleAssignmentState =
  { type: string } | { type: "CUSTOM"; role: string; resourceSet: string };

export interface DesiredIntegration {
  name: string;
  zone: ZoneState;
  app: AppState;
  scopes: string[];
  customRole?: CustomRoleState;
  resourceSet?: ResourceSetState;
  role: RoleAssignmentState;
  rateLimitPercent: number;
}

/** What an ApiTokenException means in Okta: its zone, token, rate share, the interactive-login
 * block of its service account, and the account's admin role (a custom role and resource set
 * where used), assigned to the account as an app's role is assigned to its client. */
export interface DesiredToken {
  name: string;
  customRole?: CustomRoleState;
  resourceSet?: ResourceSetState;
  role: RoleAssignmentState;
  /** The token's id, as the file registers it. */
  tokenId: string;
  /** The service account's login: put in the group that may not sign in interactively. */
  serviceAccount: string;
  /** policy.serviceAccounts.loginPattern: the login Okta has for the account must match it. */
  loginPattern: string;
  zone: ZoneState;
  token: TokenState;
  rateLimitPercent: number;
}

export interface Found<T> {
  id: string;
  state: T;
  /** Not yet owned: named by the file's import line, to be adopted. */
  adopt?: boolean;
  /** For an object to adopt: what else in Okta uses it (read only then). The plan refuses the
   * adoption unless each use is the integration's own. */
  usedBy?: Usage[];
}

/** Something in Okta that uses an object: an app or token on a zone, a policy or rule naming the
 * zone in a network condition, a principal holding a custom role or resource set. */
export interface Usage {
  kind: "app" | "token" | "policy" | "policyRule" | "user" | "group" | "client";
  id: string;
  /** A person's name for it: a label, login or group name, as Okta has it. */
  name?: string;
}

/** Okta objects an imported file names for adoption (the `# okta-gitops import:` line). */
export interface Adoption {
  app?: string;
  /** The token an ApiTokenException registers (its file names it by id). */
  token?: string;
  /** The login of that token's service account. */
  serviceAccount?: string;
  zone?: string;
  customRole?: string;
  resourceSet?: string;
}

/** What the bot found in Okta for one integration (only objects carrying its marker). */
export interface ActualIntegration {
  name: string;
  /** `type` and `usage` as Okta has them (IP / POLICY for a zone the bot made): only an IP
   * allow-list zone may be adopted. */
  zone?: Found<ZoneState> & { type?: string; usage?: string };
  /** `raw` is the object as Okta answered it, needed to replace it with PUT. */
  app?: Found<AppState> & { clientId: string; raw: Record<string, unknown> };
  grants: { id: string; scope: string }[];
  roles: Found<RoleAssignmentState>[];
  customRole?: Found<CustomRoleState>;
  resourceSet?: Found<ResourceSetState> & { resourceIds: Record<string, string> };
  /** `concurrencyPercent`: the share of concurrent requests, which the bot sets to `percent`. */
  rateLimit?: { id: string; percent: number; concurrencyPercent?: number };
  /** The API token of an ApiTokenException, with the user it belongs to in Okta (`ownerLogin`
   * read when that is not the declared service account). */
  token?: Found<TokenState> & { userId?: string; ownerLogin?: string };
  /** Its service account, and whether it is in the group denied interactive sign-in. Its admin
   * roles of its own are in `roles`; those it holds through a group (which the bot cannot take
   * away without changing the group) in `groupRoles`. */
  serviceAccount?: ServiceAccountState;
  /** More apps carrying this integration's marker (left by a tool or a hand copy): removed. */
  duplicateApps?: string[];
}

export interface ServiceAccountState {
  id: string;
  blocked: boolean;
  /** Its login and status as Okta has them. */
  login?: string;
  /** For the account of an exception whose file is gone: the login group it is to leave. */
  loginGroupId?: string;
  status?: string;
  /** Admin roles it holds through a group (Okta lists them with assignmentType GROUP). */
  groupRoles?: { id: string; type: string; group?: string }[];
}

/** An object with a name the bot wants but without the bot's marker: never touched. */
export interface UnownedObject {
  kind: ResourceKind;
  id: string;
  name: string;
  /** The integration named in a marker, when the object belongs to another integration. */
  ownedBy?: string;
}

export interface ActualState {
  integrations: Map<string, ActualIntegration>;
  unowned: UnownedObject[];
  /** Which integrations were read: all of them, or a listed subset (a pull request's plan). */
  scope: "all" | Set<string>;
  /** The integration whose app the bot itself authenticates as: never deleted. */
  self?: string;
  /** The key the bot signs its token requests with: never removed from its own app. */
  selfKey?: JwkState;
  /** The scopes the bot requests its tokens with: never revoked from its own app. */
  selfScopes?: string[];
  /** The shared interactive-login block, when the repository has token exceptions. */
  loginBlock?: {
    groupId?: string;
    rule?: { id: string; ok: boolean };
    /** The global session policy the rule belongs in. */
    policyId?: string;
  };
}

/** `adopt`: put the bot's marker on an object that `okta-gitops import` named in the file (and
 * bring its settings to the file's, if they differ): how the bot takes ownership, explicitly. */
export type Action = "create" | "update" | "adopt" | "delete" | "conflict";

export const RISK_FLAGS = [
  "new-manage-scope",
  "broader-network",
  "dpop-off",
  "token-exchange-on",
  "role-change",
  "deletion",
  "adoption",
] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];

/** Where an existing object is in Okta, for the operations that change or delete it. */
export interface OktaTarget {
  id: string;
  /** The app's full object as read, for a replace (PUT) that keeps what the bot does not manage. */
  raw?: Record<string, unknown>;
  /** Resource-set member ids by canonical resource, to delete single resources. */
  resourceIds?: Record<string, string>;
}

export interface Operation {
  /** Stable within a plan: `<integration>/<kind>` or `<integration>/grant/<scope>`. */
  id: string;
  integration: string;
  kind: ResourceKind;
  action: Action;
  before?: unknown;
  after?: unknown;
  risks: RiskFlag[];
  /** Operations that must succeed first; a failed one skips this one. */
  dependsOn: string[];
  target?: OktaTarget;
  /** Why a conflict is one. */
  reason?: string;
  /** Who a role assignment is for: the app's client (the default), or the service account of an
   * API token exception. */
  assignee?: "serviceAccount";
}

export interface Plan {
  operations: Operation[];
  /** Integrations compared, for "no changes" messages and reports. */
  integrations: string[];
  /** Integrations in scope that were refused or left unchecked (policy, approvals, missing
   * resources, conflicts of ownership, expiry): the plan never says that Okta matches the
   * repository while there are any. */
  refused?: string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
