// One shape for every kind of Okta object the bot writes (the plugin shape of github/safe-settings:
// one module per settings section behind one interface, found through one table). Each kind module
// also keeps its raw zod shape (what Okta answers, only the fields the bot reads), its mapping to
// the reconciler's state and its request bodies, next to each other, as terraform-provider-okta
// keeps one file per resource. What is not copied from either: reading. Both read object by object
// (one GET per resource); here the actual state is read collectively (paged lists across kinds,
// then per-app detail, read.ts) because the number of calls is the budget that matters.
import type { Refs } from "../../reconcile/apply.js";
import type { Operation } from "../../reconcile/model.js";
import type { OktaTransport } from "../transport.js";

/** Plan actions as a kind carries them out: adopting an object is updating it with our marker. */
export type WriteAction = "create" | "update" | "delete";

export interface KindWriter {
  /** Carries out one operation; the id of the object it created, if any. Throws for an action the
   * kind has no way to carry out. */
  execute(
    t: OktaTransport,
    op: Operation,
    action: WriteAction,
    refs: Refs,
  ): Promise<string | undefined>;
  /** After a create whose answer was lost, finds by marker (or name) what it may have made. */
  findCreated?(t: OktaTransport, op: Operation, refs: Refs): Promise<string | undefined>;
}

export function unsupported(op: Operation): Error {
  return new Error(`no way to ${op.action} a ${op.kind}`);
}
