// One reader of resource-set members for the policy and the reconciler: what the policy passes is
// exactly what is sent, and every form that could be sent as something else is refused.
import { describe, expect, it } from "vitest";
import { readOktaResource, readResource } from "../../src/model/resource-ref.js";
import { canonicalResource, resourceUrl } from "../../src/reconcile/normalise.js";
import { isOrgWide } from "../../src/policy/resources.js";

const ORG = "https://acme.okta.com";

describe("resources read once, for the policy and the reconciler", () => {
  it.each([
    ["orn:okta:directory:00o1:users:", "empty segment"], // was sent as users
    ["apps/../users", "dot segment"], // was sent as /api/v1/apps/../users, i.e. /api/v1/users
    ["groups/./users", "dot segment"],
    ["groups//users", "empty segment"],
    ["groups/00g1abc/", "empty segment"],
    ["orn:okta:directory:00o1:groups::contained_resources", "empty segment"],
    ["orn:okta:directory:00o1:groups:00g1abc:extra", "not a directory ORN"],
    ["users/00u1abc", "cannot name one object"],
    ["orn:okta:idp:00o1:identity_providers", "does not read"],
  ])("refuses %s (%s), and will not send it", (ref, problem) => {
    const read = readResource(ref);
    expect(read).toEqual({ ok: false, problem: expect.stringContaining(problem) });
    expect(isOrgWide(ref)).toBe(true); // unreadable counts as org-wide: fail closed
    expect(() => resourceUrl(ORG, canonicalResource(ref))).toThrow(/canonical form/);
  });

  it("treats every app of one kind as org-wide (apps/oidc_client covers the bot's own app)", () => {
    for (const ref of ["apps/oidc_client", "orn:okta:idp:00o1:apps:oidc_client", "apps/custom-crm"])
      expect(readResource(ref)).toMatchObject({ ok: true, orgWide: true });
    expect(readResource("apps/0oa1abcdefgh")).toEqual({
      ok: true,
      canonical: "apps/0oa1abcdefgh",
      orgWide: false,
    });
    expect(readResource("orn:okta:idp:00o1:apps:oidc_client:0oa1abcdefgh")).toEqual({
      ok: true,
      canonical: "apps/0oa1abcdefgh",
      orgWide: false,
    });
  });

  it("sends what the policy judged: the canonical form, as the org's REST URL", () => {
    for (const [ref, canonical, orgWide] of [
      ["users", "users", true],
      ["orn:okta:directory:00o1:users", "users", true],
      ["orn:okta:directory:00o1:groups:00g1abc:contained_resources", "groups/00g1abc/users", false],
      ["groups/00g1abc", "groups/00g1abc", false],
    ] as const) {
      expect(readResource(ref)).toEqual({ ok: true, canonical, orgWide });
      expect(canonicalResource(ref)).toBe(canonical);
      expect(resourceUrl(ORG, canonicalResource(ref))).toBe(`${ORG}/api/v1/${canonical}`);
    }
  });

  it("reads Okta's REST URLs strictly; one it cannot read stays as it is (a difference, never a guess)", () => {
    expect(readOktaResource(`${ORG}/api/v1/groups/00g1abc/users`)).toMatchObject({
      canonical: "groups/00g1abc/users",
    });
    for (const url of [
      `${ORG}/api/v1/apps/../users`,
      `${ORG}/api/v1/users/`,
      `${ORG}/api/v1/apps?filter=name+eq+%22oidc_client%22`,
    ])
      expect(canonicalResource(url)).toBe(url);
  });
});
