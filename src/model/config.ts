// `.okta-gitops.yml`: the policy's tunables and the bot's settings. It is read from the default
// branch only, so that a pull request cannot loosen its own checks. Every field has a safe default:
// an empty file (or no file) gives the strict policy.
import { z } from "zod";
import { API_VERSION, StandardRole } from "./integration.js";
import { OKTA_SCOPES } from "../okta-facts/catalogue.generated.js";

export const DEFAULT_HIGH_RISK_SCOPES = [
  "okta.apiTokens.manage",
  "okta.apps.manage",
  "okta.authorizationServers.manage",
  "okta.groups.manage",
  "okta.idps.manage",
  "okta.networkZones.manage",
  "okta.policies.manage",
  "okta.roles.manage",
  "okta.users.manage",
];

export const PolicySettings = z
  .strictObject({
    rateLimit: z
      .strictObject({
        maxPercent: z
          .int()
          .min(1)
          .max(100)
          .default(50)
          .describe("Highest share of a rate limit an integration may take."),
        defaultPercent: z
          .int()
          .min(1)
          .max(100)
          .default(50)
          .describe("Share set when a file gives none."),
      })
      .prefault({})
      .refine((r) => r.defaultPercent <= r.maxPercent, {
        error: "defaultPercent must not exceed maxPercent",
      }),
    roles: z
      .strictObject({
        allowedStandard: z
          .array(StandardRole)
          .default(["READ_ONLY_ADMIN", "REPORT_ADMIN", "HELP_DESK_ADMIN", "GROUP_MEMBERSHIP_ADMIN"])
          .refine((roles) => !roles.includes("SUPER_ADMIN") && !roles.includes("ORG_ADMIN"), {
            error: "SUPER_ADMIN and ORG_ADMIN can never be allowed",
          })
          .describe(
            "Standard admin roles an integration may hold. SUPER_ADMIN and ORG_ADMIN never.",
          ),
      })
      .prefault({}),
    network: z
      .strictObject({
        minIpv4Prefix: z
          .int()
          .min(8)
          .max(32)
          .default(24)
          .describe("Broadest IPv4 network allowed, as a prefix length."),
        minIpv6Prefix: z
          .int()
          .min(16)
          .max(128)
          .default(48)
          .describe("Broadest IPv6 network allowed, as a prefix length."),
        maxEntries: z
          .int()
          .min(1)
          .max(150)
          .default(20)
          .describe("Most entries in one allow list (Okta allows 150)."),
      })
      .prefault({}),
    exceptions: z
      .strictObject({
        maxLifetimeDays: z
          .int()
          .min(1)
          .max(366)
          .default(180)
          .describe("Longest an API token exception may run."),
        warnDays: z
          .int()
          .min(0)
          .max(366)
          .default(14)
          .describe(
            "How many days before an API token exception expires validate starts warning (0: never).",
          ),
      })
      .prefault({}),
    serviceAccounts: z
      .strictObject({
        loginPattern: z
          .string()
          .default("^svc-[a-z0-9-]+@")
          .refine(isRegExp, { error: "must be a valid regular expression" })
          .describe("Pattern every service account login must match."),
      })
      .prefault({}),
    identityTeam: z
      .string()
      .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { error: "must be org/team-slug" })
      .default("acme/identity")
      .describe("The GitHub team (org/slug) whose approval policy exceptions need."),
    highRiskScopes: z
      .array(
        z.string().refine((scope) => Object.hasOwn(OKTA_SCOPES, scope), {
          error: "not a scope in Okta's catalogue",
        }),
      )
      .default(DEFAULT_HIGH_RISK_SCOPES)
      .describe("Scopes that need an exception with a reason and the Identity team's approval."),
    resourceSets: z
      .strictObject({
        maxResources: z
          .int()
          .min(1)
          .max(1000)
          .default(50)
          .describe("Most resources in one resource set."),
      })
      .prefault({}),
  })
  .prefault({});

/** A duration as the settings write it: a whole number and a unit (seconds, minutes, hours, days). */
const DURATION = /^([1-9][0-9]{0,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A drift check reads all the bot owns in Okta: more often than this would spend the rate limit. */
export const MIN_DRIFT_MS = 5 * 60_000;
/** And less often than weekly leaves hand changes in place too long (and overflows no timer). */
export const MAX_DRIFT_MS = 7 * 86_400_000;

/** Milliseconds of a duration such as "30m"; NaN when it is not one. */
export function durationMs(duration: string): number {
  const m = DURATION.exec(duration);
  if (!m) return Number.NaN;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export const BotSettings = z
  .strictObject({
    integration: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: "must be an integration name" })
      .default("okta-gitops")
      .describe(
        "The integration the bot authenticates as: the only one that may hold SUPER_ADMIN, by a written exception.",
      ),
    deletionGuard: z
      .strictObject({
        maxDeletions: z
          .int()
          .min(0)
          .default(3)
          .describe("Integrations one change may remove without --confirm-deletions."),
      })
      .prefault({}),
    drift: z
      .strictObject({
        mode: z
          .enum(["report", "correct"])
          .default("report")
          .describe("What the scheduled drift check does."),
        interval: z
          .string()
          .regex(DURATION, { error: 'must be a duration such as "30m", "1h" or "1d"' })
          .refine((d) => !DURATION.test(d) || durationMs(d) >= MIN_DRIFT_MS, {
            error: "must be at least 5m: each check reads everything the bot owns in Okta",
          })
          .refine((d) => !DURATION.test(d) || durationMs(d) <= MAX_DRIFT_MS, {
            error: "must be at most 7d",
          })
          .default("1h")
          .describe(
            'How often the GitHub App compares main with Okta: a number and a unit (s, m, h, d), e.g. "30m"; at least 5m, at most 7d.',
          ),
      })
      .prefault({}),
    exceptions: z
      .strictObject({
        onExpiry: z
          .enum(["revoke", "report"])
          .default("revoke")
          .describe(
            "What apply does with an API token exception past its expiry: revoke (revoke the token, unassign the account's role, remove its zone, under the deletion guard) or report (name it and what Okta still holds, and fail).",
          ),
      })
      .prefault({}),
  })
  .prefault({});

export const Config = z.strictObject({
  apiVersion: z.literal(API_VERSION).default(API_VERSION),
  kind: z.literal("Config").default("Config"),
  policy: PolicySettings,
  bot: BotSettings,
});

export type Config = z.infer<typeof Config>;
export type PolicySettings = z.infer<typeof PolicySettings>;

/** The configuration when the repository has no .okta-gitops.yml: the strict defaults. */
export const DEFAULT_CONFIG: Config = Config.parse({});

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
