// locate(): where a node of a loaded integration stands, for the policy's findings.
import { describe, expect, it } from "vitest";
import { loadIntegrations } from "../../src/load/index.js";
import { serviceAppYaml } from "../support/service-app.js";

const text = serviceAppYaml(3, "hr-sync");
const lineOf = (needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;
const [loaded] = loadIntegrations([
  { path: "integrations/hr-sync.yaml", bytes: new TextEncoder().encode(text) },
]).integrations;

describe("locate", () => {
  it("finds a scalar value, with its end", () => {
    const line = lineOf("dpop: true");
    expect(loaded!.locate(["spec", "dpop"])).toEqual({
      line,
      column: 9,
      endLine: line,
      endColumn: 13,
    });
  });

  it("finds a key", () => {
    expect(loaded!.locate(["spec", "dpop"], "key")).toMatchObject({
      line: lineOf("dpop: true"),
      column: 3,
    });
  });

  it("finds an item of a flow sequence", () => {
    const line = lineOf("allow:");
    const column = text.split("\n")[line - 1]!.indexOf("198.51.100") + 1;
    expect(loaded!.locate(["spec", "network", "allow", 1])).toMatchObject({ line, column });
  });

  it("finds a member of a JWK in a block sequence", () => {
    expect(loaded!.locate(["spec", "credentials", "jwks", 0, "n"], "key")).toMatchObject({
      line: lineOf("\n        n: ") + 1,
      column: 9,
    });
  });

  it("falls back to the key of the nearest existing ancestor", () => {
    expect(loaded!.locate(["spec", "exceptions", "dpop"])).toMatchObject({
      line: lineOf("spec:"),
      column: 1,
    });
    expect(loaded!.locate(["spec", "network", "allow", 9])).toMatchObject({
      line: lineOf("allow:"),
    });
  });

  it("falls back to the start of the document for a missing top-level key", () => {
    expect(loaded!.locate(["nothing"])).toMatchObject({ line: lineOf("apiVersion"), column: 1 });
  });
});
