// Seeded, repeatable fault injection for reliability tests: the same seed and the same sequence of
// requests give the same faults. A fault is decided per request, before it is handled; a 5xx or a
// dropped connection can happen before the change (nothing written) or after it (written, but the
// client never learns), which is what makes retries dangerous.
export interface FaultOptions {
  seed?: number;
  /** Share (0..1) of requests answered with a 500. */
  errorRate?: number;
  /** Share (0..1) of requests whose connection is dropped without an answer. */
  dropRate?: number;
  /** Delay before every answer. */
  latencyMs?: number;
  /** Delay between the first and the rest of every answer's body. */
  slowBodyMs?: number;
  /** Faults only on writes (POST, PUT, PATCH, DELETE). */
  onlyWrites?: boolean;
  /** When 5xx and drops happen: before the change (default) or after it was made. */
  when?: "before" | "after";
}

export interface Fault {
  kind: "none" | "error" | "drop";
  when: "before" | "after";
  latencyMs: number;
  slowBodyMs: number;
}

/** mulberry32: small, fast and good enough to spread faults evenly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private random: () => number = Math.random;
  private options: FaultOptions = {};

  constructor(options: FaultOptions = {}) {
    this.configure(options);
  }

  configure(options: FaultOptions): void {
    this.options = { ...options };
    this.random = mulberry32(options.seed ?? 1);
  }

  get current(): Readonly<FaultOptions> {
    return this.options;
  }

  decide(method: string): Fault {
    const o = this.options;
    const write = method !== "GET" && method !== "HEAD";
    const none: Fault = { kind: "none", when: "before", latencyMs: 0, slowBodyMs: 0 };
    if (o.onlyWrites && !write) return none;
    // Draw both numbers every time so that one rate does not shift the other's sequence.
    const drop = this.random();
    const error = this.random();
    const kind = drop < (o.dropRate ?? 0) ? "drop" : error < (o.errorRate ?? 0) ? "error" : "none";
    return {
      kind,
      when: o.when ?? "before",
      latencyMs: o.latencyMs ?? 0,
      slowBodyMs: o.slowBodyMs ?? 0,
    };
  }
}
