// One apply at a time per org. Against Okta the lock is an object in Okta itself (an inactive
// network zone with a reserved name: creating it is atomic, because zone names are unique), so it
// holds across machines; against the local org, which each CLI run serves in-process from the same
// folder, it is a file created exclusively. Both detect a stale lock: a file whose process is gone,
// or a lock zone older than the longest apply.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";
import type { OktaAdapter } from "./adapter.js";

export interface Lock {
  /** Takes the lock or throws an Error that says who holds it. */
  acquire(): Promise<void>;
  release(): Promise<void>;
  /** Set when acquiring removed a stale lock: what it said. */
  readonly staleRemoved?: string;
}

export class LockHeldError extends Error {}

const Holder = z.object({ pid: z.number(), host: z.string(), started: z.string() });

export class FileLock implements Lock {
  staleRemoved?: string;
  private held = false;
  constructor(
    readonly file: string,
    private readonly staleMs = 6 * 60 * 60 * 1000,
  ) {}

  async acquire(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const me = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
        writeFileSync(this.file, JSON.stringify(me) + "\n", { flag: "wx", mode: 0o600 });
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = this.read();
      if (holder && !this.isStale(holder))
        throw new LockHeldError(
          `another apply holds the lock ${this.file} (pid ${holder.pid} on ${holder.host} since ${holder.started})`,
        );
      this.staleRemoved = holder
        ? `pid ${holder.pid} on ${holder.host} since ${holder.started}`
        : "unreadable lock file";
      try {
        unlinkSync(this.file);
      } catch {
        /* another process removed it first */
      }
    }
    throw new LockHeldError(`could not take the lock ${this.file}`);
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }

  private read(): z.infer<typeof Holder> | undefined {
    try {
      return Holder.parse(JSON.parse(readFileSync(this.file, "utf8")));
    } catch {
      return undefined;
    }
  }

  private isStale(h: z.infer<typeof Holder>): boolean {
    if (Date.now() - Date.parse(h.started) > this.staleMs) return true;
    if (h.host !== hostname()) return false;
    try {
      process.kill(h.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ESRCH";
    }
  }
}

/** The reserved zone name; no integration can have it (names start with a letter). */
export const LOCK_ZONE = "okta-gitops/.lock";

const LockZone = z.looseObject({
  id: z.string(),
  name: z.string(),
  created: z.string().optional(),
});

export class OktaLock implements Lock {
  staleRemoved?: string;
  private id?: string;
  constructor(
    private readonly okta: OktaAdapter,
    private readonly staleMs = 60 * 60 * 1000,
  ) {}

  async acquire(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const { json } = await this.okta.call<unknown>("POST", "/api/v1/zones", {
          type: "IP",
          name: LOCK_ZONE,
          status: "INACTIVE",
          // TEST-NET-1 (RFC 5737): the zone is never assigned, it only marks the lock.
          gateways: [{ type: "CIDR", value: "192.0.2.0/32" }],
        });
        this.id = LockZone.parse(json).id;
        return;
      } catch (error) {
        if ((error as { status?: number }).status !== 400) throw error;
      }
      const zones = z
        .array(LockZone)
        .parse((await this.okta.call("GET", `/api/v1/zones?limit=200`)).json);
      const held = zones.find((z) => z.name === LOCK_ZONE);
      if (!held) continue;
      const age = held.created ? Date.now() - Date.parse(held.created) : 0;
      if (age < this.staleMs)
        throw new LockHeldError(
          `another apply holds the lock (network zone ${LOCK_ZONE}, ${held.id}, since ${held.created}); delete that zone if no apply is running`,
        );
      this.staleRemoved = `lock zone ${held.id} since ${held.created}`;
      await this.okta.call("DELETE", `/api/v1/zones/${held.id}`).catch(() => undefined);
    }
    throw new LockHeldError(`could not take the lock zone ${LOCK_ZONE}`);
  }

  async release(): Promise<void> {
    if (!this.id) return;
    const id = this.id;
    this.id = undefined;
    await this.okta.call("DELETE", `/api/v1/zones/${id}`).catch(() => undefined);
  }
}
