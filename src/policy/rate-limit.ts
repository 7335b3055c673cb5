// The integration's share of Okta's rate limits: at most the configured ceiling; when absent the
// default applies, and a lower share is recommended (policy.md: "further rate limiting is strongly
// recommended").
import { report, type IntegrationCheck } from "./report.js";

export const checkRateLimit: IntegrationCheck = (li, ctx) => {
  const { maxPercent, defaultPercent } = ctx.config.policy.rateLimit;
  const rateLimit = li.integration.spec.rateLimit;
  if (rateLimit === undefined) {
    return [
      report(
        li,
        "rate-limit.default",
        ["spec"],
        `No rateLimit is given, so the default ${defaultPercent}% of each Okta API rate limit applies: set rateLimit.percent, lower if the integration needs less.`,
        { part: "key" },
      ),
    ];
  }
  if (rateLimit.percent > maxPercent) {
    return [
      report(
        li,
        "rate-limit.too-high",
        ["spec", "rateLimit", "percent"],
        `rateLimit.percent is ${rateLimit.percent}; the ceiling is ${maxPercent}: lower it to ${maxPercent} or less.`,
      ),
    ];
  }
  return [];
};
