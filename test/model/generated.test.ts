// The committed generated files must match their sources: Okta's spec for the catalogue, the zod
// schemas for the published JSON Schemas. A stale file fails here, not in a user's editor.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderOktaCatalogue } from "../../scripts/okta-catalogue.js";
import { renderJsonSchemas } from "../../src/model/json-schema.js";
import { OKTA_SCOPES, OKTA_STANDARD_ROLES } from "../../src/okta-facts/catalogue.generated.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("generated files", () => {
  it("the scope catalogue matches Okta's Management API spec", () => {
    const spec = readFileSync(`${root}spec/okta/management.yaml`, "utf8");
    const committed = readFileSync(`${root}src/okta-facts/catalogue.generated.ts`, "utf8");
    expect(committed).toBe(renderOktaCatalogue(spec));
  });

  it("the catalogue holds the scopes and roles the policy relies on", () => {
    for (const scope of ["okta.users.read", "okta.apps.manage", "okta.networkZones.manage"]) {
      expect(OKTA_SCOPES).toHaveProperty([scope]);
    }
    expect(OKTA_STANDARD_ROLES).toContain("READ_ONLY_ADMIN");
    expect(OKTA_STANDARD_ROLES).not.toContain("CUSTOM");
  });

  it("the committed JSON Schemas are generated from the zod schemas", () => {
    for (const [file, text] of Object.entries(renderJsonSchemas())) {
      expect(
        readFileSync(`${root}schemas/${file}`, "utf8"),
        `schemas/${file} is stale: npm run schemas`,
      ).toBe(text);
    }
  });
});
