// Fault injection is seeded and repeatable: the same seed and the same requests give the same
// faults, which is what lets reliability tests replay a failure.
import { afterEach, describe, expect, it } from "vitest";
import { startLocalOrg, type FaultOptions, type LocalOrg } from "../../src/local-org/index.js";

const orgs: LocalOrg[] = [];
afterEach(async () => {
  await Promise.all(orgs.splice(0).map((o) => o.close()));
});

async function start(faults: FaultOptions) {
  const org = await startLocalOrg({ faults, rateLimits: { perMinute: 100_000 } });
  orgs.push(org);
  return org;
}

async function call(
  org: LocalOrg,
  method: string,
  path: string,
  body?: unknown,
): Promise<number | "dropped"> {
  try {
    const res = await fetch(`${org.url}${path}`, {
      method,
      headers: {
        Authorization: `SSWS ${org.credentials.sswsToken}`,
        "Content-Type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.text();
    return res.status;
  } catch {
    return "dropped";
  }
}

async function sequence(org: LocalOrg, n: number) {
  const out: (number | "dropped")[] = [];
  for (let i = 0; i < n; i++) out.push(await call(org, "GET", "/api/v1/zones"));
  return out;
}

describe("fault injection", () => {
  it("repeats the same faults for the same seed, and other faults for another seed", async () => {
    const faults = { seed: 42, errorRate: 0.3, dropRate: 0.1 };
    const a = await sequence(await start(faults), 40);
    const b = await sequence(await start(faults), 40);
    const c = await sequence(await start({ ...faults, seed: 7 }), 40);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(a.filter((s) => s === "dropped").length).toBeGreaterThan(0);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(0);
  });

  it("answers injected errors in Okta's shape and counts them", async () => {
    const org = await start({ seed: 1, errorRate: 1 });
    const res = await fetch(`${org.url}/api/v1/zones`, {
      headers: { Authorization: `SSWS ${org.credentials.sswsToken}` },
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ errorCode: "E0000009" });
    expect(org.counters()["GET /api/v1/zones"]).toMatchObject({ calls: 1, errors: 1 });
  });

  it("limits faults to writes when asked, and can fail a write after making it", async () => {
    const org = await start({ seed: 3, errorRate: 1, onlyWrites: true, when: "after" });
    expect(await call(org, "GET", "/api/v1/zones")).toBe(200);
    const zone = {
      type: "IP",
      name: "written-anyway",
      gateways: [{ type: "CIDR", value: "203.0.113.0/24" }],
    };
    expect(await call(org, "POST", "/api/v1/zones", zone)).toBe(500);
    // The client saw a failure, yet the zone exists: a retry must not create a duplicate.
    expect(Object.values(org.state.zones).map((z) => z.name)).toEqual(["written-anyway"]);
  });

  it("changes at run time and can be switched off", async () => {
    const org = await start({});
    expect(await call(org, "GET", "/api/v1/zones")).toBe(200);
    org.setFaults({ seed: 9, dropRate: 1 });
    expect(await call(org, "GET", "/api/v1/zones")).toBe("dropped");
    org.setFaults({});
    expect(await call(org, "GET", "/api/v1/zones")).toBe(200);
  });

  it("delivers a slow body whole", async () => {
    const org = await start({ slowBodyMs: 50 });
    const res = await fetch(`${org.url}/api/v1/apps`, {
      headers: { Authorization: `SSWS ${org.credentials.sswsToken}` },
    });
    const apps = (await res.json()) as { id: string }[];
    expect(apps.map((a) => a.id)).toEqual([org.credentials.clientId]);
  });
});
