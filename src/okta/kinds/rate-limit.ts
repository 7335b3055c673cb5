// Principal rate limits: an app's (OAUTH_CLIENT) or an API token's (SSWS_TOKEN) share of the org's
// rate limits.
import { z } from "zod";
import type { ActualIntegration } from "../../reconcile/model.js";
import { need } from "../refs.js";
import { enc } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";

export const RawRateLimit = z.looseObject({
  id: z.string(),
  principalId: z.string(),
  defaultPercentage: z.number().optional(),
  defaultConcurrencyPercentage: z.number().optional(),
});
export type RawRateLimit = z.infer<typeof RawRateLimit>;

/** Every principal rate limit of one principal type. */
export const rateLimitsOfType = (type: "OAUTH_CLIENT" | "SSWS_TOKEN") =>
  `/api/v1/principal-rate-limits?filter=${enc(`principalType eq "${type}"`)}&limit=50`;
/** The rate limit of one principal (an app's client id, or a token's id). */
export const rateLimitsOf = (principalId: string) =>
  `/api/v1/principal-rate-limits?filter=${enc(`principalId eq "${principalId}"`)}&limit=50`;

/** A principal rate limit as the plan compares it: both shares the bot sets (Okta's default share
 * is 50% when none is given). */
export function rateLimitState(l: RawRateLimit): NonNullable<ActualIntegration["rateLimit"]> {
  return {
    id: l.id,
    percent: l.defaultPercentage ?? 50,
    ...(l.defaultConcurrencyPercentage !== undefined
      ? { concurrencyPercent: l.defaultConcurrencyPercentage }
      : {}),
  };
}

const principalOf = (op: { after?: unknown }) =>
  (op.after as { principalType?: string }).principalType === "SSWS_TOKEN";

export const rateLimitWriter: KindWriter = {
  async execute(t, op, action, refs) {
    switch (action) {
      case "create":
      case "update": {
        const { percent } = op.after as { percent: number };
        const token = principalOf(op);
        const body = {
          principalId: token
            ? need(refs, `token:${op.integration}`)
            : need(refs, `app:${op.integration}`),
          principalType: token ? "SSWS_TOKEN" : "OAUTH_CLIENT",
          defaultPercentage: percent,
          defaultConcurrencyPercentage: percent,
        };
        if (action === "update") {
          await t.call("PUT", `/api/v1/principal-rate-limits/${op.target?.id}`, body);
          return undefined;
        }
        return (await t.call<{ id: string }>("POST", "/api/v1/principal-rate-limits", body)).json
          .id;
      }
    }
    throw unsupported(op);
  },
  async findCreated(t, op, refs) {
    const client = need(refs, `${principalOf(op) ? "token" : "app"}:${op.integration}`);
    const ls = await t.list(RawRateLimit, rateLimitsOf(client));
    return ls[0]?.id;
  },
};
