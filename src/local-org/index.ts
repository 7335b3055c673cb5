// The in-process API of the local Okta org: start one (in memory, or file-backed in a data folder),
// read its URL, credentials, request log and counters, seed it, change its faults and rate limits,
// and close it. It binds 127.0.0.1 only. Modules of this folder import org.ts, never this file.
export {
  readCredentials,
  startLocalOrg,
  type LocalOrg,
  type LocalOrgCredentials,
  type LocalOrgOptions,
} from "./org.js";
export { ManualClock, systemClock, type Clock } from "./clock.js";
export type { FaultOptions } from "./faults.js";
export type { RateLimitOptions, Family } from "./ratelimit.js";
export type { LogEntry, Counter, RequestLogOptions } from "./requestlog.js";
export type { Credentials } from "./bootstrap.js";
export type { OrgState } from "./store.js";
export { LocalOrgSeed, parseSeed, SEED_FILE, SeedFileError, type SeededApiToken } from "./seed.js";
export { BOT_ROLE, BOT_SCOPES } from "./bootstrap.js";
export { rolesOf, rolesOfUser, type HeldRole } from "./authz.js";
export {
  DEFAULT_LOCAL_EGRESS_ADDRESS,
  LOCAL_EGRESS_ENV,
  egressAddressFrom,
  openLocalOrg,
  repositorySeed,
  type OpenedLocalOrg,
} from "./open.js";
export {
  RUNNING_FILE,
  removeRunningFile,
  runningServer,
  writeRunningFile,
  type RunningServer,
} from "./running.js";
