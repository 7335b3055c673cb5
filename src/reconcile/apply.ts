// Apply: runs a plan's operations through a port to Okta, integration by integration (several at
// once), each integration's operations in plan order. Ids of objects created earlier in the run
// are resolved by name. A failed operation skips those that depend on it; the report says what was
// done, what failed and what was skipped, so the next run (which reads Okta afresh) converges.
import type { Operation, Plan } from "./model.js";

/** Where objects are in Okta, by the names the plan uses: `zone:<name>`, `customRole:<label>`,
 * `resourceSet:<label>`, `app:<integration>`. */
export type Refs = Map<string, string>;

export interface OktaPort {
  /** Carries out one operation; returns the id of the object it created, if any. */
  execute(op: Operation, refs: Refs): Promise<string | undefined>;
  /** After a create failed in a way that may have created it anyway (a 5xx or a dropped
   * connection), looks for the object by its marker; its id if it is there. */
  findCreated(op: Operation, refs: Refs): Promise<string | undefined>;
}

export interface OpOutcome {
  op: Operation;
  status: "done" | "failed" | "skipped";
  /** Why it failed or was skipped. */
  detail?: string;
}

export interface ApplyReport {
  outcomes: OpOutcome[];
  done: number;
  failed: number;
  skipped: number;
}

export interface ApplyOptions {
  refs: Refs;
  /** Integrations reconciled at once. */
  concurrency?: number;
  /** Attempts of an operation that failed in a transient way. */
  attempts?: number;
  onProgress?: (finished: number, total: number) => void;
}

export function refKey(op: Pick<Operation, "kind" | "integration" | "after">): string | undefined {
  const after = op.after as { name?: string; label?: string } | undefined;
  switch (op.kind) {
    case "zone":
      return `zone:${after?.name}`;
    case "customRole":
    case "resourceSet":
      return `${op.kind}:${after?.label}`;
    case "app":
      return `app:${op.integration}`;
    case "token":
      return `token:${op.integration}`;
    case "loginGroup":
      return "loginGroup";
    default:
      return undefined;
  }
}

/** An error worth retrying: the server failed or the connection did. */
export function isTransient(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status !== "number" || status >= 500 || status === 429;
}

export async function apply(
  plan: Plan,
  port: OktaPort,
  options: ApplyOptions,
): Promise<ApplyReport> {
  const { refs } = options;
  const attempts = options.attempts ?? 3;
  const ops = plan.operations.filter((o) => o.action !== "conflict");
  const outcomes = new Map<string, OpOutcome>();
  const groups = new Map<string, Operation[]>();
  for (const o of ops) groups.set(o.integration, [...(groups.get(o.integration) ?? []), o]);
  let finished = 0;
  const record = (o: OpOutcome) => {
    outcomes.set(o.op.id, o);
    options.onProgress?.(++finished, ops.length);
  };

  const runOne = async (op: Operation): Promise<void> => {
    const blocker = op.dependsOn.find((d) => outcomes.get(d)?.status !== "done" && outcomes.has(d));
    if (blocker) return record({ op, status: "skipped", detail: `${blocker} did not succeed` });
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const id = await port.execute(op, refs);
        remember(op, id, refs);
        return record({ op, status: "done" });
      } catch (error) {
        lastError = error;
        if (!isTransient(error)) break;
        if (op.action === "create") {
          const found = await port.findCreated(op, refs).catch(() => undefined);
          if (found) {
            remember(op, found, refs);
            return record({ op, status: "done", detail: "found after a failed answer" });
          }
        }
      }
    }
    record({ op, status: "failed", detail: messageOf(lastError) });
  };

  // Groups that others depend on (the shared interactive-login block) go first, one by one.
  const dependedOn = new Set(
    ops.flatMap((o) =>
      o.dependsOn.filter((d) => ops.find((x) => x.id === d)?.integration !== o.integration),
    ),
  );
  const firstGroups = [...groups.values()].filter((g) => g.some((o) => dependedOn.has(o.id)));
  for (const group of firstGroups) for (const op of group) await runOne(op);
  const queue = [...groups.values()].filter((g) => !firstGroups.includes(g));
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const op of group) await runOne(op);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));

  const list = ops.map((o) => outcomes.get(o.id)!);
  return {
    outcomes: list,
    done: list.filter((o) => o.status === "done").length,
    failed: list.filter((o) => o.status === "failed").length,
    skipped: list.filter((o) => o.status === "skipped").length,
  };
}

function remember(op: Operation, id: string | undefined, refs: Refs): void {
  const key = refKey(op);
  if (!key) return;
  if (op.action === "delete") refs.delete(key);
  else if (id ?? op.target?.id) refs.set(key, (id ?? op.target?.id)!);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
