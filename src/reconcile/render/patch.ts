// RFC 6902 patches between an operation's before and after, and a per-field view of them.
import jsonpatch from "fast-json-patch";
import type { Operation as PatchOperation } from "fast-json-patch";
import type { Operation } from "../model.js";

export type { PatchOperation };

/** The JSON Patch that turns `before` into `after` (the whole object for a create or delete). */
export function patchOf(op: Operation): PatchOperation[] {
  if (op.action === "conflict") return [];
  if (op.action === "create") return [{ op: "add", path: "", value: op.after }];
  if (op.action === "delete") return [{ op: "remove", path: "" }];
  return jsonpatch.compare(asObject(op.before), asObject(op.after));
}

function asObject(v: unknown): object {
  return v && typeof v === "object" ? (v as object) : { value: v };
}

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** The fields an update changes, with old and new values (list members as whole lists). */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const b = asObject(before);
  const a = asObject(after);
  const paths = new Set<string>();
  for (const p of jsonpatch.compare(b, a)) paths.add(topField(p.path, b, a));
  return [...paths].sort().map((path) => ({
    path,
    before: valueAt(b, path),
    after: valueAt(a, path),
  }));
}

/** Collapse a change inside a list to the list itself: "gateways", not "gateways/2". */
function topField(path: string, b: object, a: object): string {
  const parts = path.split("/").slice(1);
  const out: string[] = [];
  for (const part of parts) {
    const here = "/" + [...out, part].join("/");
    out.push(part);
    if (Array.isArray(valueAt(b, here)) || Array.isArray(valueAt(a, here))) break;
  }
  return "/" + out.join("/");
}

function valueAt(obj: object, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split("/").slice(1)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return cur;
}

/** A value for people: keys by their kid (the key material is in the JSON output). */
export function show(v: unknown): string {
  if (v === undefined) return "(none)";
  if (v && typeof v === "object" && !Array.isArray(v) && "jwks" in v) {
    const { jwks, ...rest } = v as { jwks: { kid: string }[] };
    return JSON.stringify({ ...rest, jwks: jwks.map((k) => `kid:${k.kid}`) });
  }
  if (Array.isArray(v) && v.every((k) => k && typeof k === "object" && "kid" in k))
    return `[${v.map((k) => `kid:${(k as { kid: string }).kid}`).join(", ")}]`;
  if (Array.isArray(v) && v.every((x) => typeof x !== "object")) return `[${v.join(", ")}]`;
  return JSON.stringify(v);
}
