// The hand-kept mappings must stay consistent with the generated scope catalogue.
import { describe, expect, it } from "vitest";
import { OKTA_SCOPES, OKTA_STANDARD_ROLES } from "../../src/okta-facts/catalogue.generated.js";
import {
  CUSTOM_ROLE_PERMISSIONS,
  DELEGABLE_SCOPES,
  scopesBackedByPermissions,
} from "../../src/okta-facts/permissions.js";
import { STANDARD_ROLE_SCOPES } from "../../src/okta-facts/standard-roles.js";
import { DEFAULT_CONFIG } from "../../src/model/index.js";

describe("the permission catalogue", () => {
  it("maps permissions only to scopes Okta's spec defines", () => {
    const unknown = Object.values(CUSTOM_ROLE_PERMISSIONS)
      .flatMap((p) => p.scopes)
      .filter((s) => !Object.hasOwn(OKTA_SCOPES, s));
    expect(unknown).toEqual([]);
  });

  it("includes only permissions it knows", () => {
    const unknown = Object.values(CUSTOM_ROLE_PERMISSIONS)
      .flatMap((p) => p.includes ?? [])
      .filter((p) => !Object.hasOwn(CUSTOM_ROLE_PERMISSIONS, p));
    expect(unknown).toEqual([]);
  });

  it("backs read scopes through included permissions", () => {
    expect([...scopesBackedByPermissions(["okta.users.manage"])].sort()).toEqual([
      "okta.users.manage",
      "okta.users.read",
    ]);
  });

  it("cannot confine org-level scopes with a custom role", () => {
    for (const scope of [
      "okta.networkZones.manage",
      "okta.principalRateLimits.manage",
      "okta.roles.manage",
      "okta.logs.read",
    ]) {
      expect(DELEGABLE_SCOPES.has(scope)).toBe(false);
    }
  });
});

describe("the standard-role mapping", () => {
  it("covers every standard role in the spec, with scopes the spec defines", () => {
    expect(Object.keys(STANDARD_ROLE_SCOPES).sort()).toEqual([...OKTA_STANDARD_ROLES].sort());
    const unknown = Object.values(STANDARD_ROLE_SCOPES)
      .flat()
      .filter((s) => !Object.hasOwn(OKTA_SCOPES, s));
    expect(unknown).toEqual([]);
  });

  it("gives READ_ONLY_ADMIN read scopes only", () => {
    expect(STANDARD_ROLE_SCOPES.READ_ONLY_ADMIN.every((s) => s.endsWith(".read"))).toBe(true);
    expect(STANDARD_ROLE_SCOPES.READ_ONLY_ADMIN).toContain("okta.logs.read");
  });

  it("maps every standard role the default configuration allows to some scope", () => {
    for (const role of DEFAULT_CONFIG.policy.roles.allowedStandard) {
      expect(STANDARD_ROLE_SCOPES[role].length).toBeGreaterThan(0);
    }
  });
});
