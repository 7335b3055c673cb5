// Rate limits as Okta applies them, observed through the SDK: the X-Rate-Limit-* headers, the 429
// with E0000047 that the SDK's own retry waits out (until X-Rate-Limit-Reset), the principal's
// share, and the concurrency cap. Windows are one second long so that the test stays short.
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, startLocalOrg, type LocalOrg } from "../../src/local-org/index.js";
import { privateKeyClient, sswsClient } from "../support/okta-sdk.js";

let org: LocalOrg | undefined;
// Windows follow a manual clock, so that no test depends on where a real second or minute ends.
let clock: ManualClock;
const start = (options: Parameters<typeof startLocalOrg>[0]) => {
  clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000 + 5_000);
  return startLocalOrg({ clock, ...options });
};
afterEach(async () => {
  await org?.close();
  org = undefined;
});

async function zonesCall(o: LocalOrg, token = o.credentials.sswsToken) {
  const res = await fetch(`${o.url}/api/v1/zones`, { headers: { Authorization: `SSWS ${token}` } });
  await res.text();
  return res;
}

describe("rate limits", () => {
  it("puts X-Rate-Limit-Limit/Remaining/Reset on every answer, errors included", async () => {
    org = await start({ rateLimits: { perMinute: { zones: 10 } } });
    const first = await zonesCall(org);
    expect(first.headers.get("x-rate-limit-limit")).toBe("5"); // the default 50% share of 10
    expect(first.headers.get("x-rate-limit-remaining")).toBe("4");
    expect(Number(first.headers.get("x-rate-limit-reset"))).toBe(
      (clock.now() - 5_000 + 60_000) / 1000,
    );
    const denied = await fetch(`${org.url}/api/v1/zones/nzo-missing`, {
      headers: { Authorization: `SSWS ${org.credentials.sswsToken}` },
    });
    expect(denied.status).toBe(404);
    expect(denied.headers.get("x-rate-limit-remaining")).toBe("3");
  });

  it("answers 429 E0000047 past the limit, and the SDK's own retry waits for the reset and succeeds", async () => {
    org = await start({ rateLimits: { perMinute: { zones: 2 }, windowMs: 1000 } });
    const client = sswsClient(org); // default executor: up to 2 retries, delay from X-Rate-Limit-Reset
    const backoffs: number[] = [];
    client.requestExecutor.on(
      "backoff",
      (_req: unknown, _res: unknown, _id: unknown, delayMs: number) => {
        backoffs.push(delayMs);
        clock.advance(1000); // the window that the SDK waits out has passed
      },
    );
    for (let i = 0; i < 2; i++) {
      const zones = await client.networkZoneApi.listNetworkZones({});
      for await (const _ of zones) void _;
    }
    const counters = org.counters()["GET /api/v1/zones"];
    expect(counters?.rateLimited).toBe(1);
    expect(counters?.calls).toBe(2 + (counters?.rateLimited ?? 0));
    expect(backoffs.length).toBe(counters?.rateLimited);
    // The SDK waits until X-Rate-Limit-Reset (from Date, one window ahead) plus its own second.
    expect(backoffs).toEqual(backoffs.map(() => 2000));
    const limited = org.requests().find((r) => r.status === 429);
    expect(limited?.template).toBe("/api/v1/zones");
  });

  it("surfaces the 429 and its body at once with maxRetries 0 (PrivateKey mode, where a retry would reuse the DPoP proof)", async () => {
    org = await start({ rateLimits: { perMinute: { apps: 2 }, windowMs: 60_000 } });
    const client = privateKeyClient(org, { maxRetries: 0 });
    await client.applicationApi.getApplication({ appId: org.credentials.clientId });
    const err = await client.applicationApi
      .getApplication({ appId: org.credentials.clientId })
      .then(
        () => undefined,
        (e: { status: number; errorCode: string; headers: { get(n: string): string | null } }) => e,
      );
    expect(err?.status).toBe(429);
    expect(err?.errorCode).toBe("E0000047");
    expect(err?.headers.get("x-rate-limit-remaining")).toBe("0");
  });

  it("refuses the SDK's 429 retry in PrivateKey mode as Okta does: it reuses the DPoP proof", async () => {
    org = await start({ rateLimits: { perMinute: { apps: 2 }, windowMs: 1000 } });
    const client = privateKeyClient(org); // default executor: retries a 429 with the same request
    client.requestExecutor.on("backoff", () => clock.advance(1000));
    await client.applicationApi.getApplication({ appId: org.credentials.clientId });
    await client.applicationApi.getApplication({ appId: org.credentials.clientId });
    const statuses = org
      .requests()
      .filter((r) => r.template === "/api/v1/apps/{appId}")
      .map((r) => r.status);
    // A 429, then the replayed proof refused (401); the SDK then fetches a new token and succeeds.
    const i = statuses.indexOf(429);
    expect(i).toBeGreaterThan(0);
    expect(statuses[i + 1]).toBe(401);
    expect(statuses[statuses.length - 1]).toBe(200);
  });

  it("applies the principal's percentage from its principal rate limit", async () => {
    org = await startLocalOrg({
      rateLimits: { perMinute: { zones: 20, principalRateLimits: 100 } },
    });
    expect((await zonesCall(org)).headers.get("x-rate-limit-limit")).toBe("10");
    const create = await fetch(`${org.url}/api/v1/principal-rate-limits`, {
      method: "POST",
      headers: {
        Authorization: `SSWS ${org.credentials.sswsToken}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        principalId: org.credentials.sswsTokenId,
        principalType: "SSWS_TOKEN",
        defaultPercentage: 25,
      }),
    });
    expect(create.status).toBe(201);
    expect((await zonesCall(org)).headers.get("x-rate-limit-limit")).toBe("5");
  });

  it("refuses requests beyond the concurrency limit with a 429", async () => {
    // Every request is held 150 ms (injected latency) so that the five overlap.
    org = await start({ rateLimits: { concurrency: 2 }, faults: { latencyMs: 150 } });
    const o = org;
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => zonesCall(o).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
  });

  it("follows the org's clock: Date, X-Rate-Limit-Reset and a new window", async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1, 12, 0, 30));
    org = await startLocalOrg({
      clock,
      rateLimits: { perMinute: { zones: 2 }, defaultPercentage: 100 },
    });
    const first = await zonesCall(org);
    expect(first.headers.get("date")).toBe("Tue, 01 Jan 2030 12:00:30 GMT");
    expect(first.headers.get("x-rate-limit-reset")).toBe(
      String(Date.UTC(2030, 0, 1, 12, 1, 0) / 1000),
    );
    expect((await zonesCall(org)).status).toBe(200);
    expect((await zonesCall(org)).status).toBe(429);
    clock.advance(30_000);
    expect((await zonesCall(org)).status).toBe(200);
  });

  it("takes new limits at run time", async () => {
    org = await start({ rateLimits: { perMinute: 1000 } });
    expect((await zonesCall(org)).headers.get("x-rate-limit-limit")).toBe("500");
    org.setRateLimits({ perMinute: 2, defaultPercentage: 100 });
    expect((await zonesCall(org)).status).toBe(200);
    expect((await zonesCall(org)).status).toBe(200);
    expect((await zonesCall(org)).status).toBe(429);
  });
});
