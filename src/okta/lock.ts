// One apply at a time per org. Against Okta the lock is an object in Okta itself (an inactive
// network zone with a reserved name: creating it is atomic, because zone names are unique), so it
// holds across machines; against the local org, which each CLI run serves in-process from the same
// folder, it is a file created exclusively. Both detect a stale lock: a file whose process is gone,
// or a lock zone whose lease was not renewed.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import type { OktaAdapter } from "./adapter.js";
import { canonicalGateway } from "../reconcile/normalise.js";

export interface Lock {
  /** Takes the lock or throws an Error that says who holds it. */
  acquire(): Promise<void>;
  release(): Promise<void>;
  /** Set when acquiring removed a stale lock: what it said. */
  readonly staleRemoved?: string;
  /** True once a held lock may no longer be ours (a lease that could not be renewed): writes
   * made under it must stop, another run may hold it by now. */
  readonly lost?: boolean;
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
  lastUpdated: z.string().optional(),
  gateways: z.array(z.looseObject({ value: z.string() })).nullish(),
});

/** The lock zone of one holder: its only gateway, an address of the IPv6 documentation range
 * (RFC 3849) made of random bits, says whose lock it is, so that a create whose answer was lost
 * can be recognised as ours. The zone is inactive and never assigned. */
function lockBody(token: string) {
  return {
    type: "IP",
    name: LOCK_ZONE,
    status: "INACTIVE",
    gateways: [{ type: "CIDR", value: `${token}/128` }],
  };
}

function newToken(): string {
  const hex = randomBytes(12).toString("hex");
  return `2001:db8:${hex.match(/.{4}/g)!.join(":")}`;
}

/**
 * A lease: the holder renews the zone (a PUT, which moves its lastUpdated) every third of the
 * lease; a lock zone not renewed for a whole lease belongs to a run that died and is taken over.
 */
export class OktaLock implements Lock {
  staleRemoved?: string;
  private id?: string;
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly okta: OktaAdapter,
    private readonly leaseMs = 60_000,
  ) {}

  async acquire(): Promise<void> {
    const token = newToken();
    const body = lockBody(token);
    const hold = (id: string) => {
      this.id = id;
      this.timer = setInterval(() => {
        this.okta.call("PUT", `/api/v1/zones/${id}`, body).catch(() => undefined);
      }, this.leaseMs / 3);
      this.timer.unref();
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      let transient = false;
      try {
        const { json } = await this.okta.call<unknown>("POST", "/api/v1/zones", body);
        return hold(LockZone.parse(json).id);
      } catch (error) {
        const status = (error as { status?: number }).status;
        transient = typeof status !== "number" || status >= 500;
        if (status !== 400 && !transient) throw error;
      }
      const held = (await this.okta.listZones(LockZone)).find((z) => z.name === LOCK_ZONE);
      if (!held) continue;
      const mine = canonicalGateway(`${token}/128`);
      if (held.gateways?.some((g) => canonicalGateway(g.value) === mine)) return hold(held.id);
      if (transient) continue;
      const renewed = held.lastUpdated ?? held.created;
      const age = renewed ? Date.now() - Date.parse(renewed) : 0;
      if (age < this.leaseMs)
        throw new LockHeldError(
          `another apply holds the lock (network zone ${LOCK_ZONE}, ${held.id}, since ${held.created}, renewed ${renewed})`,
        );
      this.staleRemoved = `lock zone ${held.id} since ${held.created}, last renewed ${renewed}`;
      await this.okta.call("DELETE", `/api/v1/zones/${held.id}`).catch(() => undefined);
    }
    throw new LockHeldError(`could not take the lock zone ${LOCK_ZONE}`);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    if (!this.id) return;
    const id = this.id;
    this.id = undefined;
    await this.okta.call("DELETE", `/api/v1/zones/${id}`).catch(() => undefined);
  }
}
