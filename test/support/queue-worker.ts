// A replica's worker in its own process, for the tests that kill one (SIGKILL): it takes work from
// the durable queue at REDIS_URL/OKTA_GITOPS_REDIS_PREFIX, says on stdout which item it started,
// and never finishes it (it is killed in the middle).
import { durableWorkQueue } from "../../src/github/work/durable-queue.js";

const q = durableWorkQueue({
  settings: { url: process.env.REDIS_URL!, prefix: process.env.OKTA_GITOPS_REDIS_PREFIX! },
  lockDurationMs: Number(process.env.LOCK_MS ?? 1000),
  stalledIntervalMs: Number(process.env.STALLED_MS ?? 500),
  laneLeaseMs: Number(process.env.LEASE_MS ?? 3000),
  retryDelayMs: 50,
});
q.start(async (item) => {
  process.stdout.write(`started ${item.delivery ?? item.key}\n`);
  await new Promise(() => {});
});
process.stdout.write("ready\n");
