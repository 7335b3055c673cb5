// API token exceptions: always an exception needing the Identity team's approval; a bounded,
// future expiry; a dedicated service account whose login follows the pattern and is not a person's.
// (A justification is required by the schema; the account's uniqueness is a repository rule.)
import type { Finding } from "../model/index.js";
import { report, type IntegrationCheck } from "./report.js";

const DAY_MS = 86_400_000;

export const checkApiToken: IntegrationCheck = (li, ctx) => {
  const doc = li.integration;
  if (doc.kind !== "ApiTokenException") return [];
  const { identityTeam, exceptions, serviceAccounts } = ctx.config.policy;
  const findings: Finding[] = [
    report(
      li,
      "api-token.exception",
      ["kind"],
      `API tokens are denied by policy except for critical systems that cannot use an API Service App: this exception needs an approval of the pull request by @${identityTeam}.`,
      { requiresApproval: true },
    ),
  ];

  const days = daysBetween(ctx.today, doc.spec.expires);
  if (days <= 0) {
    findings.push(
      report(
        li,
        "api-token.expired",
        ["spec", "expires"],
        `The exception expired on ${doc.spec.expires}: renew it with a new justification and expiry, or remove the file to retire the token.`,
      ),
    );
  } else if (days > exceptions.maxLifetimeDays) {
    findings.push(
      report(
        li,
        "api-token.expiry-too-far",
        ["spec", "expires"],
        `${doc.spec.expires} is ${days} days away; an exception may run at most ${exceptions.maxLifetimeDays} days: set an expiry on or before ${addDays(ctx.today, exceptions.maxLifetimeDays)}.`,
      ),
    );
  } else if (days <= exceptions.warnDays) {
    // Ahead of the expiry, so that the renewal is reviewed before the access ends.
    findings.push(
      report(
        li,
        "api-token.expires-soon",
        ["spec", "expires"],
        `The exception expires on ${doc.spec.expires}, in ${days} day${days === 1 ? "" : "s"}: renew it with a new justification and expiry, or retire the token, before then.`,
      ),
    );
  }

  const login = doc.spec.serviceAccount.login;
  const path = ["spec", "serviceAccount", "login"];
  // Okta compares logins ignoring case, so the pattern does too.
  if (!new RegExp(serviceAccounts.loginPattern, "i").test(login)) {
    findings.push(
      looksHuman(login)
        ? report(
            li,
            "service-account.looks-human",
            path,
            `${login} looks like a person's account: register the token on a dedicated service account whose login matches ${serviceAccounts.loginPattern}.`,
          )
        : report(
            li,
            "service-account.login-pattern",
            path,
            `${login} does not match the service-account pattern ${serviceAccounts.loginPattern}: use a dedicated service account named accordingly.`,
          ),
    );
  }
  return findings;
};

/** firstname.lastname@, first_last@ or f.lastname@: letters only, in two or three parts. */
export function looksHuman(login: string): boolean {
  const local = login.split("@")[0] ?? "";
  return (
    /^[a-z]+(?:[._][a-z]+){1,2}$/i.test(local) &&
    !/\b(svc|service|bot|api|system)\b/i.test(local.replace(/[._]/g, " "))
  );
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
