// Starting a local Okta org (in memory, or file-backed in a data folder): its URL, credentials,
// request log and counters, seeding, faults and rate limits, and closing it. It binds 127.0.0.1
// only. index.ts is the folder's public API.
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { exportJWK, importPKCS8 } from "jose";
import { Auth } from "./auth.js";
import {
  bootstrap,
  CREDENTIALS_FILE,
  KEY_FILE,
  writeCredentialsFile,
  writePrivateKey,
  type Credentials,
} from "./bootstrap.js";
import { isoAt, systemClock, type Clock } from "./clock.js";
import { FaultInjector, type FaultOptions } from "./faults.js";
import { newId } from "./ids.js";
import { isIpAddress } from "./network.js";
import { RateLimiter, type RateLimitOptions } from "./ratelimit.js";
import { RequestLog, type Counter, type LogEntry, type RequestLogOptions } from "./requestlog.js";
import { appFromBody } from "./resources/apps.js";
import { seedApiToken, type SeededToken } from "./resources/api-tokens.js";
import { createGroup, createUser } from "./resources/directory.js";
import { Router } from "./router.js";
import { applySeed, type LocalOrgSeed } from "./seed.js";
import { createOrgServer } from "./server.js";
import {
  emptyState,
  fileStore,
  loadState,
  memoryStore,
  type AppRecord,
  type GroupRecord,
  type OrgState,
  type UserRecord,
} from "./store.js";

export interface LocalOrgOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A folder for org.json, the bot's private key and credentials.json; in memory without one. */
  dataDir?: string;
  clock?: Clock;
  faults?: FaultOptions;
  rateLimits?: RateLimitOptions;
  log?: RequestLogOptions;
  /**
   * The public address the org attributes to callers on loopback when it evaluates network zones
   * (apps' token requests, API tokens), as Okta sees a caller at its NAT address, never at
   * 127.0.0.1. Without one, callers are seen at their socket address. The CLI's default is
   * DEFAULT_LOCAL_EGRESS_ADDRESS.
   */
  egressAddress?: string;
  /** How long a request body may take to arrive before the org answers 408 (10 s by default). */
  bodyTimeoutMs?: number;
  /**
   * Directory objects to create in a new org (never in one read back from its data folder): given,
   * or a function called only when the org is new (so that the seed file is read only then).
   */
  seed?: LocalOrgSeed | (() => LocalOrgSeed | undefined);
}

export interface LocalOrgCredentials extends Credentials {
  orgUrl: string;
  /** credentials.json, for a file-backed org. */
  credentialsPath?: string;
}

export interface LocalOrg {
  /** http://127.0.0.1:PORT, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly dataDir?: string;
  /** The address the org sees callers on loopback at, if any. */
  readonly egressAddress?: string;
  /** What a seed created, when this run created the org from one. */
  readonly seeded?: { groups: number; users: number; apiTokens: number };
  readonly credentials: LocalOrgCredentials;
  /** The live state: tests may read it; writes should go through the API or `seed`. */
  readonly state: OrgState;
  requests(): readonly LogEntry[];
  /** Calls, 429s and 5xx by "METHOD /path/{template}". */
  counters(): Record<string, Counter>;
  resetCounters(): void;
  setFaults(faults: FaultOptions): void;
  setRateLimits(limits: RateLimitOptions): void;
  setLogOptions(options: RequestLogOptions): void;
  seed: {
    user(
      profile: { login: string; email?: string; firstName?: string; lastName?: string },
      groupIds?: string[],
    ): UserRecord;
    group(name: string, description?: string): GroupRecord;
    /** An API token, as an admin creates one in the Admin Console (Okta's API cannot). */
    apiToken(opts: {
      name: string;
      userId: string;
      network?: { connection: string; include?: string[] };
    }): SeededToken;
    /** An app from an API body, written straight into the state (fast, for large fixtures). */
    app(body: unknown): AppRecord;
  };
  /** Writes pending state to disk now (file-backed orgs save on their own shortly after changes). */
  flush(): void;
  close(): Promise<void>;
}

/** The credentials of a file-backed org, from its credentials file and private key. */
export async function readCredentials(dataDir: string): Promise<Credentials | undefined> {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  if (!existsSync(file)) return undefined;
  type OnDisk = Omit<Credentials, "privateKeyPem" | "privateKeyJwk"> & { orgUrl?: string };
  // Older files held the URL of the run that wrote them; this run's port may differ.
  const { orgUrl: _previousUrl, ...onDisk } = JSON.parse(readFileSync(file, "utf8")) as OnDisk;
  const keyPath = onDisk.privateKeyPath ?? path.join(dataDir, KEY_FILE);
  const privateKeyPem = readFileSync(keyPath, "utf8");
  const key = await importPKCS8(privateKeyPem, "RS256", { extractable: true });
  return {
    ...onDisk,
    privateKeyPem,
    privateKeyJwk: { ...(await exportJWK(key)), kid: onDisk.keyId, alg: "RS256" },
  };
}

export async function startLocalOrg(options: LocalOrgOptions = {}): Promise<LocalOrg> {
  const { egressAddress } = options;
  if (egressAddress !== undefined && !isIpAddress(egressAddress))
    throw new Error(`egress address '${egressAddress}' is not an IP address`);
  const clock = options.clock ?? systemClock;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const loaded = dataDir ? loadState(dataDir) : undefined;
  // Read the seed before listening, so that a bad seed file leaves no server behind.
  const seed = loaded
    ? undefined
    : typeof options.seed === "function"
      ? options.seed()
      : options.seed;
  const state = loaded ?? emptyState(newId("00o"));
  const store = dataDir ? fileStore(dataDir, state) : memoryStore(state);

  const log = new RequestLog(options.log);
  const limiter = new RateLimiter(clock, options.rateLimits);
  const faults = new FaultInjector(options.faults);
  const auth = new Auth(() => state, clock);
  let url = "";
  const server = createOrgServer(
    {
      store,
      clock,
      auth,
      limiter,
      faults,
      log,
      router: new Router(),
      egressAddress,
      bodyTimeoutMs: options.bodyTimeoutMs,
    },
    () => url,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  let creds = loaded && dataDir ? await readCredentials(dataDir) : undefined;
  let seededCounts: LocalOrg["seeded"];
  if (!creds) {
    creds = await bootstrap(state, url, clock.now());
    if (seed && !loaded) {
      try {
        const seededApiTokens = applySeed(state, seed, clock);
        seededCounts = {
          groups: seed.groups.length,
          users: seed.users.length,
          apiTokens: seededApiTokens.length,
        };
        if (seededApiTokens.length) creds = { ...creds, seededApiTokens };
      } catch (error) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      }
    }
    if (dataDir) creds = writePrivateKey(dataDir, creds);
    store.changed();
    store.flush();
  }
  const credentials: LocalOrgCredentials = {
    ...creds,
    orgUrl: url,
    ...(dataDir ? { credentialsPath: writeCredentialsFile(dataDir, creds) } : {}),
  };

  const seeded = <T>(fn: () => T): T => {
    const out = fn();
    store.changed();
    return out;
  };

  return {
    url,
    port,
    dataDir,
    egressAddress,
    seeded: seededCounts,
    credentials,
    state,
    requests: () => log.list(),
    counters: () => log.counts(),
    resetCounters: () => log.reset(),
    setFaults: (f) => faults.configure(f),
    setRateLimits: (r) => limiter.configure(r),
    setLogOptions: (o) => (log.options = { ...log.options, ...o }),
    seed: {
      user: (profile, groupIds) =>
        seeded(() =>
          createUser(
            state,
            { profile: { email: profile.login, ...profile }, groupIds },
            isoAt(clock),
            true,
          ),
        ),
      group: (name, description) =>
        seeded(() => createGroup(state, { profile: { name, description } }, isoAt(clock))),
      apiToken: (opts) => seeded(() => seedApiToken(state, clock.now(), opts)),
      app: (body) =>
        seeded(() => {
          const app = appFromBody(state, body, isoAt(clock));
          state.apps[app.id] = app;
          return app;
        }),
    },
    flush: () => store.flush(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.flush();
    },
  };
}
