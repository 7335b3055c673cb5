// Writing: carries out plan operations (the OktaPort of reconcile/apply.ts) through each kind's
// writer, and finds what a create whose answer was lost may have made (apply's crash recovery).
import type { OktaPort, Refs } from "../reconcile/apply.js";
import type { Operation } from "../reconcile/model.js";
import { WRITERS } from "./kinds/index.js";
import { unsupported, type WriteAction } from "./kinds/kind.js";
import type { OktaTransport } from "./transport.js";

export class OktaWriter implements OktaPort {
  constructor(private readonly t: OktaTransport) {}

  async execute(op: Operation, refs: Refs): Promise<string | undefined> {
    // Adopting is updating: the bodies the bot sends carry its marker.
    const action: WriteAction | undefined =
      op.action === "adopt" ? "update" : op.action === "conflict" ? undefined : op.action;
    const writer = WRITERS[op.kind];
    if (!action || !writer) throw unsupported(op);
    return writer.execute(this.t, op, action, refs);
  }

  /** Finds by marker (or name) what a create whose answer was lost may have made. */
  async findCreated(op: Operation, refs: Refs): Promise<string | undefined> {
    return WRITERS[op.kind]?.findCreated?.(this.t, op, refs);
  }
}
