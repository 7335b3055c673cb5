// Okta's error shape and codes. Every refusal of the local org goes through OktaError so that the
// SDK and the bot see what Okta would send: errorCode, errorSummary, errorLink, errorId, errorCauses.
import { newId, PREFIX } from "./ids.js";

export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: { errorSummary: string }[];
}

export class OktaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly summary: string,
    readonly causes: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${summary}`);
  }

  body(): OktaErrorBody {
    return {
      errorCode: this.code,
      errorSummary: this.summary,
      errorLink: this.code,
      errorId: newId(PREFIX.error),
      errorCauses: this.causes.map((errorSummary) => ({ errorSummary })),
    };
  }
}

/** An OAuth 2.0 error of the token endpoint (RFC 6749 §5.2), which is not in Okta's shape. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
  }
  body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const errors = {
  validation: (causes: string[], field?: string) =>
    new OktaError(
      400,
      "E0000001",
      `Api validation failed: ${field ?? causes[0]?.split(":")[0] ?? "request"}`,
      causes,
    ),
  malformed: (detail: string) =>
    new OktaError(400, "E0000003", "The request body was not well-formed.", [detail]),
  forbidden: (detail?: string) =>
    new OktaError(
      403,
      "E0000006",
      "You do not have permission to perform the requested action",
      detail ? [detail] : [],
    ),
  insufficientScope: (scopes: readonly string[]) =>
    new OktaError(
      403,
      "E0000006",
      "You do not have permission to perform the requested action",
      [],
      {
        "WWW-Authenticate": `Bearer error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", scope="${scopes.join(" ")}"`,
      },
    ),
  notFound: (id: string, type: string) =>
    new OktaError(404, "E0000007", `Not found: Resource not found: ${id} (${type})`),
  invalidToken: (detail?: string, authenticate?: string) =>
    new OktaError(
      401,
      "E0000011",
      "Invalid token provided",
      detail ? [detail] : [],
      authenticate ? { "WWW-Authenticate": authenticate } : {},
    ),
  methodNotAllowed: () =>
    new OktaError(405, "E0000022", "The endpoint does not support the provided HTTP method"),
  invalidSearch: (detail: string) =>
    new OktaError(400, "E0000031", "Invalid search criteria.", [detail]),
  rateLimited: () =>
    new OktaError(429, "E0000047", "API call exceeded rate limit due to too many requests."),
  internal: () => new OktaError(500, "E0000009", "Internal Server Error"),
  lifecycle: (summary: string) =>
    new OktaError(400, "E0000001", `Api validation failed: ${summary}`, [summary]),
};
