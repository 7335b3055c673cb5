// The registry of policy rules: one entry per requirement of policy.md (as DESIGN.md's table turns
// them into checks), each with a stable id the renderers (SARIF, annotations, the README table) and
// the fixtures under test/fixtures/rules/<id>/ rely on. Ids never change meaning; a rule that is
// retired keeps its id unused.
//
// `severity` is the rule's default. Exception rules (scopes.high-risk, resources.org-wide,
// dpop.disabled, token-exchange.enabled, role.super-admin) are errors without a written reason; with one they are
// reported as warnings marked requiresApproval (the Identity team must approve the pull request).
import type { Severity } from "../model/finding.js";

export interface PolicyRule {
  id: string;
  severity: Severity;
  /** One line: what the rule checks. */
  summary: string;
  /** How to fix a finding of this rule. */
  help: string;
  /** The requirement of policy.md the rule serves. */
  requirement: string;
  /** Whether the rule looks at one integration or compares integrations across the repository. */
  scope: "integration" | "repository";
}

const UNIQUE_APP = "Unique API Service app created for each integration or service.";
const PURPOSE = "The app may not be used for any other purpose but the one specifically requested.";
const SCOPES = "The app's scopes must be limited to necessary scopes only.";
const PERMISSIONS = "The role must be limited to necessary permissions only.";
const CUSTOM_SCOPES =
  "If a custom role is used, the role must be limited to necessary scopes only.";
const RESOURCES =
  "If a custom role is used, the resource set must be limited to necessary resources only.";
const DPOP = "Demonstrating Proof of Possession (DPoP) enabled and configured when possible.";
const TOKEN_EXCHANGE = "Non-interactive token-exchange disabled when possible.";
const ZONE =
  "A network zone with a restricted list of IP addresses must be configured and assigned to the app (or token).";
const TOKENS =
  "Access with API token and service account is explicitly denied. Exceptions will be made only for critical systems which require access to Okta and cannot support API Service Apps (OAuth 2.0). Approval of exceptions is under the discretion of the Identity team.";
const APPROVAL = "Approval of exceptions is under the discretion of the Identity team.";
const SERVICE_ACCOUNT =
  "Token associated with a unique dedicated service account. Token not associated with a human user.";
const RATE = "By default, all API Services apps and tokens are rate-limited at 50%.";

export const RULES = [
  // --- scopes -----------------------------------------------------------------------------------
  {
    id: "scopes.unknown",
    severity: "error",
    summary: "A scope is not one of the OAuth 2.0 scopes Okta's Management API defines.",
    help: "Use the scope's exact name from Okta's catalogue; the message suggests the nearest one.",
    requirement: SCOPES,
    scope: "integration",
  },
  {
    id: "scopes.duplicate",
    severity: "error",
    summary: "A scope is listed more than once.",
    help: "Remove the repeated scope.",
    requirement: SCOPES,
    scope: "integration",
  },
  {
    id: "scopes.unbacked",
    severity: "error",
    summary: "A scope is not backed by the app's admin role, so it grants nothing or hides a need.",
    help: "Drop the scope, or add the role permission (or choose the standard role) that backs it.",
    requirement: CUSTOM_SCOPES,
    scope: "integration",
  },
  {
    id: "scopes.high-risk",
    severity: "error",
    summary:
      "A high-risk scope (configured, or one no custom-role permission can confine) needs an exception.",
    help: "Drop the scope, or write why it is needed in spec.exceptions.highRiskScopes (the Identity team must approve).",
    requirement: SCOPES,
    scope: "integration",
  },
  // --- the admin role ---------------------------------------------------------------------------
  {
    id: "role.forbidden",
    severity: "error",
    summary:
      "ORG_ADMIN is never granted; SUPER_ADMIN only to the bot's own integration (bot.integration).",
    help: "Use a custom role with the permissions the integration needs, limited to a resource set.",
    requirement: PERMISSIONS,
    scope: "integration",
  },
  {
    id: "role.super-admin",
    severity: "error",
    summary:
      "The bot's own integration holds SUPER_ADMIN (Okta lets only a super admin assign admin roles and manage custom roles and resource sets) only with a written exception.",
    help: "Write why in spec.exceptions.superAdmin (the Identity team must approve).",
    requirement: PERMISSIONS,
    scope: "integration",
  },
  {
    id: "role.standard-not-allowed",
    severity: "error",
    summary: "The standard role is not in the allowed list (policy.roles.allowedStandard).",
    help: "Use an allowed standard role, or a custom role with the permissions the integration needs.",
    requirement: PERMISSIONS,
    scope: "integration",
  },
  {
    id: "role.unknown-permission",
    severity: "error",
    summary: "A custom-role permission is not one Okta defines.",
    help: "Use the permission's exact name from Okta's permissions catalogue; the message suggests the nearest one.",
    requirement: PERMISSIONS,
    scope: "integration",
  },
  {
    id: "role.duplicate-permission",
    severity: "error",
    summary: "A custom-role permission is listed more than once.",
    help: "Remove the repeated permission.",
    requirement: PERMISSIONS,
    scope: "integration",
  },
  {
    id: "role.unused-permission",
    severity: "error",
    summary: "A custom-role permission cannot be exercised through any scope the app is granted.",
    help: "Remove the permission, or grant the scope it is exercised through.",
    requirement: PERMISSIONS,
    scope: "integration",
  },
  // --- the resource set -------------------------------------------------------------------------
  {
    id: "resources.invalid",
    severity: "error",
    summary:
      "A resource is not in a canonical form: a dot or empty segment, a trailing separator, or a shape okta-gitops does not read.",
    help: "Write users, groups, apps, groups/<groupId>, groups/<groupId>/users, apps/<appId>, apps/<appName> or an ORN, exactly.",
    requirement: RESOURCES,
    scope: "integration",
  },
  {
    id: "resources.org-wide",
    severity: "error",
    summary:
      "An org-wide resource (all users, all groups, all apps, all apps of one kind) needs an exception.",
    help: "Name the groups or apps the integration needs (groups/<id>, groups/<id>/users, apps/<id>), or write why it needs all of them in spec.exceptions.orgWideResources.",
    requirement: RESOURCES,
    scope: "integration",
  },
  {
    id: "resources.too-many",
    severity: "error",
    summary: "The resource set holds more resources than policy.resourceSets.maxResources.",
    help: "Group the resources (for example, one group that holds the users) or split the integration.",
    requirement: RESOURCES,
    scope: "integration",
  },
  {
    id: "resources.duplicate",
    severity: "error",
    summary: "A resource is listed more than once.",
    help: "Remove the repeated resource.",
    requirement: RESOURCES,
    scope: "integration",
  },
  // --- token binding and grants -----------------------------------------------------------------
  {
    id: "dpop.disabled",
    severity: "error",
    summary: "DPoP is off without a written exception.",
    help: "Set dpop: true, or write why the client cannot use DPoP in spec.exceptions.dpop.",
    requirement: DPOP,
    scope: "integration",
  },
  {
    id: "token-exchange.enabled",
    severity: "error",
    summary: "Token exchange is on without a written exception.",
    help: "Set tokenExchange: false, or write why it is needed in spec.exceptions.tokenExchange.",
    requirement: TOKEN_EXCHANGE,
    scope: "integration",
  },
  {
    id: "exceptions.stale",
    severity: "warning",
    summary: "An exception reason is given for something the integration does not do.",
    help: "Remove the exception: an unused exception would silently cover a later change.",
    requirement: APPROVAL,
    scope: "integration",
  },
  // --- the network zone -------------------------------------------------------------------------
  {
    id: "network.invalid",
    severity: "error",
    summary: "An allow-list entry is not an IPv4/IPv6 address, CIDR, or range a-b of one family.",
    help: "Write an address (203.0.113.10), a CIDR (203.0.113.0/28) or a range (203.0.113.10-203.0.113.20).",
    requirement: ZONE,
    scope: "integration",
  },
  {
    id: "network.any-address",
    severity: "error",
    summary: "An allow-list entry admits every address (0.0.0.0/0 or ::/0).",
    help: "List the egress addresses the integration calls Okta from.",
    requirement: ZONE,
    scope: "integration",
  },
  {
    id: "network.too-broad",
    severity: "error",
    summary: "An entry is broader than policy.network.minIpv4Prefix / minIpv6Prefix allow.",
    help: "Narrow the entry to the integration's egress addresses.",
    requirement: ZONE,
    scope: "integration",
  },
  {
    id: "network.not-public",
    severity: "error",
    summary:
      "An entry covers private, shared (CGNAT), loopback, link-local, multicast, unspecified or reserved addresses.",
    help: "Okta sees public addresses only: list the public egress (NAT) addresses of the integration.",
    requirement: ZONE,
    scope: "integration",
  },
  {
    id: "network.too-many",
    severity: "error",
    summary: "The allow list holds more entries than policy.network.maxEntries.",
    help: "Merge adjacent entries into a CIDR, or reduce the places the integration runs from.",
    requirement: ZONE,
    scope: "integration",
  },
  {
    id: "network.overlap",
    severity: "warning",
    summary: "An allow-list entry repeats or overlaps an earlier one.",
    help: "Remove the repeated entry or merge the overlapping ones.",
    requirement: ZONE,
    scope: "integration",
  },
  // --- credentials ------------------------------------------------------------------------------
  {
    id: "credentials.weak-key",
    severity: "error",
    summary: "An RSA key's modulus is shorter than 2048 bits.",
    help: "Generate a key of at least 2048 bits (3072 recommended) and commit its public JWK.",
    requirement: UNIQUE_APP,
    scope: "integration",
  },
  {
    id: "credentials.non-canonical",
    severity: "error",
    summary:
      "A key member (n, e, x, y) is not in its canonical base64url form: unused bits set, leading zero bytes, or an EC coordinate of the wrong width.",
    help: "Commit the public JWK exactly as your key tool exports it (one key has one encoding).",
    requirement: UNIQUE_APP,
    scope: "integration",
  },
  {
    id: "credentials.duplicate-kid",
    severity: "error",
    summary: "Two keys in one file share a kid.",
    help: "Give each key its own kid (for example the date it was made).",
    requirement: UNIQUE_APP,
    scope: "integration",
  },
  // --- rate limit -------------------------------------------------------------------------------
  {
    id: "rate-limit.too-high",
    severity: "error",
    summary: "The rate-limit share exceeds policy.rateLimit.maxPercent.",
    help: "Lower rateLimit.percent to the ceiling or below; less is recommended.",
    requirement: RATE,
    scope: "integration",
  },
  {
    id: "rate-limit.default",
    severity: "notice",
    summary: "No rate-limit share is given, so the default applies.",
    help: "Set rateLimit.percent; a share below the default is recommended.",
    requirement: RATE,
    scope: "integration",
  },
  // --- API token exceptions ---------------------------------------------------------------------
  {
    id: "api-token.exception",
    severity: "warning",
    summary: "An API token is an exception to the policy and needs the Identity team's approval.",
    help: "Prefer an API Service App; otherwise have the Identity team approve the pull request.",
    requirement: TOKENS,
    scope: "integration",
  },
  {
    id: "api-token.expired",
    severity: "error",
    summary: "The exception's expiry date has passed (or is today).",
    help: "Renew the exception with a new justification and expiry, or remove the file to retire the token.",
    requirement: TOKENS,
    scope: "integration",
  },
  {
    id: "api-token.expires-soon",
    severity: "warning",
    summary: "The exception expires within policy.exceptions.warnDays days.",
    help: "Renew the exception (a new justification and expiry, approved again) before it runs out, or plan the token's retirement.",
    requirement: TOKENS,
    scope: "integration",
  },
  {
    id: "api-token.expiry-too-far",
    severity: "error",
    summary: "The exception runs longer than policy.exceptions.maxLifetimeDays from today.",
    help: "Set an earlier expiry; the exception is reviewed again when it ends.",
    requirement: TOKENS,
    scope: "integration",
  },
  {
    id: "service-account.login-pattern",
    severity: "error",
    summary: "The service account's login does not match policy.serviceAccounts.loginPattern.",
    help: "Create a dedicated service account whose login follows the pattern (e.g. svc-<name>@...).",
    requirement: SERVICE_ACCOUNT,
    scope: "integration",
  },
  {
    id: "service-account.looks-human",
    severity: "error",
    summary: "The service account's login looks like a person's (firstname.lastname@...).",
    help: "Register the token on a dedicated, non-human service account, never on a person's account.",
    requirement: SERVICE_ACCOUNT,
    scope: "integration",
  },
  // --- adoption ---------------------------------------------------------------------------------
  {
    id: "adoption.requires-approval",
    severity: "warning",
    summary:
      "The file's import line takes ownership of existing Okta objects: an exception that needs the Identity team's approval.",
    help: "Have the Identity team approve the pull request; the plan refuses objects used outside the file.",
    requirement: APPROVAL,
    scope: "integration",
  },
  // --- across the repository --------------------------------------------------------------------
  {
    id: "unique.name",
    severity: "error",
    summary: "Two integrations have the same name.",
    help: "Give each integration its own name (and file).",
    requirement: UNIQUE_APP,
    scope: "repository",
  },
  {
    id: "unique.app-label",
    severity: "error",
    summary: "Two apps would have the same label in Okta (spec.label or the name, ignoring case).",
    help: "Give the app a label of its own in spec.label.",
    requirement: UNIQUE_APP,
    scope: "repository",
  },
  {
    id: "unique.jwk",
    severity: "error",
    summary: "A public key (by RFC 7638 thumbprint) is used by two integrations.",
    help: "Generate a key pair for each integration: a shared key lets one integration act as another.",
    requirement: PURPOSE,
    scope: "repository",
  },
  {
    id: "unique.service-account",
    severity: "error",
    summary: "A service account is used by two API token exceptions.",
    help: "Create a dedicated service account for each integration.",
    requirement: SERVICE_ACCOUNT,
    scope: "repository",
  },
  {
    id: "unique.token",
    severity: "error",
    summary: "An API token id is registered by two integrations.",
    help: "Each integration registers its own token.",
    requirement: SERVICE_ACCOUNT,
    scope: "repository",
  },
  {
    id: "unique.network-zone",
    severity: "warning",
    summary:
      "Two integrations have identical allow lists; each still gets its own zone, but check they do not share a host or credentials.",
    help: "Confirm the integrations are separate systems that happen to share an egress; otherwise merge or separate them.",
    requirement: ZONE,
    scope: "repository",
  },
] as const satisfies readonly PolicyRule[];

export type RuleId = (typeof RULES)[number]["id"];

export const RULE_BY_ID: ReadonlyMap<string, PolicyRule> = new Map(RULES.map((r) => [r.id, r]));

export function ruleOf(id: RuleId): PolicyRule {
  const rule = RULE_BY_ID.get(id);
  if (!rule) throw new Error(`unknown policy rule ${id}`);
  return rule;
}
