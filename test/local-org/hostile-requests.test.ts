// The local org under bad requests: each is answered in Okta's error shape, with no stack trace,
// and the org keeps serving everyone else. Raw sockets are used where a client library would not
// send what an attacker sends (a stalled body, a malformed %-escape).
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalOrg, type LocalOrg } from "../../src/local-org/index.js";

let org: LocalOrg | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await org?.close();
  org = undefined;
});

const zones = (o: LocalOrg, init: RequestInit = {}) =>
  fetch(`${o.url}/api/v1/zones`, {
    ...init,
    headers: {
      Authorization: `SSWS ${o.credentials.sswsToken}`,
      "Content-Type": "application/json",
      ...init.headers,
    },
  });

/** Starts a request on a raw socket: headers, and the first bytes of a body that never ends. */
function stalledRequest(o: LocalOrg, path: string, authorization: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(o.port, "127.0.0.1");
    sockets.push(socket);
    let answer = "";
    socket.on("data", (d) => {
      answer += d.toString("utf8");
      resolve(answer);
    });
    socket.on("error", () => resolve(answer));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":`,
    );
  });
}

/** Sends one raw request line (a path a URL library would have re-encoded). */
function rawGet(o: LocalOrg, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(o.port, "127.0.0.1");
    sockets.push(socket);
    let answer = "";
    socket.on("data", (d) => (answer += d.toString("utf8")));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: SSWS ${o.credentials.sswsToken}\r\nConnection: close\r\n\r\n`,
    );
  });
}

describe("hostile requests to the local org", () => {
  it("refuses deeply nested JSON with Okta's 400 E0000003, and keeps serving", async () => {
    org = await startLocalOrg();
    const depth = 100_000;
    const nested = `{"type":"IP","name":"deep","gateways":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const res = await zones(org, { method: "POST", body: nested });
    const body = (await res.json()) as {
      errorCode: string;
      errorCauses: { errorSummary: string }[];
    };
    expect(res.status).toBe(400);
    expect(body.errorCode).toBe("E0000003");
    expect(body.errorCauses[0]?.errorSummary).toMatch(/nests deeper than 64 levels/);
    // A profile nested deep enough to overflow whatever walks it later is refused the same way.
    const app = await fetch(`${org.url}/api/v1/apps`, {
      method: "POST",
      headers: {
        Authorization: `SSWS ${org.credentials.sswsToken}`,
        "Content-Type": "application/json",
      },
      body: `{"name":"oidc_client","label":"deep","profile":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`,
    });
    expect([app.status, ((await app.json()) as { errorCode: string }).errorCode]).toEqual([
      400,
      "E0000003",
    ]);
    expect((await zones(org)).status).toBe(200);
  });

  it("accepts JSON nested as deep as Okta's own bodies", async () => {
    org = await startLocalOrg();
    const res = await zones(org, {
      method: "POST",
      body: JSON.stringify({
        type: "IP",
        name: "shallow",
        gateways: [{ type: "CIDR", value: "203.0.113.0/24" }],
      }),
    });
    expect(res.status).toBe(200);
  });

  it("answers a malformed %-escape in the path with a clean 400 in Okta's shape, no stack trace", async () => {
    org = await startLocalOrg();
    for (const path of ["/api/v1/users/%zz", "/api/v1/zones/%E0%A4%A"]) {
      const answer = await rawGet(org, path);
      expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
      const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as {
        errorCode: string;
        errorSummary: string;
        errorCauses: { errorSummary: string }[];
      };
      expect(body.errorCode).toBe("E0000001");
      expect(body.errorCauses[0]?.errorSummary).toMatch(/malformed %-escape/);
      expect(answer).not.toMatch(/at \w+ \(|URIError/);
    }
    expect((await zones(org)).status).toBe(200);
  });

  it("80 slow unauthenticated bodies hold no slot: an admin is still served, they get 401 at once", async () => {
    org = await startLocalOrg({ rateLimits: { concurrency: 10, perMinute: 100_000 } });
    const o = org;
    const refused = await Promise.all(
      Array.from({ length: 80 }, () => stalledRequest(o, "/api/v1/zones", "SSWS 00not-a-token")),
    );
    // Each is answered without its body being waited for.
    for (const answer of refused) {
      expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 401 Unauthorized");
      expect(answer).toContain("E0000011");
    }
    const admin = await zones(org);
    expect(admin.status).toBe(200);
  });

  it("bounds how long an authenticated body may take (408), and frees its slot", async () => {
    org = await startLocalOrg({
      bodyTimeoutMs: 200,
      rateLimits: { concurrency: 1, perMinute: 100_000 },
    });
    const answer = await stalledRequest(org, "/api/v1/zones", `SSWS ${org.credentials.sswsToken}`);
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 408 Request Timeout");
    expect(answer).toContain("E0000003");
    expect((await zones(org)).status).toBe(200);
  });

  it("bounds a body's size (413)", async () => {
    org = await startLocalOrg();
    const res = await zones(org, {
      method: "POST",
      body: JSON.stringify({ pad: "x".repeat(1_100_000) }),
    });
    expect(res.status).toBe(413);
  });
});
