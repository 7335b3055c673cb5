// Bytes to one YAML document with positions. Pure. Every problem is a finding with file, line and
// column; nothing here throws on bad input. The Document and LineCounter are kept so that a
// position is computed only when a finding asks for one (see makeLocator).
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
} from "yaml";
import type { Finding, Position } from "../model/finding.js";
import type { NodePath, SourceFile } from "./types.js";

export const DEFAULT_MAX_BYTES = 256 * 1024;
/** Aliases are allowed for small reuse (e.g. scopes reused as permissions) and nothing more: this
 * bounds the nodes that expanding aliases may produce, so an alias bomb is refused cheaply. */
export const DEFAULT_MAX_ALIAS_COUNT = 32;

export interface LoadLimits {
  maxBytes: number;
  maxAliasCount: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxBytes: DEFAULT_MAX_BYTES,
  maxAliasCount: DEFAULT_MAX_ALIAS_COUNT,
};

export type Locate = (path: NodePath, part?: "key" | "value") => Position;

export interface ParsedFile {
  file: string;
  /** Decoded text, when the bytes were UTF-8 text. */
  text?: string;
  /** The first document's plain data, when the file parsed without errors. */
  data?: unknown;
  /** Where a node stands; available whenever a document was parsed. */
  locate?: Locate;
  /** The file holds private key material: never echo its values or show its lines. */
  secret: boolean;
  findings: Finding[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function at(file: string, rule: string, message: string, pos: Position = { line: 1, column: 1 }) {
  return { rule, severity: "error" as const, message, file, ...pos };
}

/** Decodes the bytes as UTF-8 text, refusing oversize, binary and non-UTF-8 files. */
export function decode(file: SourceFile, maxBytes: number): { text?: string; findings: Finding[] } {
  const { bytes, path } = file;
  if (bytes.length > maxBytes)
    return {
      findings: [
        at(
          path,
          "file.too-large",
          `the file is ${bytes.length} bytes, over the ${maxBytes} byte bound; it was not read`,
        ),
      ],
    };
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    return {
      findings: [
        at(
          path,
          "file.binary",
          "the file holds NUL bytes: it is binary, not YAML text",
          bytePosition(bytes, nul),
        ),
      ],
    };
  try {
    return { text: utf8.decode(bytes), findings: [] };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return {
      findings: [
        at(
          path,
          "file.encoding",
          `the file is not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, "0")} at offset ${bad}); save it as UTF-8`,
          bytePosition(bytes, bad),
        ),
      ],
    };
  }
}

/** Line and column (in bytes) of a byte offset: used only for files that cannot be decoded. */
function bytePosition(bytes: Uint8Array, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

const PEM_PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/;

/** A PEM private key anywhere in the text, comments included. The message names the kind of key,
 * never its content. */
export function findPemPrivateKey(file: string, text: string, lines: LineCounter): Finding[] {
  if (!text.includes("PRIVATE KEY")) return [];
  const match = PEM_PRIVATE_KEY.exec(text);
  if (!match) return [];
  const { line, col } = lines.linePos(match.index);
  return [
    {
      ...at(
        file,
        "credentials.private-key",
        `a PEM private key (${match[1]}) is in this file: remove it, commit only the public key ` +
          "as a JWK, and rotate the key (it is now in git history)",
        { line, column: col },
      ),
    },
  ];
}

function parseYaml(text: string) {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    keepSourceTokens: false,
    // Problems are findings; nothing is printed to the console behind the caller's back.
    logLevel: "error",
  });
  return { docs, lineCounter };
}

/** A locator that keeps only the text and parses it again on its first call. A parsed document
 * costs about 40 times its text in memory; 10,000 of them kept for the rare finding would cost
 * hundreds of MB, while parsing one file again costs well under a millisecond. */
export function lazyLocator(text: string): Locate {
  let locate: Locate | undefined;
  return (path, part) => {
    if (!locate) {
      const { docs, lineCounter } = parseYaml(text);
      const doc = docs[0];
      if (!doc) return { line: 1, column: 1 };
      locate = makeLocator(doc, lineCounter);
    }
    return locate(path, part);
  };
}

/** Parses text that decoded cleanly into the first YAML document, with positions. */
export function parseText(file: string, text: string, limits: LoadLimits): ParsedFile {
  const findings: Finding[] = [];
  const { docs, lineCounter } = parseYaml(text);
  const pem = findPemPrivateKey(file, text, lineCounter);
  findings.push(...pem);
  const secret = pem.length > 0;
  const pos = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const first = docs[0];
  if (!first || (first.contents === null && docs.length === 1 && first.errors.length === 0)) {
    findings.push(
      at(file, "file.empty", "the file holds no YAML document: write one integration in it"),
    );
    return { file, text, secret, findings };
  }
  for (const extra of docs.slice(1)) {
    findings.push(
      at(
        file,
        "yaml.multiple-documents",
        "a second YAML document starts here: put each integration in its own file",
        pos(extra.range[0]),
      ),
    );
  }

  // yaml often reports one mistake several times on the same line: the first says it best.
  let broken = false;
  const linesWithErrors = new Set<number>();
  for (const doc of docs) {
    for (const error of doc.errors) {
      broken = true;
      const { line } = lineCounter.linePos(error.pos[0]);
      if (error.code !== "DUPLICATE_KEY" && linesWithErrors.has(line)) continue;
      linesWithErrors.add(line);
      const rule = error.code === "DUPLICATE_KEY" ? "yaml.duplicate-key" : "yaml.syntax";
      const quote = unclosedQuote(text, error);
      const bracket = quote === undefined ? unclosedFlow(doc, error) : undefined;
      const message =
        error.code === "DUPLICATE_KEY"
          ? "this key appears twice in the same mapping: keep one"
          : quote !== undefined
            ? "YAML syntax error: the quoted value that starts here is never closed"
            : bracket !== undefined
              ? `YAML syntax error: this ${text[bracket]} is never closed with ${text[bracket] === "[" ? "]" : "}"}`
              : `YAML syntax error: ${firstLine(error.message)}`;
      findings.push(at(file, rule, message, pos(quote ?? bracket ?? error.pos[0])));
    }
    for (const warning of doc.warnings) {
      findings.push({
        ...at(
          file,
          "yaml.syntax",
          `YAML warning: ${firstLine(warning.message)}`,
          pos(warning.pos[0]),
        ),
        severity: "warning",
      });
    }
  }
  const locate = makeLocator(first, lineCounter);
  if (broken) return { file, text, locate, secret, findings };

  let data: unknown;
  try {
    data = first.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError) {
      findings.push(
        at(
          file,
          "yaml.alias-limit",
          `YAML aliases expand beyond the bound of ${limits.maxAliasCount} nodes (an alias bomb?): write the values out`,
          firstAlias(first, pos),
        ),
      );
      return { file, text, locate, secret, findings };
    }
    throw error;
  }
  return { file, text, data, locate, secret, findings };
}

/** yaml reports a missing closing quote where the text ends; the opening quote is more useful:
 * it is the last quote before that point that is not escaped. */
function unclosedQuote(text: string, error: YAMLError): number | undefined {
  if (error.code !== "MISSING_CHAR" || !/closing ["']quote/.test(error.message)) return undefined;
  const quote = error.message.includes(`"quote`) ? '"' : "'";
  for (let i = Math.min(error.pos[0], text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    if (quote === '"' && text[i - 1] === "\\") continue;
    if (quote === "'" && (text[i - 1] === "'" || text[i + 1] === "'")) {
      i--;
      continue;
    }
    return i;
  }
  return undefined;
}

/** yaml reports an unclosed [ or { where the next line starts; the bracket is more useful: it
 * opens the outermost flow collection that ends where the error is. */
function unclosedFlow(doc: Document, error: YAMLError): number | undefined {
  if (!/^Flow (sequence|map) .*end with a [\]}]/.test(error.message)) return undefined;
  let found: number | undefined;
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

function firstLine(message: string): string {
  if (message.includes("Maximum call stack")) return "the YAML is nested too deeply to read";
  const nl = message.indexOf("\n");
  return (nl < 0 ? message : message.slice(0, nl)).replace(/ at line \d+, column \d+:?$/, "");
}

function firstAlias(doc: Document, pos: (offset: number) => Position): Position {
  let found: Position = { line: 1, column: 1 };
  visit(doc, {
    Alias(_key, node) {
      if (node.range) found = pos(node.range[0]);
      return visit.BREAK;
    },
  });
  return found;
}

/** A lazy locator: walks the document to the node only when asked. A path that does not exist
 * resolves to its nearest existing ancestor, at that ancestor's key when it has one, so that a
 * missing field points at the object that should hold it. */
export function makeLocator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, part = "value") => {
    // Scalars get an end, so that an annotation underlines them; a collection gets its start only.
    const toPos = (range: readonly number[] | null | undefined, withEnd: boolean): Position => {
      if (!range) return { line: 1, column: 1 };
      const start = lineCounter.linePos(range[0]!);
      if (!withEnd) return { line: start.line, column: start.col };
      const end = lineCounter.linePos(range[1] ?? range[0]!);
      return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
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
      if (isAlias(node)) break;
    }
    const keyNode = pair && isScalar(pair.key) ? pair.key : undefined;
    if ((part === "key" || !complete || node == null) && keyNode) return toPos(keyNode.range, true);
    const target = (node ?? doc.contents) as Node | null;
    return toPos(target?.range, complete && (isScalar(target) || isAlias(target)));
  };
}

/** Decodes and parses one source file. */
export function parseSource(file: SourceFile, limits: LoadLimits = DEFAULT_LIMITS): ParsedFile {
  const decoded = decode(file, limits.maxBytes);
  if (decoded.text === undefined)
    return { file: file.path, secret: false, findings: decoded.findings };
  return parseText(file.path, decoded.text, limits);
}
