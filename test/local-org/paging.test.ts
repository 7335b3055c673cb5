// Paging as Okta pages: apps through absolute Link rel="next" headers (at most 200 a page), which
// the SDK's collection iterator follows; resource sets through _links.next, which callers follow.
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalOrg, type LocalOrg } from "../../src/local-org/index.js";
import { privateKeyClient, sswsClient } from "../support/okta-sdk.js";

let org: LocalOrg;
const SEEDED = 1050;

beforeAll(async () => {
  org = await startLocalOrg({ rateLimits: { perMinute: 100_000 } });
  const { publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k", alg: "RS256" };
  for (let i = 0; i < SEEDED; i++) {
    org.seed.app({
      name: "oidc_client",
      label: `paged-${String(i).padStart(4, "0")}`,
      signOnMode: "OPENID_CONNECT",
      credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          jwks: { keys: [jwk] },
        },
      },
    });
  }
});
afterAll(async () => {
  await org?.close();
});

describe("paging", () => {
  it("returns all 1,050 apps through the SDK's collection iterator, 200 a page", async () => {
    const client = privateKeyClient(org);
    const ids = new Set<string>();
    let count = 0;
    for await (const app of await client.applicationApi.listApplications({
      filter: 'name eq "oidc_client"',
      limit: 200,
    })) {
      if (app?.id) ids.add(app.id);
      count++;
    }
    expect(count).toBe(SEEDED + 1); // and the bot's own app
    expect(ids.size).toBe(SEEDED + 1);
    const pages = org.requests().filter((r) => r.method === "GET" && r.template === "/api/v1/apps");
    expect(pages.length).toBe(Math.ceil((SEEDED + 1) / 200));
    expect(pages.slice(1).every((p) => p.url.includes("after="))).toBe(true);
  });

  it("answers absolute Link headers that keep the filter and cap limit at 200", async () => {
    const res = await fetch(
      `${org.url}/api/v1/apps?filter=${encodeURIComponent('name eq "oidc_client"')}&limit=500`,
      {
        headers: { Authorization: `SSWS ${org.credentials.sswsToken}` },
      },
    );
    expect(((await res.json()) as unknown[]).length).toBe(200);
    const link = res.headers.get("link") ?? "";
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? "";
    expect(next.startsWith(`${org.url}/api/v1/apps?`)).toBe(true);
    const u = new URL(next);
    expect(u.searchParams.get("filter")).toBe('name eq "oidc_client"');
    expect(u.searchParams.get("after")).toBeTruthy();
  });

  it("finds apps by label prefix with q", async () => {
    const client = sswsClient(org);
    const found: string[] = [];
    for await (const app of await client.applicationApi.listApplications({ q: "paged-104" }))
      found.push(app?.label ?? "");
    expect(found.sort()).toEqual([
      "paged-1040",
      "paged-1041",
      "paged-1042",
      "paged-1043",
      "paged-1044",
      "paged-1045",
      "paged-1046",
      "paged-1047",
      "paged-1048",
      "paged-1049",
    ]);
  });

  it("pages a resource set's 1,000 resources through _links.next and refuses a 1,001st", async () => {
    const client = sswsClient(org);
    const groups = Array.from(
      { length: 1000 },
      (_, i) => `${org.url}/api/v1/groups/00g${String(i).padStart(17, "0")}`,
    );
    const set = await client.resourceSetApi.createResourceSet({
      instance: {
        label: "big",
        description: "many groups",
        resources: groups.slice(0, 500),
      } as never,
    });
    await client.resourceSetApi.addResourceSetResources({
      resourceSetId: set.id ?? "",
      instance: { additions: groups.slice(500) } as never,
    });
    let after: string | undefined;
    const seen: string[] = [];
    let pages = 0;
    do {
      const page = await client.resourceSetApi.listResourceSetResources({
        resourceSetId: set.id ?? "",
        after,
      });
      pages++;
      for (const r of page.resources ?? []) seen.push(r.id ?? "");
      const next = (page._links as { next?: { href?: string } } | undefined)?.next?.href;
      after = next ? (new URL(next).searchParams.get("after") ?? undefined) : undefined;
    } while (after && pages < 50);
    expect(new Set(seen).size).toBe(1000);
    expect(pages).toBe(10);
    const over = await client.resourceSetApi
      .addResourceSetResources({
        resourceSetId: set.id ?? "",
        instance: { additions: [`${org.url}/api/v1/users`] } as never,
      })
      .then(
        () => undefined,
        (e: { status: number; errorCode: string }) => e,
      );
    expect(over).toMatchObject({ status: 400, errorCode: "E0000001" });
  });
});
