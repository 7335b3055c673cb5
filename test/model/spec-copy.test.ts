// The tests read Okta's spec from spec/okta, committed so that a fresh clone has it. It must stay
// an unchanged copy of the source it was taken from (../shared/okta), checked when that is there.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { OKTA_SPEC_DIR, SHARED_OKTA_DIR } from "../support/okta-spec.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const FILES = ["management.yaml", "oauth.yaml"];

describe("Okta's spec, committed in spec/okta", () => {
  it("is inside the repository, with its licence notice", () => {
    expect(path.relative(root, OKTA_SPEC_DIR)).toBe(path.join("spec", "okta"));
    for (const file of FILES) {
      const text = readFileSync(path.join(OKTA_SPEC_DIR, file), "utf8");
      expect(text, file).toMatch(/license:\s*\n\s*name: Apache-2\.0/);
    }
    expect(readFileSync(path.join(OKTA_SPEC_DIR, "README.md"), "utf8")).toContain(
      "Apache License, Version 2.0",
    );
  });

  it.skipIf(!existsSync(SHARED_OKTA_DIR))(
    `matches ${SHARED_OKTA_DIR} byte for byte (skipped when that folder is absent: a fresh clone)`,
    () => {
      for (const file of FILES) {
        const committed = readFileSync(path.join(OKTA_SPEC_DIR, file));
        const source = readFileSync(path.join(SHARED_OKTA_DIR, file));
        expect(committed.equals(source), `spec/okta/${file} is stale: npm run spec`).toBe(true);
      }
    },
  );
});
