// API tokens (SSWS) of token exceptions: owned when the name carries the bot's prefix, or
// registered by an exception's file. The bot never creates a token: Okta makes them only in the
// Admin Console; it renames, confines to a zone and revokes.
import { z } from "zod";
import type { AppState } from "../../reconcile/model.js";
import { need } from "../refs.js";
import { ignore404 } from "../transport.js";
import { unsupported, type KindWriter } from "./kind.js";

export const RawNetwork = z
  .looseObject({
    include: z.array(z.string()).nullish(),
    exclude: z.array(z.string()).nullish(),
  })
  .nullish();
export type RawNetwork = z.infer<typeof RawNetwork>;

export const RawToken = z.looseObject({
  id: z.string(),
  name: z.string(),
  userId: z.string().optional(),
  network: z
    .looseObject({ connection: z.string(), include: z.array(z.string()).nullish() })
    .nullish(),
});
export type RawToken = z.infer<typeof RawToken>;

export const TOKENS_PATH = `/api/v1/api-tokens`;

export const tokenWriter: KindWriter = {
  async execute(t, op, action, refs) {
    const id = op.target?.id;
    switch (action) {
      case "update": {
        const token = op.after as { name: string; network: AppState["network"] };
        await t.call("PUT", `/api/v1/api-tokens/${id}`, {
          name: token.name,
          network:
            token.network.connection === "ZONE"
              ? { connection: "ZONE", include: [need(refs, `zone:${token.network.zone}`)] }
              : { connection: "ANYWHERE" },
        });
        return undefined;
      }
      case "delete":
        await t.call("DELETE", `/api/v1/api-tokens/${id}`).catch(ignore404);
        return undefined;
    }
    throw unsupported(op);
  },
};
