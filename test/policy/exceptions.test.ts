// Exceptions and their content hashes, through the real loader and policy: the hash follows what
// the policy reads (the parsed document and the import line's ids), never the file's formatting.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../src/load/config.js";
import { DEFAULT_CONFIG, type Config } from "../../src/model/index.js";
import {
  canonicalJson,
  exceptionsOf,
  settingsException,
  type ExceptionEntry,
} from "../../src/policy/exceptions.js";
import { validate } from "../../src/validate.js";
import { serviceApp, tokenException } from "../reconcile/fixtures.js";

const today = "2026-11-29";

function exceptions(files: Record<string, string>, config: Config = DEFAULT_CONFIG) {
  const result = validate({
    files: Object.entries(files).map(([path, text]) => ({
      path,
      bytes: new TextEncoder().encode(text),
    })),
    config,
    today,
  });
  return exceptionsOf(result.integrations, result.findings);
}

function only(files: Record<string, string>): ExceptionEntry {
  const all = exceptions(files);
  expect(all).toHaveLength(1);
  return all[0]!;
}

const PAYROLL = "integrations/payroll.yaml";
/** A token exception written by hand: block style, comments. */
const payrollYaml = `# The payroll connector's token.
apiVersion: okta-gitops/v1
kind: ApiTokenException
metadata:
  name: payroll
  owner: "@acme/payroll"
  purpose: The payroll vendor's connector reads users
  request: https://tracker.example.com/ACCESS-77
spec:
  justification: The payroll vendor's connector supports only SSWS tokens
  expires: 2027-03-01
  serviceAccount:
    login: svc-payroll@acme.example
  token:
    id: 00T1payr0ll0000001
  role:
    standard: READ_ONLY_ADMIN
  network:
    allow:
      - 192.0.2.44/32
  rateLimit:
    percent: 10
`;

const HR = "integrations/hr-sync.yaml";
const hr = serviceApp("hr-sync", {
  scopes: ["okta.users.manage"],
  role: {
    custom: {
      permissions: ["okta.users.manage"],
      resources: ["groups/00g1hr000000000000/users"],
    },
  },
  exceptions: { highRiskScopes: "Provisions accounts for new hires" },
});

describe("exceptionsOf", () => {
  it("lists an integration with an approval-needing finding, with its rules and where it is", () => {
    const entry = only({ [PAYROLL]: payrollYaml });
    expect(entry).toEqual({
      key: "payroll",
      file: PAYROLL,
      line: 3, // kind: the api-token.exception finding's line
      rules: ["api-token.exception"],
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("an integration with no approval-needing finding has no entry, even with other findings", () => {
    expect(
      exceptions({
        [HR]: stringify(serviceApp("hr-sync")),
        "integrations/wide.yaml": stringify(
          serviceApp("wide", { network: { allow: ["0.0.0.0/0"] } }),
        ),
      }),
    ).toEqual([]);
  });

  it("reformatting, reordering keys and adding comments keep the hash", () => {
    const before = only({ [PAYROLL]: payrollYaml }).hash;
    // Flow style, other key order, other quoting and comments: the same document.
    const rewritten = `apiVersion: "okta-gitops/v1" # the version
metadata: { purpose: "The payroll vendor's connector reads users", name: payroll, request: "https://tracker.example.com/ACCESS-77", owner: "@acme/payroll" }
spec:
    rateLimit: {percent: 10}
    network: {allow: ["192.0.2.44/32"]}   # the payroll server
    role: {standard: READ_ONLY_ADMIN}
    token: {id: "00T1payr0ll0000001"}
    serviceAccount: {login: 'svc-payroll@acme.example'}
    expires: "2027-03-01"
    # why a token
    justification: >-
      The payroll vendor's connector
      supports only SSWS tokens
kind: ApiTokenException
`;
    const after = only({ [PAYROLL]: rewritten });
    expect(after.hash).toBe(before);
    expect(after.line).not.toBe(3); // it did move in the file: the hash does not follow lines
    // So does a file written by another tool (a YAML serialiser) from the same data.
    expect(
      only({ [PAYROLL]: stringify(tokenException("payroll", "00T1payr0ll0000001")) }).hash,
    ).toBe(before);
  });

  it.each([
    ["the justification", (t: string) => t.replace("only SSWS tokens", "only SSWS tokens today")],
    ["the expiry", (t: string) => t.replace("2027-03-01", "2027-03-02")],
    ["the token", (t: string) => t.replace("00T1payr0ll0000001", "00T1payr0ll0000002")],
    ["the network", (t: string) => t.replace("192.0.2.44/32", "192.0.2.45/32")],
    ["the role", (t: string) => t.replace("READ_ONLY_ADMIN", "REPORT_ADMIN")],
  ])("changing %s changes the hash", (_what, change) => {
    const before = only({ [PAYROLL]: payrollYaml }).hash;
    const changed = change(payrollYaml);
    expect(changed).not.toBe(payrollYaml);
    expect(only({ [PAYROLL]: changed }).hash).not.toBe(before);
  });

  it("changing the scopes or the written reason of a high-risk scope changes the hash", () => {
    const entry = only({ [HR]: stringify(hr) });
    expect(entry.rules).toEqual(["scopes.high-risk"]);
    const reason = only({
      [HR]: stringify({
        ...hr,
        spec: {
          ...hr.spec,
          exceptions: { highRiskScopes: "Provisions accounts for new hires and contractors" },
        },
      }),
    });
    expect(reason.hash).not.toBe(entry.hash);
    const scopes = only({
      [HR]: stringify({
        ...hr,
        spec: {
          ...hr.spec,
          scopes: ["okta.users.manage", "okta.users.read"],
          role: {
            custom: {
              permissions: ["okta.users.manage", "okta.users.read"],
              resources: ["groups/00g1hr000000000000/users"],
            },
          },
        },
      }),
    });
    expect(scopes.rules).toEqual(["scopes.high-risk"]);
    expect(scopes.hash).not.toBe(entry.hash);
  });

  it("the import line's ids are part of the exception: another id changes the hash, another comment does not", () => {
    const doc = stringify(serviceApp("hr-sync"));
    const line = (ids: string) => `# okta-gitops import: ${ids}\n${doc}`;
    const entry = only({ [HR]: line("app=0oa1hr000000000001") });
    expect(entry).toMatchObject({ key: "hr-sync", line: 1, rules: ["adoption.requires-approval"] });
    expect(
      only({ [HR]: `# adopted from the old app\n${line("app=0oa1hr000000000001")}` }).hash,
    ).toBe(entry.hash);
    expect(only({ [HR]: line("app=0oa1hr000000000002") }).hash).not.toBe(entry.hash);
    expect(only({ [HR]: line("app=0oa1hr000000000001 zone=nzo1hr000000000001") }).hash).not.toBe(
      entry.hash,
    );
  });

  it("one entry per exception, each with its own hash: another file's change leaves it alone", () => {
    const both = exceptions({ [PAYROLL]: payrollYaml, [HR]: stringify(hr) });
    expect(both.map((e) => e.key)).toEqual(["hr-sync", "payroll"]);
    const changed = exceptions({
      [PAYROLL]: payrollYaml.replace("2027-03-01", "2027-03-02"),
      [HR]: stringify(hr),
    });
    expect(changed[0]!.hash).toBe(both[0]!.hash);
    expect(changed[1]!.hash).not.toBe(both[1]!.hash);
  });

  it("two files of one name make one entry whose hash covers both", () => {
    const one = only({ [PAYROLL]: payrollYaml });
    const twice = exceptions({
      [PAYROLL]: payrollYaml,
      "integrations/team/payroll.yaml": payrollYaml.replace("2027-03-01", "2027-03-02"),
    });
    expect(twice).toHaveLength(1);
    expect(twice[0]).toMatchObject({ key: "payroll", file: PAYROLL });
    expect(twice[0]!.hash).not.toBe(one.hash);
  });

  it("an integration with several exceptions lists each rule once, at its first finding's line", () => {
    const both = only({
      [HR]: stringify({
        ...hr,
        spec: {
          ...hr.spec,
          dpop: false,
          exceptions: {
            ...hr.spec.exceptions,
            dpop: "The vendor's client library cannot sign DPoP proofs yet",
          },
        },
      }),
    });
    expect(both.rules).toEqual(["dpop.disabled", "scopes.high-risk"]);
    expect(both.line).toBeGreaterThan(1);
  });
});

describe("settingsException", () => {
  const settings = (text: string) => {
    const { config, findings } = loadConfig({
      path: ".okta-gitops.yml",
      bytes: new TextEncoder().encode(text),
    });
    expect(findings).toEqual([]);
    return settingsException(config);
  };

  it("is the settings file, with the settings.changed rule", () => {
    expect(settingsException(DEFAULT_CONFIG)).toEqual({
      key: ".okta-gitops.yml",
      file: ".okta-gitops.yml",
      line: 1,
      rules: ["settings.changed"],
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("hashes the parsed settings: no file, an empty file and comments are the defaults", () => {
    const none = settingsException(DEFAULT_CONFIG).hash;
    expect(settings("# nothing but a comment\n").hash).toBe(none);
    expect(settings("apiVersion: okta-gitops/v1\nkind: Config\n").hash).toBe(none);
    expect(
      settings(
        "kind: Config # settings\napiVersion: okta-gitops/v1\npolicy: { identityTeam: acme/identity }\n",
      ).hash,
    ).toBe(none);
  });

  it("a changed value changes the hash", () => {
    const none = settingsException(DEFAULT_CONFIG).hash;
    expect(settings("policy:\n  identityTeam: acme/someone-else\n").hash).not.toBe(none);
    expect(settings("policy:\n  rateLimit:\n    maxPercent: 60\n").hash).not.toBe(none);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth, keeps array order, and has no whitespace", () => {
    expect(
      canonicalJson({ b: 1, a: [{ d: "x y", c: null }, 2], c: { z: true, y: undefined } }),
    ).toBe('{"a":[{"c":null,"d":"x y"},2],"b":1,"c":{"z":true}}');
  });

  it("refuses what is not plain JSON data rather than hashing it as {}", () => {
    expect(() => canonicalJson({ a: new Map([["k", 1]]) })).toThrow(TypeError);
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
  });
});
