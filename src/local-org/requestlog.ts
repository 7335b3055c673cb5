// What tests and benchmarks read: a bounded log of exchanges (bodies optional, since they cost
// memory) and counters per operation, keyed by method and the spec's path template.
export interface LogEntry {
  seq: number;
  time: string;
  method: string;
  /** The path with its query string, as requested. */
  url: string;
  /** The spec's path template, or the raw path when no route matched. */
  template: string;
  status: number;
  durationMs: number;
  principal?: string;
  fault?: string;
  requestBody?: unknown;
  responseBody?: unknown;
}

export interface Counter {
  calls: number;
  rateLimited: number;
  errors: number;
}

export interface RequestLogOptions {
  /** Keep request and response bodies in the log (for conformance checks). */
  bodies?: boolean;
  /** Entries kept; the oldest are dropped first. */
  max?: number;
}

export class RequestLog {
  private entries: LogEntry[] = [];
  private counters = new Map<string, Counter>();
  private seq = 0;
  constructor(public options: RequestLogOptions = {}) {}

  get keepBodies(): boolean {
    return this.options.bodies ?? false;
  }

  add(entry: Omit<LogEntry, "seq">): void {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    const max = this.options.max ?? 10_000;
    if (this.entries.length > max) this.entries.splice(0, this.entries.length - max);
    const key = `${entry.method} ${entry.template}`;
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = { calls: 0, rateLimited: 0, errors: 0 }));
    c.calls++;
    if (entry.status === 429) c.rateLimited++;
    if (entry.status >= 500) c.errors++;
  }

  list(): readonly LogEntry[] {
    return this.entries;
  }

  /** Counters by "METHOD /path/{template}". */
  counts(): Record<string, Counter> {
    return Object.fromEntries([...this.counters].map(([k, v]) => [k, { ...v }]));
  }

  reset(): void {
    this.entries = [];
    this.counters.clear();
  }
}
