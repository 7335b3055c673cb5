// The local org as the product opens it (the `local-org` command and the implicit org of plan,
// apply, drift and import): the egress address it sees you at, the seed file of a new org, and a
// running `okta-gitops local-org` that the CLI shares instead of starting a second server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEFAULT_LOCAL_EGRESS_ADDRESS,
  egressAddressFrom,
  openLocalOrg,
} from "../../src/local-org/index.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "local-org-open-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the egress address", () => {
  it("is the flag, else OKTA_GITOPS_LOCAL_EGRESS, else 203.0.113.200", () => {
    expect(DEFAULT_LOCAL_EGRESS_ADDRESS).toBe("203.0.113.200");
    expect(egressAddressFrom(undefined, {})).toBe("203.0.113.200");
    expect(egressAddressFrom(undefined, { OKTA_GITOPS_LOCAL_EGRESS: " 198.51.100.9 " })).toBe(
      "198.51.100.9",
    );
    expect(egressAddressFrom("2001:db8::7", { OKTA_GITOPS_LOCAL_EGRESS: "198.51.100.9" })).toBe(
      "2001:db8::7",
    );
    expect(() => egressAddressFrom(undefined, { OKTA_GITOPS_LOCAL_EGRESS: "nat" })).toThrow(
      "OKTA_GITOPS_LOCAL_EGRESS: 'nat' is not an IP address",
    );
  });

  it("is the default for the CLI's implicit org", async () => {
    const org = await openLocalOrg({ dataDir: tempDir(), env: {}, cwd: tempDir() });
    try {
      expect(org.egressAddress).toBe(DEFAULT_LOCAL_EGRESS_ADDRESS);
    } finally {
      await org.close();
    }
  });
});
