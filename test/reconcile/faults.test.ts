// Reliability: with the local org answering 10% of requests with a 5xx, dropping connections
// (before or after making the change) and adding latency, repeated applies converge, and then
// Okta holds exactly one of everything (counted by the bot's markers): no duplicate, no orphan.
import { afterEach, describe, expect, it } from "vitest";
import type { LocalOrg } from "../../src/local-org/index.js";
import { runApply } from "../../src/cli/commands/apply.js";
import { runPlan } from "../../src/cli/commands/plan.js";
import { cli, ownedCounts, Repo, startOrg, writeIntegrations } from "./harness.js";

let org: LocalOrg | undefined;
let repo: Repo | undefined;
afterEach(async () => {
  await org?.close();
  repo?.cleanup();
});

describe("apply under faults", () => {
  for (const when of ["before", "after"] as const) {
    it(`converges with no duplicate and no orphan (faults ${when} the change)`, async () => {
      org = await startOrg({
        faults: {
          seed: when === "before" ? 7 : 11,
          errorRate: 0.1,
          dropRate: 0.05,
          latencyMs: 2,
          when,
        },
      });
      repo = new Repo();
      const expected = writeIntegrations(repo, 6, org.seed.group("employees").id);
      const codes: number[] = [];
      for (let run = 0; run < 10 && codes.at(-1) !== 0; run++) {
        codes.push((await cli(runApply, ["--yes"], repo, org)).code);
      }
      expect(codes.at(-1), `exit codes of the runs: ${codes.join(", ")}`).toBe(0);
      // Faults happened and were survived (the first run is not a clean one by luck).
      expect(
        org.requests().filter((r) => r.status === 0 || r.status >= 500).length,
      ).toBeGreaterThan(5);

      org.setFaults({});
      expect(ownedCounts(org)).toEqual(expected);
      const plan = await cli(runPlan, [], repo, org);
      expect(plan.code, plan.out + plan.err).toBe(0);

      // A file removed under faults: everything it owned goes, nothing is left behind.
      org.setFaults({ seed: 3, errorRate: 0.1, dropRate: 0.05, when });
      repo.remove("svc-0");
      const after: number[] = [];
      for (let run = 0; run < 10 && after.at(-1) !== 0; run++)
        after.push((await cli(runApply, ["--yes"], repo, org)).code);
      expect(after.at(-1)).toBe(0);
      org.setFaults({});
      const { "svc-0": _gone, ...rest } = expected;
      expect(ownedCounts(org)).toEqual(rest);
    });
  }
});
