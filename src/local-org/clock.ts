// The local org reads time only through a Clock, so tests and benchmarks can move it (rate-limit
// windows, token expiry) without waiting.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.now()) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, ".000Z");
}
