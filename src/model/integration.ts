// The integration language: one YAML document per file under integrations/. These zod schemas are
// the single source of truth: the TypeScript types and the published JSON Schema
// (schemas/integration.schema.json) are both derived from them. Every object is strict, so a
// typo such as `dpopp: false` is an error instead of a silently ignored key.
//
// The schema checks shape only. Whether a well-formed file obeys the policy (ceilings, allowed
// roles, public addresses, uniqueness across the repository, ...) is decided in src/policy, where
// the tunables of .okta-gitops.yml are known.
import { z } from "zod";
import { OKTA_STANDARD_ROLES } from "../okta-facts/catalogue.generated.js";

export const API_VERSION = "okta-gitops/v1";

/** Lower-case ASCII only: names become Okta labels and filter values, so look-alike Unicode,
 * quotes and filter syntax are refused at the door. */
export const IntegrationName = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, {
    error:
      "must be lower-case ASCII letters and digits separated by single hyphens, e.g. hr-directory-sync",
  })
  .max(50)
  .describe("The integration's name; the file must be integrations/<name>.yaml.");

const Owner = z
  .string()
  .regex(/^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9._-]+)?$/, {
    error: 'must be a GitHub user or team such as "@acme/people-eng"',
  })
  .describe("The GitHub team or user answerable for the integration.");

export const Metadata = z.strictObject({
  name: IntegrationName,
  owner: Owner,
  purpose: z
    .string()
    .trim()
    .min(10, { error: "must say in a sentence what the access is for" })
    .max(500)
    .describe("What the access is for; the credential may be used for nothing else."),
  request: z
    .url({ protocol: /^https$/, error: "must be the https URL of the access request" })
    .describe("Link to the access request (ticket) that approved this integration."),
});

/** Scope and permission names as Okta spells them; whether they exist is a policy rule, so that a
 * misspelt scope is reported with a suggestion instead of as a bare pattern mismatch. */
const OktaName = z
  .string()
  .regex(/^okta\.[A-Za-z0-9.]+$/, { error: "must be an Okta name such as okta.users.read" });

/** A resource of a resource set, in the short form `users`, `groups/<id>`, `groups/<id>/users`,
 * `apps/<appName>`, `apps/<appId>`, or an Okta ORN. */
export const ResourceRef = z
  .string()
  .regex(
    /^(?:orn:[a-z0-9-]+:[A-Za-z0-9:._/-]+|(?:users|groups|apps)(?:\/[A-Za-z0-9_.-]+)?(?:\/users)?)$/,
    {
      error:
        "must be users, groups, apps, groups/<groupId>, groups/<groupId>/users, apps/<appName or appId>, or an orn:",
    },
  );

export const StandardRole = z.enum(OKTA_STANDARD_ROLES);

export const Role = z
  .strictObject({
    standard: StandardRole.optional().describe(
      "An Okta standard admin role type, e.g. READ_ONLY_ADMIN.",
    ),
    custom: z
      .strictObject({
        permissions: z.array(OktaName).min(1).describe("The custom role's Okta permissions."),
        resources: z.array(ResourceRef).min(1).describe("The resource set the role is limited to."),
      })
      .optional()
      .describe("A custom role and resource set created for this integration alone."),
  })
  .refine((r) => (r.standard === undefined) !== (r.custom === undefined), {
    error: "give exactly one of standard or custom",
  })
  .describe("Exactly one admin role, assigned to this integration alone.");

// Private members of a JWK (RFC 7518 6.3.2, 6.2.2, 6.4). Declared so that editors flag them and the
// loader can report them under their own rule without ever echoing the value.
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;
export const PRIVATE_JWK_MEMBER_NAMES: readonly string[] = PRIVATE_JWK_MEMBERS;
const privateMembers = Object.fromEntries(
  PRIVATE_JWK_MEMBERS.map((m) => [
    m,
    z.never({ error: "private key material: commit the public key only" }).optional(),
  ]),
) as Record<(typeof PRIVATE_JWK_MEMBERS)[number], z.ZodOptional<z.ZodNever>>;

const Base64Url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, { error: "must be base64url without padding" });
const Kid = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: "must be letters, digits and . _ : -" });

export const RsaJwk = z.strictObject({
  kty: z.literal("RSA"),
  kid: Kid,
  use: z.literal("sig").optional(),
  alg: z.enum(["RS256", "RS384", "RS512"]).optional(),
  n: Base64Url,
  e: Base64Url,
  ...privateMembers,
});

export const EcJwk = z.strictObject({
  kty: z.literal("EC"),
  kid: Kid,
  use: z.literal("sig").optional(),
  alg: z.enum(["ES256", "ES384", "ES512"]).optional(),
  crv: z.enum(["P-256", "P-384", "P-521"]),
  x: Base64Url,
  y: Base64Url,
  ...privateMembers,
});

export const PublicJwk = z
  .discriminatedUnion("kty", [RsaJwk, EcJwk])
  .describe("A public signing key (JWK).");

export const Network = z
  .strictObject({
    allow: z
      .array(z.string())
      .min(1, { error: "list at least one address: a zone must restrict where calls come from" })
      .describe(
        "Public IPv4/IPv6 addresses, CIDRs or ranges (a-b) the credential may be used from.",
      ),
  })
  .describe("The network zone created for this integration alone.");

export const RateLimit = z
  .strictObject({
    percent: z.int().min(1).max(100).describe("Share of each Okta API rate limit, in percent."),
  })
  .describe("The integration's share of Okta's rate limits.");

const Reason = z
  .string()
  .trim()
  .min(20, { error: "an exception needs a written reason of a sentence or more" });

export const ServiceAppExceptions = z
  .strictObject({
    dpop: Reason.optional().describe("Why DPoP cannot be used (needed when dpop is false)."),
    tokenExchange: Reason.optional().describe("Why token exchange must be on."),
    orgWideResources: Reason.optional().describe(
      "Why the resource set must cover all users, groups or apps.",
    ),
    highRiskScopes: Reason.optional().describe("Why high-risk scopes are needed."),
    superAdmin: Reason.optional().describe(
      "Why the bot's own integration (bot.integration) must be SUPER_ADMIN; refused for any other.",
    ),
  })
  .describe(
    "Written reasons for policy exceptions; each needs an approval from the Identity team.",
  );

export const ServiceAppSpec = z.strictObject({
  label: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x20-\x7e]+$/, { error: "must be printable ASCII" })
    .optional()
    .describe("The app's label in Okta; defaults to the integration's name."),
  scopes: z.array(OktaName).min(1).describe("Okta API scopes granted to the app."),
  role: Role,
  credentials: z.strictObject({
    jwks: z.array(PublicJwk).min(1).max(2).describe("Public keys (at most two, for rotation)."),
  }),
  dpop: z.boolean().describe("Require DPoP-bound access tokens."),
  tokenExchange: z.boolean().default(false).describe("Allow the token-exchange grant."),
  network: Network,
  rateLimit: RateLimit.optional(),
  exceptions: ServiceAppExceptions.optional(),
});

export const ServiceApp = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("ServiceApp"),
  metadata: Metadata,
  spec: ServiceAppSpec,
});

const IsoDate = z.iso.date({ error: "must be a date such as 2027-05-31" });

export const ApiTokenExceptionSpec = z.strictObject({
  justification: Reason.describe("Why this system cannot use an API Service App."),
  expires: IsoDate.describe("When the exception ends; it is reviewed, never permanent."),
  serviceAccount: z.strictObject({
    login: z.email({ error: "must be the service account's login (an email address)" }),
  }),
  token: z.strictObject({
    id: z
      .string()
      .regex(/^00T[A-Za-z0-9]{5,30}$/, { error: "must be an Okta API token id (00T...)" })
      .describe("The id of the token, created in the Admin Console by the service account."),
  }),
  role: Role,
  network: Network,
  rateLimit: RateLimit.optional(),
});

export const ApiTokenException = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("ApiTokenException"),
  metadata: Metadata,
  spec: ApiTokenExceptionSpec,
});

export const Integration = z.discriminatedUnion("kind", [ServiceApp, ApiTokenException]);

export const INTEGRATION_KINDS = ["ServiceApp", "ApiTokenException"] as const;

export type Metadata = z.infer<typeof Metadata>;
export type Role = z.infer<typeof Role>;
export type PublicJwk = z.infer<typeof PublicJwk>;
export type ServiceApp = z.infer<typeof ServiceApp>;
export type ApiTokenException = z.infer<typeof ApiTokenException>;
export type Integration = z.infer<typeof Integration>;
