// The local Okta org stands apart: someone could take src/local-org (with the Okta facts it reads,
// src/okta-facts) and use it alone. So no module under it imports the reconciler (load, policy,
// model, okta, reconcile, render, cli), and the Okta facts import nothing at all outside
// themselves. The reconciler, for its part, never imports the emulator: only the CLI serves it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** Every module specifier a file names (static imports and exports, dynamic imports), as the
 * TypeScript compiler reads them. */
function specifiers(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** What each file under `dir` imports from outside the folders it may use. */
function outside(dir: string, allowed: string[]): string[] {
  const bad: string[] = [];
  for (const file of sources(dir))
    for (const spec of specifiers(file)) {
      if (spec.startsWith("node:")) continue;
      if (!spec.startsWith(".")) {
        const name = spec.startsWith("@")
          ? spec.split("/").slice(0, 2).join("/")
          : spec.split("/")[0]!;
        if (name in pkg.dependencies) continue;
        bad.push(`${file}: ${spec} (not a dependency of the package)`);
        continue;
      }
      const target = path.relative(root, path.resolve(root, path.dirname(file), spec));
      if (!allowed.some((a) => target === a || target.startsWith(`${a}/`)))
        bad.push(`${file}: ${spec}`);
    }
  return bad;
}

describe("the local org stands apart", () => {
  it("imports nothing under src/ outside src/local-org but the Okta facts", () => {
    expect(sources("src/local-org").length).toBeGreaterThan(10);
    expect(outside("src/local-org", ["src/local-org", "src/okta-facts"])).toEqual([]);
  });

  it("the Okta facts it reads import nothing outside src/okta-facts", () => {
    expect(sources("src/okta-facts").length).toBeGreaterThan(0);
    expect(outside("src/okta-facts", ["src/okta-facts"])).toEqual([]);
  });

  it("no part of the reconciler imports the local org (only the CLI serves it)", () => {
    const product = sources("src").filter(
      (f) => !f.startsWith("src/local-org/") && !f.startsWith("src/cli/"),
    );
    const offenders = product.flatMap((file) =>
      specifiers(file)
        .filter((spec) => spec.startsWith("."))
        .filter((spec) => {
          const target = path.relative(root, path.resolve(root, path.dirname(file), spec));
          return target === "src/local-org" || target.startsWith("src/local-org/");
        })
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
  it("has no import cycle, nor has the Okta adapter", () => {
    const files = [
      ...sources("src/local-org"),
      ...sources("src/okta-facts"),
      ...sources("src/okta"),
    ];
    const deps = new Map(
      files.map((f) => [
        f,
        specifiers(f)
          .filter((s) => s.startsWith("."))
          .map((s) =>
            path.relative(root, path.resolve(root, path.dirname(f), s)).replace(/\.js$/, ".ts"),
          ),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, stack: string[]) => {
      state.set(f, "open");
      for (const d of deps.get(f) ?? []) {
        if (state.get(d) === "open")
          cycles.push([...stack.slice(stack.indexOf(d)), f, d].join(" -> "));
        else if (!state.has(d)) visit(d, [...stack, f]);
      }
      state.set(f, "done");
    };
    for (const f of files) if (!state.has(f)) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
