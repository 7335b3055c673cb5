// The local org as the product opens it (the `local-org` command, and the org that plan, apply,
// drift and import use when no OKTA_* settings are set), as opposed to the bare in-process API that
// tests start: callers are seen at a public egress address, as Okta would see them.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { LocalOrgCredentials } from "./index.js";
import { startLocalOrg } from "./index.js";
import { isIpAddress } from "./network.js";
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
  close(): Promise<void>;
}

/**
 * The product's local org kept in `dataDir`, for the CLI's reconcile commands: a new one is seeded
 * from the repository at `cwd`.
 */
export async function openLocalOrg(options: {
  dataDir: string;
  env: Env;
  cwd: string;
}): Promise<OpenedLocalOrg> {
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
