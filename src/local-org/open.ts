// The local org as the product opens it (the `local-org` command, and the org that plan, apply,
// drift and import use when no OKTA_* settings are set), as opposed to the bare in-process API that
// tests start: callers are seen at a public egress address, as Okta would see them.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CREDENTIALS_FILE } from "./bootstrap.js";
import type { LocalOrgCredentials } from "./org.js";
import { readCredentials, startLocalOrg } from "./org.js";
import { isIpAddress } from "./network.js";
import { runningServer } from "./running.js";
import { parseSeed, SEED_FILE, type LocalOrgSeed } from "./seed.js";

/**
 * The address the local org sees you at: the public (NAT) address it attributes to callers on
 * loopback when it evaluates network zones. The bot's own integration allows exactly this address.
 */
export const DEFAULT_LOCAL_EGRESS_ADDRESS = "203.0.113.200";
export const LOCAL_EGRESS_ENV = "OKTA_GITOPS_LOCAL_EGRESS";

type Env = Record<string, string | undefined>;

/** The egress address from `--egress-address`, else OKTA_GITOPS_LOCAL_EGRESS, else the default. */
export function egressAddressFrom(flag: string | undefined, env: Env): string {
  const fromEnv = env[LOCAL_EGRESS_ENV]?.trim();
  const [value, source] =
    flag !== undefined
      ? [flag.trim(), "--egress-address"]
      : fromEnv
        ? [fromEnv, LOCAL_EGRESS_ENV]
        : [DEFAULT_LOCAL_EGRESS_ADDRESS, "default"];
  if (!isIpAddress(value))
    throw new Error(`${source}: '${value}' is not an IP address (for example 203.0.113.200)`);
  return value;
}

/**
 * The repository's seed file (local-org.seed.yaml in `cwd`), read and validated only when called:
 * startLocalOrg calls it when it creates a new org. Throws SeedFileError on a bad file.
 */
export function repositorySeed(cwd: string): () => LocalOrgSeed | undefined {
  return () => {
    const file = path.join(cwd, SEED_FILE);
    return existsSync(file) ? parseSeed(SEED_FILE, readFileSync(file)) : undefined;
  };
}

export interface OpenedLocalOrg {
  url: string;
  credentials: LocalOrgCredentials;
  /** The address the org sees this process at. */
  egressAddress?: string;
  /** The pid of the `okta-gitops local-org` serving the org, when this process shares its server. */
  servedBy?: number;
  /** Stops the server this process started; leaves a shared one running. */
  close(): Promise<void>;
}

/**
 * The product's local org kept in `dataDir`, for the CLI's reconcile commands: the server of a
 * running `okta-gitops local-org` on that folder when there is one, else one started here for the
 * time of the command (a new org seeded from the repository at `cwd`).
 */
export async function openLocalOrg(options: {
  dataDir: string;
  env: Env;
  cwd: string;
}): Promise<OpenedLocalOrg> {
  const running = await runningServer(options.dataDir);
  const creds = running && (await readCredentials(options.dataDir));
  if (running && creds) {
    return {
      url: running.url,
      credentials: {
        ...creds,
        orgUrl: running.url,
        credentialsPath: path.join(options.dataDir, CREDENTIALS_FILE),
      },
      egressAddress: running.egressAddress,
      servedBy: running.pid,
      close: async () => {},
    };
  }
  const org = await startLocalOrg({
    dataDir: options.dataDir,
    egressAddress: egressAddressFrom(undefined, options.env),
    seed: repositorySeed(options.cwd),
  });
  return {
    url: org.url,
    credentials: org.credentials,
    egressAddress: org.egressAddress,
    close: () => org.close(),
  };
}
