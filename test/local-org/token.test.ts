// The token endpoint and the check of API credentials, driven by hand-made assertions and DPoP
// proofs (jose), so that each refusal is caused by exactly one thing being wrong.
import { createHash, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_LOCAL_EGRESS_ADDRESS,
  ManualClock,
  startLocalOrg,
  type LocalOrg,
} from "../../src/local-org/index.js";
import { callerAddress } from "../../src/local-org/network.js";
import { privateKeyClient } from "../support/okta-sdk.js";

/** The public address this org sees the tests at (the product's default, as the CLI uses). */
const EGRESS = DEFAULT_LOCAL_EGRESS_ADDRESS;
let org: LocalOrg;
let clock: ManualClock;
let botKey: CryptoKey;
let dpopKey: { privateKey: CryptoKey; jwk: JWK };

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  org = await startLocalOrg({ clock, rateLimits: { perMinute: 10_000 }, egressAddress: EGRESS });
  botKey = (await importJWK(org.credentials.privateKeyJwk, "RS256")) as CryptoKey;
  const pair = await generateKeyPair("RS256", { extractable: true });
  dpopKey = { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
});
afterAll(async () => {
  await org?.close();
});

const nowS = () => Math.floor(clock.now() / 1000);
const tokenUrl = () => `${org.url}/oauth2/v1/token`;

async function assertion(opts: { key?: CryptoKey; aud?: string; exp?: number; jti?: string } = {}) {
  const id = org.credentials.clientId;
  return new SignJWT({ aud: opts.aud ?? tokenUrl(), jti: opts.jti ?? randomUUID() })
    .setProtectedHeader({ alg: "RS256", kid: org.credentials.keyId })
    .setIssuer(id)
    .setSubject(id)
    .setIssuedAt(nowS())
    .setExpirationTime(opts.exp ?? nowS() + 300)
    .sign(opts.key ?? botKey);
}

async function proof(
  htm: string,
  htu: string,
  extra: { nonce?: string; ath?: string; jti?: string } = {},
) {
  return new SignJWT({
    htm,
    htu,
    jti: extra.jti ?? randomUUID(),
    ...(extra.nonce ? { nonce: extra.nonce } : {}),
    ...(extra.ath ? { ath: extra.ath } : {}),
  })
    .setProtectedHeader({ alg: "RS256", typ: "dpop+jwt", jwk: dpopKey.jwk })
    .setIssuedAt(nowS())
    .sign(dpopKey.privateKey);
}

async function tokenRequest(clientAssertion: string, dpop?: string, scope = "okta.apps.read") {
  const res = await fetch(tokenUrl(), {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(dpop ? { DPoP: dpop } : {}),
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      scope,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: clientAssertion,
    }),
  });
  return {
    status: res.status,
    nonce: res.headers.get("dpop-nonce"),
    body: (await res.json()) as Record<string, string>,
  };
}

/** The nonce challenge, then a token: what a DPoP client does. */
async function dpopToken(scope?: string): Promise<string> {
  const challenge = await tokenRequest(await assertion(), await proof("POST", tokenUrl()), scope);
  const res = await tokenRequest(
    await assertion(),
    await proof("POST", tokenUrl(), { nonce: challenge.nonce ?? "" }),
    scope,
  );
  expect(res.status).toBe(200);
  return res.body.access_token ?? "";
}

const ath = (token: string) => createHash("sha256").update(token).digest("base64url");

async function api(path: string, authorization: string, dpop?: string) {
  const res = await fetch(`${org.url}${path}`, {
    headers: { Authorization: authorization, ...(dpop ? { DPoP: dpop } : {}) },
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
}

describe("POST /oauth2/v1/token", () => {
  it("answers a DPoP proof without a nonce with use_dpop_nonce and a DPoP-Nonce header", async () => {
    const res = await tokenRequest(await assertion(), await proof("POST", tokenUrl()));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("use_dpop_nonce");
    expect(res.nonce).toBeTruthy();
  });

  it("issues a DPoP-bound token carrying only the requested, granted scopes", async () => {
    const challenge = await tokenRequest(await assertion(), await proof("POST", tokenUrl()));
    const res = await tokenRequest(
      await assertion(),
      await proof("POST", tokenUrl(), { nonce: challenge.nonce ?? "" }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "DPoP", scope: "okta.apps.read" });
  });

  it("refuses a scope that is not granted to the app", async () => {
    const challenge = await tokenRequest(await assertion(), await proof("POST", tokenUrl()));
    const res = await tokenRequest(
      await assertion(),
      await proof("POST", tokenUrl(), { nonce: challenge.nonce ?? "" }),
      "okta.apps.read okta.logs.read",
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_scope");
  });

  it("refuses an assertion signed with a key that is not registered", async () => {
    const other = await generateKeyPair("RS256");
    const res = await tokenRequest(
      await assertion({ key: other.privateKey }),
      await proof("POST", tokenUrl()),
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_client");
  });

  it("refuses an expired assertion", async () => {
    const res = await tokenRequest(
      await assertion({ exp: nowS() - 10 }),
      await proof("POST", tokenUrl()),
    );
    expect(res.status).toBe(401);
    expect(res.body.error_description).toMatch(/expired/);
  });

  it("refuses an assertion for another audience", async () => {
    const res = await tokenRequest(
      await assertion({ aud: "https://example.okta.com/oauth2/v1/token" }),
      await proof("POST", tokenUrl()),
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_client");
  });

  it("refuses a reused assertion", async () => {
    const challenge = await tokenRequest(await assertion(), await proof("POST", tokenUrl()));
    const once = await assertion();
    const first = await tokenRequest(
      once,
      await proof("POST", tokenUrl(), { nonce: challenge.nonce ?? "" }),
    );
    expect(first.status).toBe(200);
    const again = await tokenRequest(
      once,
      await proof("POST", tokenUrl(), { nonce: challenge.nonce ?? "" }),
    );
    expect(again.status).toBe(401);
    expect(again.body.error_description).toMatch(/already been used/);
  });

  it("refuses a reused DPoP proof", async () => {
    const challenge = await tokenRequest(await assertion(), await proof("POST", tokenUrl()));
    const p = await proof("POST", tokenUrl(), { nonce: challenge.nonce ?? "" });
    expect((await tokenRequest(await assertion(), p)).status).toBe(200);
    const again = await tokenRequest(await assertion(), p);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_dpop_proof");
  });

  it("refuses a DPoP-bound app's request without a proof", async () => {
    const res = await tokenRequest(await assertion());
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_dpop_proof");
  });
});

describe("API calls with a DPoP-bound access token", () => {
  it("accepts a fresh proof bound to the token and refuses its replay", async () => {
    const token = await dpopToken();
    const p = await proof("GET", `${org.url}/api/v1/apps`, { ath: ath(token) });
    expect((await api("/api/v1/apps", `DPoP ${token}`, p)).status).toBe(200);
    const replay = await api("/api/v1/apps", `DPoP ${token}`, p);
    expect(replay.status).toBe(401);
    expect(replay.body.errorCode).toBe("E0000011");
  });

  it("refuses a proof for another token (ath), method (htm) or URL (htu)", async () => {
    const token = await dpopToken();
    const wrongAth = await proof("GET", `${org.url}/api/v1/apps`, { ath: ath("another-token") });
    expect((await api("/api/v1/apps", `DPoP ${token}`, wrongAth)).status).toBe(401);
    const wrongHtm = await proof("POST", `${org.url}/api/v1/apps`, { ath: ath(token) });
    expect((await api("/api/v1/apps", `DPoP ${token}`, wrongHtm)).status).toBe(401);
    const wrongHtu = await proof("GET", `${org.url}/api/v1/zones`, { ath: ath(token) });
    expect((await api("/api/v1/apps", `DPoP ${token}`, wrongHtu)).status).toBe(401);
  });

  it("refuses the token presented as a plain Bearer token", async () => {
    const token = await dpopToken();
    const res = await api("/api/v1/apps", `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe("E0000011");
  });

  it("answers an operation outside the token's scopes with E0000006", async () => {
    const token = await dpopToken("okta.apps.read");
    const res = await api(
      "/api/v1/zones",
      `DPoP ${token}`,
      await proof("GET", `${org.url}/api/v1/zones`, { ath: ath(token) }),
    );
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe("E0000006");
    expect(res.headers.get("www-authenticate")).toContain("insufficient_scope");
  });

  it("expires the token after an hour of the org's clock", async () => {
    const token = await dpopToken();
    clock.advance(3601_000);
    const res = await api(
      "/api/v1/apps",
      `DPoP ${token}`,
      await proof("GET", `${org.url}/api/v1/apps`, { ath: ath(token) }),
    );
    expect(res.status).toBe(401);
  });
});

/** Gives a user an admin role, as a super admin does (the org's test admin is one). */
async function assignUserRole(userId: string, type: string) {
  const res = await fetch(`${org.url}/api/v1/users/${userId}/roles`, {
    method: "POST",
    headers: {
      Authorization: `SSWS ${org.credentials.sswsToken}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify({ type }),
  });
  expect(res.status).toBe(201);
}

describe("SSWS tokens", () => {
  it("authenticate an API call, and a revoked or unknown token does not", async () => {
    const ok = await api("/api/v1/apps", `SSWS ${org.credentials.sswsToken}`);
    expect(ok.status).toBe(200);
    expect((await api("/api/v1/apps", "SSWS 00not-a-token")).body.errorCode).toBe("E0000011");
    const user = org.seed.user({ login: "svc-revoke@example.com" });
    const t = org.seed.apiToken({ name: "revoke-me", userId: user.id });
    // The token authenticates, but acts with its user's admin roles: none yet.
    const roleless = await api("/api/v1/apps", `SSWS ${t.token}`);
    expect([roleless.status, roleless.body.errorCode]).toEqual([403, "E0000006"]);
    await assignUserRole(user.id, "READ_ONLY_ADMIN");
    expect((await api("/api/v1/apps", `SSWS ${t.token}`)).status).toBe(200);
    const del = await fetch(`${org.url}/api/v1/api-tokens/${t.id}`, {
      method: "DELETE",
      headers: { Authorization: `SSWS ${org.credentials.sswsToken}` },
    });
    expect(del.status).toBe(204);
    expect((await api("/api/v1/apps", `SSWS ${t.token}`)).status).toBe(401);
  });

  it("refuses a call without credentials with E0000011", async () => {
    const res = await fetch(`${org.url}/api/v1/apps`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe("E0000011");
  });
});

describe("network conditions", () => {
  async function zone(name: string, cidr: string) {
    const res = await fetch(`${org.url}/api/v1/zones`, {
      method: "POST",
      headers: {
        Authorization: `SSWS ${org.credentials.sswsToken}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ type: "IP", name, gateways: [{ type: "CIDR", value: cidr }] }),
    });
    return ((await res.json()) as { id: string }).id;
  }

  async function restrictBot(include: string[]) {
    const res = await fetch(`${org.url}/api/v1/apps/${org.credentials.clientId}`, {
      headers: { Authorization: `SSWS ${org.credentials.sswsToken}` },
    });
    const app = (await res.json()) as { settings: { oauthClient: Record<string, unknown> } };
    app.settings.oauthClient.network = include.length
      ? { connection: "ZONE", include }
      : { connection: "ANYWHERE" };
    const put = await fetch(`${org.url}/api/v1/apps/${org.credentials.clientId}`, {
      method: "PUT",
      headers: {
        Authorization: `SSWS ${org.credentials.sswsToken}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify(app),
    });
    expect(put.status).toBe(200);
  }

  /** A token request through the nonce challenge; its status and OAuth error. */
  async function botTokenFromHere() {
    const challenge = await tokenRequest(await assertion(), await proof("POST", tokenUrl()));
    const res = await tokenRequest(
      await assertion(),
      await proof("POST", tokenUrl(), { nonce: challenge.nonce ?? "" }),
    );
    return { status: res.status, error: res.body.error };
  }

  it("gives an app tokens only from inside its zones, judged at the egress address", async () => {
    const egress = await zone("egress", `${EGRESS}/32`);
    const elsewhere = await zone("elsewhere", "198.51.100.0/24");
    const loopback = await zone("loopback", "127.0.0.0/8");
    try {
      await restrictBot([egress]);
      expect(await botTokenFromHere()).toEqual({ status: 200, error: undefined });
      await restrictBot([elsewhere]);
      expect(await botTokenFromHere()).toEqual({ status: 400, error: "access_denied" });
      // Okta never sees a caller at 127.0.0.1: a loopback zone lets nobody in.
      await restrictBot([loopback]);
      expect(await botTokenFromHere()).toEqual({ status: 400, error: "access_denied" });
    } finally {
      await restrictBot([]);
    }
  });

  it("lets an API token authenticate only from inside its zones, judged at the egress address", async () => {
    const user = org.seed.user({ login: "svc-net@example.com" });
    await assignUserRole(user.id, "READ_ONLY_ADMIN");
    const token = async (name: string, cidr: string) =>
      org.seed.apiToken({
        name,
        userId: user.id,
        network: { connection: "ZONE", include: [await zone(name, cidr)] },
      }).token;
    const inside = await token("inside", `${EGRESS}/32`);
    expect((await api("/api/v1/apps", `SSWS ${inside}`)).status).toBe(200);
    for (const outside of [
      await token("far", "198.51.100.0/24"),
      await token("lo-2", "127.0.0.1/32"),
    ]) {
      const res = await api("/api/v1/apps", `SSWS ${outside}`);
      expect([res.status, res.body.errorCode]).toEqual([403, "E0000006"]);
    }
  });

  it("sees loopback callers (IPv4, IPv6, mapped) at the egress address and others as they are", () => {
    for (const loop of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
      expect(callerAddress(loop, EGRESS)).toBe(EGRESS);
    expect(callerAddress("198.51.100.7", EGRESS)).toBe("198.51.100.7");
    expect(callerAddress("127.0.0.1", undefined)).toBe("127.0.0.1");
  });

  it("refuses an egress address that is not an IP address", async () => {
    for (const bad of ["1.2.3", "example.com", "203.0.113.0/24"])
      await expect(startLocalOrg({ egressAddress: bad })).rejects.toThrow(/not an IP address/);
  });
});

describe("the SDK with a key that the app does not have", () => {
  it("fails with Okta's 401 after the token endpoint refused it (the SDK swallows the token error)", async () => {
    const other = await generateKeyPair("RS256", { extractable: true });
    const wrongKey = {
      ...(await exportJWK(other.privateKey)),
      kid: org.credentials.keyId,
      alg: "RS256",
    };
    const client = privateKeyClient(org, { privateKey: JSON.stringify(wrongKey) });
    const err = await client.applicationApi
      .getApplication({ appId: org.credentials.clientId })
      .then(
        () => undefined,
        (e: { status: number; errorCode?: string }) => e,
      );
    expect(err).toMatchObject({ status: 401, errorCode: "E0000011" });
    const refused = org
      .requests()
      .filter((r) => r.template === "/oauth2/v1/token" && r.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
  });
});
