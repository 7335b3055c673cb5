// The direction of dependencies in src/, as README.md's "Design" section states it: the CLI (and
// the GitHub App) sit on top of the workflows, which sit on the pure core and the Okta adapter;
// nothing lower reaches up, and src/local-org stands apart. Checked over the real import graph
// (every import, export-from and dynamic import, type-only ones included), with control cases
// showing the checker catches each kind of violation.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** A module's place, bottom to top: a module may import its own area and areas below it only.
 * Areas of the same rank do not import each other. */
const LAYERS: readonly (readonly string[])[] = [
  // Facts about Okta (generated from its spec, or its documented role permissions): data only,
  // imports nothing; the one part of src/ the local org shares.
  ["okta-facts"],
  ["model"],
  ["load"],
  ["policy"],
  ["validate"],
  ["render"],
  ["reconcile"],
  ["okta"],
  // Running several replicas: Okta's lock and rate budget, and the connection, kept in Redis.
  ["redis"],
  ["workflows"],
  // The GitHub App: a thin adapter over the workflows, as the CLI is; `okta-gitops serve` starts it.
  ["github"],
  ["cli"],
];

/** Areas that stand apart: they import nothing from the rest of src/ but the leaves named, and
 * only the areas named may import them. */
const APART: Record<string, { importedBy: readonly string[]; imports: readonly string[] }> = {
  "local-org": { importedBy: ["cli"], imports: ["okta-facts"] },
};

type Graph = Map<string, string[]>;

/** The area of a module (a path relative to src/, without extension). */
export function areaOf(module: string): string {
  return module.split("/")[0]!;
}

function rankOf(area: string): number {
  return LAYERS.findIndex((l) => l.includes(area));
}

/** Every import that breaks the layer order or the standing apart, as `from -> to: why`. */
export function violations(graph: Graph): string[] {
  const found: string[] = [];
  for (const [from, tos] of graph)
    for (const to of tos) {
      const a = areaOf(from);
      const b = areaOf(to);
      if (a === b) continue;
      if (a in APART) {
        if (!APART[a]!.imports.includes(b))
          found.push(`${from} -> ${to}: ${a} imports nothing from the rest of src/`);
        continue;
      }
      if (b in APART) {
        if (!APART[b]!.importedBy.includes(a))
          found.push(`${from} -> ${to}: only ${APART[b]!.importedBy.join(", ")} imports ${b}`);
        continue;
      }
      const ra = rankOf(a);
      const rb = rankOf(b);
      if (ra < 0) found.push(`${from}: ${a} has no place in the layer order`);
      else if (rb < 0) found.push(`${from} -> ${to}: ${b} has no place in the layer order`);
      else if (rb >= ra) found.push(`${from} -> ${to}: ${a} may not import ${b} (not below it)`);
    }
  return found;
}

/** The import cycles of a graph, each as the modules around it (DFS, bounded by the graph). */
export function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (m: string): void => {
    state.set(m, "open");
    stack.push(m);
    for (const n of graph.get(m) ?? []) {
      if (state.get(n) === "open") found.push([...stack.slice(stack.indexOf(n)), n]);
      else if (!state.has(n)) visit(n);
    }
    stack.pop();
    state.set(m, "done");
  };
  for (const m of [...graph.keys()].sort()) if (!state.has(m)) visit(m);
  return found;
}

/** src/'s import graph: module -> the src/ modules it imports (relative specifiers only). */
function srcGraph(): Graph {
  const graph: Graph = new Map();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(path.join(dir, e.name))
        : e.name.endsWith(".ts")
          ? [path.join(dir, e.name)]
          : [],
    );
  const id = (file: string) =>
    path
      .relative(SRC, file)
      .split(path.sep)
      .join("/")
      .replace(/\.(ts|js)$/, "");
  for (const file of walk(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const tos = info.importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith("."))
      .map((s) => id(path.resolve(path.dirname(file), s)));
    graph.set(id(file), [...new Set(tos)]);
  }
  return graph;
}

describe("the dependency direction in src/", () => {
  const graph = srcGraph();
  const broken = violations(graph);

  it("reads the real import graph", () => {
    expect(graph.get("cli/main")).toEqual(expect.arrayContaining(["cli/commands"]));
    expect(graph.get("okta/adapter")).toEqual(expect.arrayContaining(["reconcile/model"]));
  });

  it("nothing under src/workflows or below it imports src/cli (or src/github)", () => {
    expect(broken.filter((v) => / -> (cli|github)\//.test(v))).toEqual([]);
  });

  it("lower layers never import higher ones", () => {
    expect(broken.filter((v) => !/^local-org\//.test(v) && !/ -> local-org\//.test(v))).toEqual([]);
  });

  it("src/local-org imports nothing from the rest of src/ but okta-facts, and only the CLI imports it", () => {
    expect(broken.filter((v) => /^local-org\//.test(v) || / -> local-org\//.test(v))).toEqual([]);
  });

  it("src/ has no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("control: the checker catches an upward import, a CLI import, local-org's and a cycle", () => {
    const bad: Graph = new Map([
      ["reconcile/plan", ["okta/adapter"]],
      ["workflows/apply", ["cli/reconcile-support"]],
      ["model/config", ["okta-facts/catalogue.generated"]],
      ["local-org/store", ["model/index", "okta-facts/standard-roles"]],
      ["policy/index", ["local-org/index"]],
      ["cli/main", ["local-org/index", "workflows/apply"]],
      ["load/a", ["load/b"]],
      ["load/b", ["load/c"]],
      ["load/c", ["load/a"]],
    ]);
    expect(violations(bad)).toEqual([
      "reconcile/plan -> okta/adapter: reconcile may not import okta (not below it)",
      "workflows/apply -> cli/reconcile-support: workflows may not import cli (not below it)",
      "local-org/store -> model/index: local-org imports nothing from the rest of src/",
      "policy/index -> local-org/index: only cli imports local-org",
    ]);
    expect(cycles(bad)).toEqual([["load/a", "load/b", "load/c", "load/a"]]);
    expect(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });
});
