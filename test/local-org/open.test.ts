// The local org as the product opens it (the `local-org` command and the implicit org of plan,
// apply, drift and import): the egress address it sees you at, the seed file of a new org, and a
// running `okta-gitops local-org` that the CLI shares instead of starting a second server.
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  DEFAULT_LOCAL_EGRESS_ADDRESS,
  egressAddressFrom,
  openLocalOrg,
  parseSeed,
  RUNNING_FILE,
  SEED_FILE,
  SeedFileError,
} from "../../src/local-org/index.js";
import { privateKeyClient } from "../support/okta-sdk.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "local-org-open-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the egress address", () => {
  it("is the flag, else OKTA_GITOPS_LOCAL_EGRESS, else 203.0.113.200", () => {
    expect(DEFAULT_LOCAL_EGRESS_ADDRESS).toBe("203.0.113.200");
    expect(egressAddressFrom(undefined, {})).toBe("203.0.113.200");
    expect(egressAddressFrom(undefined, { OKTA_GITOPS_LOCAL_EGRESS: " 198.51.100.9 " })).toBe(
      "198.51.100.9",
    );
    expect(egressAddressFrom("2001:db8::7", { OKTA_GITOPS_LOCAL_EGRESS: "198.51.100.9" })).toBe(
      "2001:db8::7",
    );
    expect(() => egressAddressFrom(undefined, { OKTA_GITOPS_LOCAL_EGRESS: "nat" })).toThrow(
      "OKTA_GITOPS_LOCAL_EGRESS: 'nat' is not an IP address",
    );
  });

  it("is the default for the CLI's implicit org", async () => {
    const org = await openLocalOrg({ dataDir: tempDir(), env: {}, cwd: tempDir() });
    try {
      expect(org.egressAddress).toBe(DEFAULT_LOCAL_EGRESS_ADDRESS);
    } finally {
      await org.close();
    }
  });
});

describe("the seed file", () => {
  it("brings every group, service account and API token that the example integrations reference", () => {
    const seed = parseSeed(SEED_FILE, readFileSync(path.join(repoRoot, SEED_FILE)));
    const groups = new Set<string>();
    const logins = new Set<string>();
    const tokens = new Set<string>();
    const dir = path.join(repoRoot, "integrations");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const doc = parse(readFileSync(path.join(dir, file), "utf8")) as {
        kind: string;
        spec: {
          role?: { custom?: { resources?: string[] } };
          serviceAccount?: { login: string };
          token?: { id: string };
        };
      };
      for (const r of doc.spec.role?.custom?.resources ?? []) {
        const m = /^groups\/([^/]+)/.exec(r);
        if (m?.[1]) groups.add(m[1]);
      }
      if (doc.spec.serviceAccount) logins.add(doc.spec.serviceAccount.login);
      if (doc.spec.token) tokens.add(doc.spec.token.id);
    }
    expect(groups.size + logins.size + tokens.size).toBeGreaterThan(0);
    expect(seed.groups.map((g) => g.id)).toEqual(expect.arrayContaining([...groups]));
    expect(seed.users.map((u) => u.login)).toEqual(expect.arrayContaining([...logins]));
    expect(seed.apiTokens.map((t) => t.id)).toEqual(expect.arrayContaining([...tokens]));
    expect(seed.groups.find((g) => g.id === "00g1emp7Xq2Ab0h8d4")?.name).toBe("Employees");
  });

  it("reports each problem at its file, line and column", () => {
    const text = [
      "groups:", //                                     1
      "  - id: 00g1emp7Xq2Ab0h8d4", //                  2
      "    name: Employees", //                         3
      "  - id: 00g1emp7Xq2Ab0h8d4", //                  4
      "    name: Staff", //                             5
      "users:", //                                      6
      "  - id: 00u1svc0000000000a", //                  7
      "    login: svc@acme.example", //                 8
      "    groups: [00g0000000notthere]", //            9
      "apiTokens:", //                                 10
      "  - id: 00T1tok0000000000a", //                 11
      "    name: t", //                                12
      "    owner: nobody@acme.example", //             13
    ].join("\n");
    const err = (() => {
      try {
        parseSeed(SEED_FILE, Buffer.from(text));
      } catch (e) {
        return e as SeedFileError;
      }
      throw new Error("expected a SeedFileError");
    })();
    expect(err).toBeInstanceOf(SeedFileError);
    expect(err.findings.map((f) => `${f.line}:${f.column} ${f.rule}`)).toEqual([
      "4:9 seed.duplicate",
      "9:14 seed.reference",
      "13:12 seed.reference",
    ]);
    expect(err.message).toContain(
      "local-org.seed.yaml:4:9: id 00g1emp7Xq2Ab0h8d4 is already given at line 2",
    );

    const schema = (() => {
      try {
        parseSeed(SEED_FILE, Buffer.from("groups:\n  - id: 123\n    nam: Employees\n"));
      } catch (e) {
        return e as SeedFileError;
      }
      throw new Error("expected a SeedFileError");
    })();
    expect(schema.message).toMatch(/^local-org\.seed\.yaml:2:/m);
    expect(schema.message).toMatch(
      /^local-org\.seed\.yaml:3:5: .*unknown key "nam"; did you mean "name"\?/m,
    );
    expect(() => parseSeed(SEED_FILE, Buffer.from("groups: [\n"))).toThrow(
      /local-org\.seed\.yaml:1:/,
    );
    expect(parseSeed(SEED_FILE, Buffer.from("# nothing yet\n"))).toEqual({
      groups: [],
      users: [],
      apiTokens: [],
    });
  });

  it("refuses a duplicate key, a second document, an alias bomb and hostile keys, at their lines", () => {
    const problems = (text: string) => {
      try {
        parseSeed(SEED_FILE, Buffer.from(text));
      } catch (e) {
        return (e as SeedFileError).findings.map((f) => `${f.line}:${f.column} ${f.rule}`);
      }
      throw new Error("expected a SeedFileError");
    };
    expect(problems("groups: []\nusers: []\ngroups: []\n")).toEqual(["3:1 yaml.duplicate-key"]);
    expect(problems("groups: []\n---\nusers: []\n")).toEqual(["2:1 yaml.multiple-documents"]);
    const bomb = ["a: &a [x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 6; i++)
      bomb.push(
        `${"bcdefg"[i]}: &${"bcdefg"[i]} [*${"abcdef"[i]}, *${"abcdef"[i]}, *${"abcdef"[i]}, *${"abcdef"[i]}]`,
      );
    expect(problems(bomb.join("\n"))).toEqual(["1:1 yaml.alias-limit"]);
    expect(
      problems('groups:\n  - id: 00g1emp7Xq2Ab0h8d4\n    name: E\n    "na\\u202eme": x\n'),
    ).toEqual(["4:5 schema.unknown-key"]);
    // A key from the file is quoted with its direction-changing character escaped, never echoed.
    expect(() =>
      parseSeed(
        SEED_FILE,
        Buffer.from('groups:\n  - id: 00g1emp7Xq2Ab0h8d4\n    name: E\n    "na\\u202eme": x\n'),
      ),
    ).toThrow(/unknown key "na\\u202eme"/);
    expect(problems("\u0000")).toEqual(["1:1 file.encoding"]);
  });

  it("seeds a new org the CLI creates, and only a new one", async () => {
    const cwd = tempDir();
    copyFileSync(path.join(repoRoot, SEED_FILE), path.join(cwd, SEED_FILE));
    const dataDir = path.join(cwd, ".okta-gitops", "local-org");
    const first = await openLocalOrg({ dataDir, env: {}, cwd });
    const seeded = first.credentials.seededApiTokens?.find((t) => t.id === "00T1lgcyPay0rll8Q3");
    try {
      const get = (p: string, token = first.credentials.sswsToken) =>
        fetch(`${first.url}${p}`, { headers: { Authorization: `SSWS ${token}` } }).then(
          async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }),
        );
      expect((await get("/api/v1/groups/00g1emp7Xq2Ab0h8d4")).body).toMatchObject({
        id: "00g1emp7Xq2Ab0h8d4",
        profile: { name: "Employees" },
      });
      const user = await get("/api/v1/users/svc-legacy-payroll@acme.example");
      expect(user.body).toMatchObject({ id: "00u1lgcyPay0rllSvc", status: "ACTIVE" });
      expect((await get("/api/v1/api-tokens/00T1lgcyPay0rll8Q3")).body).toMatchObject({
        userId: "00u1lgcyPay0rllSvc",
      });
      // The token's secret, kept in credentials.json, authenticates as the service account's token
      // (not a 401), which holds no admin role until apply assigns the file's: Okta's 403.
      expect(seeded?.token).toBeTruthy();
      const asAccount = await get("/api/v1/groups", seeded?.token);
      expect([asAccount.status, asAccount.body.errorCode]).toEqual([403, "E0000006"]);
      const onDisk = readFileSync(path.join(dataDir, "credentials.json"), "utf8");
      expect(onDisk).toContain(seeded?.token ?? "-");
    } finally {
      await first.close();
    }
    // An existing org is not seeded again: the seed file is not even read.
    writeFileSync(path.join(cwd, SEED_FILE), "groups: [\n");
    const second = await openLocalOrg({ dataDir, env: {}, cwd });
    try {
      expect(second.credentials.seededApiTokens?.map((t) => t.id)).toEqual(["00T1lgcyPay0rll8Q3"]);
    } finally {
      await second.close();
    }
    // A new org from a broken seed file is refused with the file's line.
    await expect(openLocalOrg({ dataDir: path.join(cwd, "other"), env: {}, cwd })).rejects.toThrow(
      /local-org\.seed\.yaml:\d+:\d+/,
    );
  });
});

/** `okta-gitops local-org` as a child process (from the repository root, so its seed applies). */
function serve(dataDir: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/run.ts", "local-org", "--data", dataDir],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 20 s: ${out}`)), 20_000);
    child.stdout.on("data", () => {
      if (out.includes("Ctrl-C")) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out}`));
    });
  });
  // Awaited only by callers that expect the server to come up.
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => out };
}

describe("a running okta-gitops local-org and the CLI on the same data folder", () => {
  it("shares the running server instead of starting a second one, and forgets it on exit", async () => {
    const dataDir = path.join(tempDir(), "local-org");
    const server = serve(dataDir);
    try {
      const out = await server.ready;
      expect(out).toContain("seeded:      1 groups, 1 users, 1 API tokens");
      const running = JSON.parse(readFileSync(path.join(dataDir, RUNNING_FILE), "utf8")) as {
        url: string;
        pid: number;
      };
      expect(running.pid).toBe(server.child.pid);
      expect(out).toContain(`Local Okta org at ${running.url}`);

      const shared = await openLocalOrg({ dataDir, env: {}, cwd: tempDir() });
      expect(shared).toMatchObject({ url: running.url, servedBy: server.child.pid });
      // The bot's credentials from the data folder work against the running server (DPoP), and
      // it serves the same org (the seed it created).
      const client = privateKeyClient(shared);
      expect(
        (await client.groupApi.getGroup({ groupId: "00g1emp7Xq2Ab0h8d4" })).profile?.name,
      ).toBe("Employees");
      await shared.close();
      expect((await fetch(`${running.url}/api/v1/groups`)).status).toBe(401);

      const second = serve(dataDir);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`already served from ${dataDir} at ${running.url}`);

      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(existsSync(path.join(dataDir, RUNNING_FILE))).toBe(false);
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGKILL");
    }
  });

  it("starts its own server when the running file is stale", async () => {
    const dataDir = path.join(tempDir(), "local-org");
    const first = await openLocalOrg({ dataDir, env: {}, cwd: tempDir() });
    await first.close();
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(
      path.join(dataDir, RUNNING_FILE),
      JSON.stringify({ url: "http://127.0.0.1:9", pid: gone, startedAt: "2026-11-29T00:00:00Z" }),
    );
    const own = await openLocalOrg({ dataDir, env: {}, cwd: tempDir() });
    try {
      expect(own.servedBy).toBeUndefined();
      expect(own.url).not.toBe("http://127.0.0.1:9");
      expect((await fetch(`${own.url}/api/v1/groups`)).status).toBe(401);
    } finally {
      await own.close();
    }
  });
});
