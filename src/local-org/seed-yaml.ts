// The seed file's bytes to plain data with positions, using `yaml` directly, so that the local org
// reads its one input file without the reconciler's loader. Bounded as that loader is (size,
// UTF-8 text, one document, unique keys, few aliases); every problem is a finding at file:line:col.
import type { z } from "zod";
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
  visit,
} from "yaml";

export interface SeedFinding {
  rule: string;
  severity: "error";
  message: string;
  file: string;
  line: number;
  column: number;
}

export type SeedPath = readonly (string | number)[];
/** Where a node stands: its value, or its key (a missing node: its nearest ancestor's key). */
export type Locate = (path: SeedPath, part?: "key" | "value") => { line: number; column: number };

const MAX_BYTES = 256 * 1024;
/** Aliases bounded so that an alias bomb is refused cheaply. */
const MAX_ALIAS_COUNT = 32;
const utf8 = new TextDecoder("utf-8", { fatal: true });

const finding = (file: string, rule: string, message: string, line = 1, column = 1) =>
  ({ rule, severity: "error", message, file, line, column }) satisfies SeedFinding;

export interface ParsedSeed {
  /** The document's data; undefined for an empty file (or one of comments only). */
  data?: unknown;
  locate: Locate;
  findings: SeedFinding[];
}

export function parseSeedYaml(file: string, bytes: Uint8Array): ParsedSeed {
  const nowhere: Locate = () => ({ line: 1, column: 1 });
  if (bytes.length > MAX_BYTES)
    return {
      locate: nowhere,
      findings: [
        finding(file, "file.too-large", `the file is over the ${MAX_BYTES} byte bound; not read`),
      ],
    };
  let text: string;
  try {
    if (bytes.includes(0)) throw new Error("NUL");
    text = utf8.decode(bytes);
  } catch {
    return {
      locate: nowhere,
      findings: [finding(file, "file.encoding", "the file is not UTF-8 text: save it as UTF-8")],
    };
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: "error",
  });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return [line, col] as const;
  };
  const first = docs[0];
  if (!first) return { locate: nowhere, findings: [] };
  const findings: SeedFinding[] = [];
  for (const extra of docs.slice(1))
    findings.push(
      finding(
        file,
        "yaml.multiple-documents",
        "a second YAML document starts here: keep one",
        ...at(extra.range[0]),
      ),
    );
  for (const doc of docs)
    for (const error of doc.errors) {
      const rule = error.code === "DUPLICATE_KEY" ? "yaml.duplicate-key" : "yaml.syntax";
      const nl = error.message.indexOf("\n");
      const message = (nl < 0 ? error.message : error.message.slice(0, nl)).replace(
        / at line \d+, column \d+:?$/,
        "",
      );
      // yaml reports an unclosed [ or { where the next line starts: the bracket says it better.
      findings.push(finding(file, rule, `YAML: ${message}`, ...at(unclosedFlow(doc, error))));
    }
  const locate = locator(first, lineCounter);
  if (findings.length) return { locate, findings };
  if (first.contents === null) return { locate, findings };
  try {
    return { data: first.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate, findings };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return {
      locate,
      findings: [
        finding(file, "yaml.alias-limit", `YAML aliases expand beyond ${MAX_ALIAS_COUNT} nodes`),
      ],
    };
  }
}

function unclosedFlow(doc: Document, error: YAMLError): number {
  let found = error.pos[0];
  if (!/^Flow (sequence|map) .*end with a [\]}]/.test(error.message)) return found;
  visit(doc, {
    Collection(_key, node) {
      if (node.flow && node.range && node.range[1] === error.pos[0]) {
        found = node.range[0];
        return visit.BREAK;
      }
    },
  });
  return found;
}

function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, part = "value") => {
    const pos = (range: readonly number[] | null | undefined) => {
      if (!range) return { line: 1, column: 1 };
      const { line, col } = lineCounter.linePos(range[0]!);
      return { line, column: col };
    };
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    let complete = true;
    for (const segment of path) {
      if (isMap(node)) {
        const found = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!found) {
          complete = false;
          break;
        }
        pair = found;
        node = found.value;
      } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
        pair = undefined;
        node = node.items[segment];
      } else {
        complete = false;
        break;
      }
    }
    const keyNode = pair && isScalar(pair.key) ? pair.key : undefined;
    if ((part === "key" || !complete || node == null) && keyNode) return pos(keyNode.range);
    return pos(((node ?? doc.contents) as Node | null)?.range);
  };
}

/** zod's issues as findings, each at its node: an unknown key at the key (with the key a typo
 * probably meant), anything else at the value. Values are not echoed. */
export function issueFindings(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  locate: Locate,
  known: (path: SeedPath) => readonly string[],
): SeedFinding[] {
  const out: SeedFinding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keys = known(path);
        const near = closest(key, keys);
        const hint = near ? `; did you mean "${near}"?` : ` (allowed here: ${keys.join(", ")})`;
        const { line, column } = locate([...path, key], "key");
        out.push(
          finding(
            file,
            "schema.unknown-key",
            `${show([...path, key])}: unknown key ${quoted(key)}${hint}`,
            line,
            column,
          ),
        );
      }
      continue;
    }
    const { line, column } = locate(path, "value");
    out.push(finding(file, "schema.invalid", `${show(path)}: ${issue.message}`, line, column));
  }
  return out;
}

/** A key from the file, quoted, with control and direction-changing characters escaped. */
function quoted(text: string): string {
  return JSON.stringify(text.slice(0, 64)).replace(
    /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function show(path: SeedPath): string {
  const segment = (s: string | number, i: number) =>
    typeof s === "number" ? `[${s}]` : `${i ? "." : ""}${quoted(s).slice(1, -1)}`;
  return path.map(segment).join("") || "(file)";
}

/** The known key nearest to a typo, if it is near enough (at most 2 edits, and not most of it). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance && d < Math.max(k.length, key.length) / 2) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64 || b.length > 64) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length]!;
}
