// The app's token settings: DPoP on and token exchange off, unless a written reason says why not
// (then the Identity team must approve). A reason for something the app does not do is stale.
import type { Finding } from "../model/index.js";
import { approvalNeeded, report, type IntegrationCheck } from "./report.js";

export const checkAppSettings: IntegrationCheck = (li, ctx) => {
  const doc = li.integration;
  if (doc.kind !== "ServiceApp") return [];
  const { dpop, tokenExchange, exceptions } = doc.spec;
  const findings: Finding[] = [];

  if (!dpop) {
    findings.push(
      exceptions?.dpop
        ? approvalNeeded(li, "dpop.disabled", ["spec", "dpop"], "DPoP is off", ctx)
        : report(
            li,
            "dpop.disabled",
            ["spec", "dpop"],
            "DPoP is off: set dpop: true, or write why the client cannot use DPoP in spec.exceptions.dpop (the Identity team must approve).",
          ),
    );
  } else if (exceptions?.dpop) {
    findings.push(stale(li, "dpop", "DPoP is on"));
  }

  if (tokenExchange) {
    findings.push(
      exceptions?.tokenExchange
        ? approvalNeeded(
            li,
            "token-exchange.enabled",
            ["spec", "tokenExchange"],
            "Token exchange is on",
            ctx,
          )
        : report(
            li,
            "token-exchange.enabled",
            ["spec", "tokenExchange"],
            "Token exchange is on: set tokenExchange: false, or write why it is needed in spec.exceptions.tokenExchange (the Identity team must approve).",
          ),
    );
  } else if (exceptions?.tokenExchange) {
    findings.push(stale(li, "tokenExchange", "token exchange is off"));
  }
  return findings;
};

function stale(
  li: Parameters<IntegrationCheck>[0],
  key: "dpop" | "tokenExchange",
  state: string,
): Finding {
  return report(
    li,
    "exceptions.stale",
    ["spec", "exceptions", key],
    `exceptions.${key} is given but ${state}: remove the exception.`,
    { part: "key" },
  );
}
