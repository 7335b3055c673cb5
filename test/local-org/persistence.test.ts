// A file-backed local org survives a restart (state, bot app and its key), keeps its private key
// and credentials at mode 0600, and `okta-gitops local-org` serves one and says where it is.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalOrg } from "../../src/local-org/index.js";
import { privateKeyClient } from "../support/okta-sdk.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "local-org-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("a file-backed local org", () => {
  it("survives a restart with its state, its bot app and the bot's key", async () => {
    const dataDir = tempDir();
    const first = await startLocalOrg({ dataDir });
    const client = privateKeyClient(first);
    const zone = await client.networkZoneApi.createNetworkZone({
      zone: {
        type: "IP",
        name: "kept",
        gateways: [{ type: "CIDR", value: "203.0.113.0/24" }],
      } as never,
    });
    const clientId = first.credentials.clientId;
    await first.close();

    const mode = (f: string) => statSync(path.join(dataDir, f)).mode & 0o777;
    expect(mode("bot-private-key.pem")).toBe(0o600);
    expect(mode("credentials.json")).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const onDisk = JSON.parse(
      readFileSync(path.join(dataDir, "credentials.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(onDisk.clientId).toBe(clientId);
    expect(JSON.stringify(onDisk)).not.toContain("PRIVATE KEY");

    const second = await startLocalOrg({ dataDir });
    try {
      expect(second.credentials.clientId).toBe(clientId);
      // A new client (new port, new token) with the key read back from disk reaches the same state.
      const again = privateKeyClient(second);
      expect((await again.networkZoneApi.getNetworkZone({ zoneId: zone.id ?? "" })).name).toBe(
        "kept",
      );
    } finally {
      await second.close();
    }
  });

  it("reads an org.json written before user role assignments existed", async () => {
    const dataDir = tempDir();
    const first = await startLocalOrg({ dataDir });
    await first.close();
    const file = path.join(dataDir, "org.json");
    const { userRoles: _none, ...older } = JSON.parse(readFileSync(file, "utf8")) as Record<
      string,
      unknown
    >;
    writeFileSync(file, JSON.stringify(older));
    const second = await startLocalOrg({ dataDir });
    try {
      const res = await fetch(
        `${second.url}/api/v1/users/${second.credentials.adminUserId}/roles`,
        {
          method: "POST",
          headers: {
            Authorization: `SSWS ${second.credentials.sswsToken}`,
            "Content-Type": "application/json",
          },
          body: JSON.stringify({ type: "READ_ONLY_ADMIN" }),
        },
      );
      // The collection reads as empty, so the admin of that older file holds no admin role: the
      // org answers Okta's 403, neither a crash nor a 500.
      expect(second.state.userRoles).toEqual({});
      expect(res.status).toBe(403);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe("E0000006");
    } finally {
      await second.close();
    }
  });

  it("keeps an in-memory org off the disk", async () => {
    const org = await startLocalOrg();
    expect(org.dataDir).toBeUndefined();
    expect(org.credentials.privateKeyPath).toBeUndefined();
    await org.close();
  });
});

describe("okta-gitops local-org", () => {
  it("serves the org and prints its URL and where the credentials are", async () => {
    const dataDir = tempDir();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/run.ts", "local-org", "--port", "0", "--data", dataDir],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, OKTA_GITOPS_LOCAL_EGRESS: "198.51.100.20" },
      },
    );
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no URL printed within 20 s: ${out}`)),
          20_000,
        );
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const m = /Local Okta org at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m?.[1] && out.includes("Ctrl-C")) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const credentialsPath = path.join(dataDir, "credentials.json");
      expect(out).toContain(dataDir);
      const creds = JSON.parse(readFileSync(credentialsPath, "utf8")) as {
        orgUrl?: string;
        sswsToken: string;
      };
      expect(out).toContain(`SSWS token:  ${creds.sswsToken}`);
      const res = await fetch(`${url}/api/v1/apps`, {
        headers: { Authorization: `SSWS ${creds.sswsToken}` },
      });
      expect(res.status).toBe(200);
      expect(out).toContain("egress:      198.51.100.20");
      // This process is seen at the egress address: a token restricted to it works from here.
      const zone = await fetch(`${url}/api/v1/zones`, {
        method: "POST",
        headers: { Authorization: `SSWS ${creds.sswsToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          type: "IP",
          name: "egress",
          gateways: [{ type: "CIDR", value: "198.51.100.20/32" }],
        }),
      });
      const zoneId = ((await zone.json()) as { id: string }).id;
      const tokenId = (JSON.parse(readFileSync(credentialsPath, "utf8")) as { sswsTokenId: string })
        .sswsTokenId;
      const put = await fetch(`${url}/api/v1/api-tokens/${tokenId}`, {
        method: "PUT",
        headers: { Authorization: `SSWS ${creds.sswsToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ network: { connection: "ZONE", include: [zoneId] } }),
      });
      expect(put.status).toBe(200);
      const again = await fetch(`${url}/api/v1/apps`, {
        headers: { Authorization: `SSWS ${creds.sswsToken}` },
      });
      expect(again.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(existsSync(path.join(dataDir, "org.json"))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it.each([
    [["--port", "http"], "--port"],
    [["--egress-address", "1.2.3"], "--egress-address: '1.2.3' is not an IP address"],
  ])("refuses %j with exit code 2", async (args, message) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/run.ts", "local-org", ...args],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});
