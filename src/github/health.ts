// Readiness: whether this process can do its work now. Each check (Redis, GitHub, Okta, the
// queue) is probed with a bounded wait, and a probe that spends an outside rate limit (GitHub,
// Okta) is answered from a cache for a while, so that a load balancer probing every second does
// not eat into the bot's budget. The answer names each check and, when one fails, why, in words
// that never carry a secret (an error's first line, control characters removed, bounded).
import { z } from "zod";
import { terminalText } from "../render/escape.js";
import type { QueueStats } from "./metrics.js";

export interface Check {
  name: string;
  /** Resolves when the dependency answers; throws (or rejects) saying why it does not. */
  probe(): Promise<void>;
  /** How long an answer (either way) is reused; 0 (default): probed every time. */
  cacheMs?: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed (absent when it passed). */
  reason?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: CheckResult[];
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

/** GitHub and Okta are asked at most this often. */
export const OUTSIDE_CACHE_MS = 30_000;
/** A probe that has not answered in this long has failed. */
export const PROBE_TIMEOUT_MS = 5_000;
export const DEFAULT_QUEUE_STUCK_SECONDS = 900;

export function readiness(
  checks: readonly Check[],
  options: { now?: () => number; timeoutMs?: number } = {},
): Readiness {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const cache = new Map<string, { at: number; result: Promise<CheckResult> }>();

  const probe = async (c: Check): Promise<CheckResult> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        c.probe(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
          timer.unref?.();
        }),
      ]);
      return { name: c.name, ok: true };
    } catch (error) {
      return { name: c.name, ok: false, reason: reasonOf(error) };
    } finally {
      clearTimeout(timer);
    }
  };

  const run = (c: Check): Promise<CheckResult> => {
    const ttl = c.cacheMs ?? 0;
    const hit = cache.get(c.name);
    const t = now();
    // Probes under way are shared: a burst of probes asks GitHub once.
    if (hit && t - hit.at < ttl) return hit.result;
    const result = probe(c);
    if (ttl > 0) cache.set(c.name, { at: t, result });
    return result;
  };

  return {
    async check() {
      const results = await Promise.all(checks.map(run));
      return { ready: results.every((r) => r.ok), checks: results };
    },
  };
}

/** The queue is stuck when its oldest unfinished job (waiting or running) was queued longer than
 * `stuckMs` ago: work that neither runs nor ends. */
export function queueCheck(stats: () => Promise<QueueStats>, stuckMs: number): Check {
  return {
    name: "queue",
    async probe() {
      const s = await stats();
      if (s.oldestAgeMs !== undefined && s.oldestAgeMs >= stuckMs)
        throw new Error(
          `the oldest unfinished job was queued ${Math.round(s.oldestAgeMs / 1000)} s ago (stuck after ${Math.round(stuckMs / 1000)} s; ${s.depth} waiting or running)`,
        );
    },
  };
}

const StuckSeconds = z
  .string()
  .regex(/^[1-9][0-9]{0,6}$/, {
    error: "OKTA_GITOPS_QUEUE_STUCK_SECONDS must be a whole number of seconds (1 or more)",
  })
  .transform(Number);

/** OKTA_GITOPS_QUEUE_STUCK_SECONDS in ms (default 900 s); a bad value throws naming it. */
export function queueStuckMs(env: Record<string, string | undefined>): number {
  const v = env.OKTA_GITOPS_QUEUE_STUCK_SECONDS;
  if (v === undefined || v === "") return DEFAULT_QUEUE_STUCK_SECONDS * 1000;
  const r = StuckSeconds.safeParse(v);
  if (!r.success) throw new Error(r.error.issues[0]!.message);
  return r.data * 1000;
}

/** The report as JSON for /readyz. */
export function readinessBody(report: ReadinessReport): string {
  return JSON.stringify({
    status: report.ready ? "ready" : "not ready",
    checks: Object.fromEntries(
      report.checks.map((c) => [c.name, c.ok ? "ok" : `failed: ${c.reason ?? "unknown"}`]),
    ),
  });
}

/** An error as one short line that carries no secret: its message's first line (Octokit's and
 * Okta's errors name the request and the status, never the credentials), control characters
 * removed, and anything that looks like a bearer token or a key replaced. */
export function reasonOf(error: unknown): string {
  const e = error as { status?: unknown; message?: unknown; code?: unknown };
  let m = typeof e?.message === "string" ? e.message : String(error);
  m = m.split("\n")[0]!;
  m = m.replace(/\b(Bearer|DPoP|SSWS|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]");
  m = m.replace(/[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/g, "[redacted]");
  const status = typeof e?.status === "number" ? `HTTP ${e.status}: ` : "";
  const code = typeof e?.code === "string" && !m.includes(e.code) ? ` (${e.code})` : "";
  return terminalText(`${status}${m}${code}`).slice(0, 300);
}
