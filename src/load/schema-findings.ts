// zod issues to findings in plain words, each at the node at fault: an unknown key at the key, a
// wrong value at the value, a missing field at the object that should hold it. Pure.
import type { z } from "zod";
import type { Finding } from "../model/finding.js";
import type { NodePath } from "./types.js";
import type { Locate } from "./parse.js";
import { PRIVATE_JWK_MEMBER_NAMES } from "../model/integration.js";

export interface SchemaContext {
  file: string;
  /** The data that was checked, to describe what was found. */
  data: unknown;
  locate: Locate;
  /** The schema that was checked, to suggest the key a typo meant. */
  schema: z.ZodType;
  /** When false, values are never quoted in messages (the file holds a secret). */
  echo: boolean;
  integration?: string;
}

export function schemaFindings(issues: readonly z.core.$ZodIssue[], ctx: SchemaContext): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    // Private JWK members have their own rule (see findPrivateJwkMembers); never report twice.
    if (issue.code === "invalid_type" && issue.expected === "never") continue;
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(ctx.schema, path);
      for (const key of issue.keys) {
        const suggestion = closest(key, known);
        findings.push(
          make(
            ctx,
            "schema.unknown-key",
            [...path, key],
            "key",
            `${show([...path, key])}: unknown key "${printable(key)}"` +
              (suggestion ? `; did you mean "${suggestion}"?` : "") +
              (known.length && !suggestion ? ` (allowed here: ${known.join(", ")})` : ""),
          ),
        );
      }
      continue;
    }
    const value = valueAt(ctx.data, path);
    const custom = isCustomMessage(issue.message) ? issue.message : undefined;
    if (issue.code === "invalid_type") {
      if (value === undefined) {
        findings.push(
          make(
            ctx,
            "schema.missing",
            path,
            "key",
            `${show(path)} is required` +
              (custom ? `: it ${custom}` : `: add it (${describeExpected(issue.expected)})`),
          ),
        );
      } else {
        findings.push(
          make(
            ctx,
            "schema.type",
            path,
            part(value),
            `${show(path)}: expected ${describeExpected(issue.expected)}, got ${describe(value, ctx.echo)}` +
              (custom ? ` (${custom})` : ""),
          ),
        );
      }
      continue;
    }
    let message: string;
    switch (issue.code) {
      case "invalid_value":
        message = `expected ${oneOf(issue.values)}, got ${describe(value, ctx.echo)}`;
        break;
      case "invalid_union":
        message =
          (issue as { note?: string }).note === "No matching discriminator"
            ? `expected ${oneOf((issue as { options?: unknown[] }).options ?? [])}, got ${describe(value, ctx.echo)}`
            : `does not match any allowed form (got ${describe(value, ctx.echo)})`;
        break;
      case "invalid_format":
        message = `${custom ?? `must be a valid ${issue.format}`}, got ${describe(value, ctx.echo)}${nonAscii(value)}`;
        break;
      case "too_small":
      case "too_big":
        message = custom ?? sizeMessage(issue, value);
        break;
      default:
        message = custom ?? issue.message;
    }
    findings.push(make(ctx, "schema.invalid", path, part(value), `${show(path)}: ${message}`));
  }
  return findings;
}

/** Every JWK in the data that holds a private member, wherever it is. */
export function findPrivateJwkMembers(ctx: Omit<SchemaContext, "schema" | "echo">): Finding[] {
  const findings: Finding[] = [];
  // One path stack for the whole walk, copied only for a finding: this runs on every file.
  const path: (string | number)[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        walk(node[i]);
        path.pop();
      }
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    // A JWK is a map with kty, or any entry of a jwks list (a private key may come without kty).
    if (Object.hasOwn(record, "kty") || path.includes("jwks")) {
      const members = PRIVATE_JWK_MEMBER_NAMES.filter((m) => Object.hasOwn(record, m));
      if (members.length > 0) {
        findings.push(
          make(
            ctx,
            "credentials.private-key",
            [...path, members[0]!],
            "key",
            `${show(path)}: this JWK holds private key material (${members.join(", ")}): commit ` +
              "only the public key (kty, kid, n, e or crv, x, y), and rotate the key (it is now " +
              "in git history)",
          ),
        );
      }
    }
    for (const key of Object.keys(record)) {
      path.push(key);
      walk(record[key]);
      path.pop();
    }
  };
  walk(ctx.data);
  return findings;
}

function make(
  ctx: { file: string; locate: Locate; integration?: string },
  rule: string,
  path: NodePath,
  where: "key" | "value",
  message: string,
): Finding {
  const finding: Finding = {
    rule,
    severity: "error",
    message,
    file: ctx.file,
    ...ctx.locate(path, where),
  };
  if (ctx.integration !== undefined) finding.integration = ctx.integration;
  return finding;
}

/** Scalars are pointed at themselves; collections at their key. */
function part(value: unknown): "key" | "value" {
  return value !== null && typeof value === "object" ? "key" : "value";
}

/** spec.network.allow[0] */
export function show(path: NodePath): string {
  let out = "";
  for (const s of path) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
  return out || "the document";
}

function valueAt(data: unknown, path: NodePath): unknown {
  let node = data;
  for (const s of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[s];
  }
  return node;
}

// zod's own messages start like this; anything else was written in src/model for people.
function isCustomMessage(message: string): boolean {
  return !/^(Invalid|Too (small|big)|Unrecognized key|Expected)/.test(message);
}

const EXPECTED: Record<string, string> = {
  boolean: "true or false",
  string: "text",
  number: "a number",
  int: "a whole number",
  array: "a list",
  object: "a mapping (key: value)",
  date: "a date",
};

function describeExpected(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

export function describe(value: unknown, echo: boolean): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value (null)";
  if (Array.isArray(value)) return value.length ? "a list" : "an empty list";
  if (typeof value === "object") return "a mapping";
  if (!echo) return `a ${typeof value}`;
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

/** Keys and values may hold look-alike characters or terminal escapes: print them safely. */
function printable(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function nonAscii(value: unknown): string {
  if (typeof value !== "string") return "";
  const index = [...value].findIndex((c) => c.codePointAt(0)! > 0x7e || c.codePointAt(0)! < 0x20);
  if (index < 0) return "";
  const char = [...value][index]!;
  const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  return ` (character ${index + 1} is U+${code}, not plain ASCII: a look-alike?)`;
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  return shown.length === 1 ? shown[0]! : `one of ${shown.join(", ")}`;
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown) {
  const small = issue.code === "too_small";
  const bound = Number(small ? issue.minimum : issue.maximum);
  const word = small ? "at least" : "at most";
  if (Array.isArray(value)) return `must have ${word} ${bound} item${bound === 1 ? "" : "s"}`;
  if (typeof value === "string") return `must be ${word} ${bound} characters long`;
  return `must be ${word} ${bound}, got ${String(value)}`;
}

/** The keys the schema allows at a path, to suggest what a typo meant. */
function knownKeys(schema: z.ZodType, path: NodePath): string[] {
  let current: unknown = schema;
  for (const s of path) {
    current = unwrap(current);
    const def = defOf(current);
    if (def?.type === "object") current = (def.shape as Record<string, unknown>)[String(s)];
    else if (def?.type === "array") current = def.element;
    else return [];
  }
  const keys = new Set<string>();
  collectKeys(unwrap(current), keys);
  return [...keys].filter((k) => !PRIVATE_JWK_MEMBER_NAMES.includes(k));
}

function defOf(schema: unknown): Record<string, unknown> | undefined {
  return (schema as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (!def) return current;
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe") current = def.in;
    else return current;
  }
}

function collectKeys(schema: unknown, keys: Set<string>): void {
  const def = defOf(schema);
  if (def?.type === "object") for (const k of Object.keys(def.shape as object)) keys.add(k);
  else if (def?.type === "union")
    for (const option of def.options as unknown[]) collectKeys(unwrap(option), keys);
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
