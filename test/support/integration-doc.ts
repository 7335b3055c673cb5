// Builds LoadedIntegration values from YAML text for policy unit tests: parse with positions,
// check the shape with the zod schema, and answer locate() from the parsed document. A stand-in
// for the loader, kept small: it throws on anything the loader would report as a finding.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { Integration } from "../../src/model/index.js";
import type { LoadedIntegration, NodePath } from "../../src/load/types.js";
import type { Position } from "../../src/model/finding.js";

export function loadedFromYaml(file: string, text: string): LoadedIntegration {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
  const parsed = Integration.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new Error(`${file}: ${JSON.stringify(parsed.error.issues[0])}`);
  }
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    file,
    integration: parsed.data,
    locate(path: NodePath, part: "key" | "value" = "value"): Position {
      let node: unknown = doc.contents;
      let keyNode: unknown;
      let best: Position = { line: 1, column: 1 };
      for (const step of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
          if (pair === undefined) return best;
          keyNode = pair.key;
          node = pair.value;
        } else if (isSeq(node) && typeof step === "number") {
          keyNode = undefined;
          node = node.items[step];
          if (node === undefined) return best;
        } else {
          return best;
        }
        const target = (part === "key" && keyNode ? keyNode : node) as Node | undefined;
        if (target?.range) best = at(target.range[0]);
      }
      return best;
    },
  };
}
