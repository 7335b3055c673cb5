// Saved plans (`plan --out FILE`, `apply FILE`): the file format, and the digests that tie a plan
// to what it was made from. Pure: bytes and plain data in, plain data out.
//
// The file is hostile input when it is read back. Its own digest catches a file edited after plan
// wrote it; it is no signature (anyone can recompute a SHA-256), so the guarantee is elsewhere:
// apply re-reads the files and Okta, plans again, and executes only when that plan is the saved
// one, operation for operation. The saved operations are compared, never executed.
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  RESOURCE_KINDS,
  RISK_FLAGS,
  type ActualState,
  type Operation,
  type Plan,
} from "./model.js";

export const SAVED_PLAN_VERSION = 1;
export const SAVED_PLAN_KIND = "okta-gitops/saved-plan";
/** A saved plan larger than this is not read (a plan of thousands of integrations is far less). */
export const SAVED_PLAN_MAX_BYTES = 64 * 1024 * 1024;

const Sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/);

// Repository-relative, forward slashes, no way out of the repository.
const RelativePath = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p) && !p.split(/[\\/]/).includes(".."),
    "must be a path inside the repository",
  );

const SavedOperation = z
  .strictObject({
    id: z.string().max(1024),
    integration: z.string().max(256),
    kind: z.enum(RESOURCE_KINDS),
    action: z.enum(["create", "update", "adopt", "delete", "conflict"]),
    before: z.json().optional(),
    after: z.json().optional(),
    risks: z.array(z.enum(RISK_FLAGS)),
    dependsOn: z.array(z.string().max(1024)),
    target: z
      .strictObject({
        id: z.string().max(256),
        resourceIds: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    reason: z.string().max(4096).optional(),
    assignee: z.literal("serviceAccount").optional(),
  })
  // Fields a newer planner adds are accepted here and then must equal the fresh plan's: the saved
  // operations are only compared, so an unknown field can refuse a plan but never change one.
  .catchall(z.json());

export const SavedPlan = z.strictObject({
  version: z.literal(SAVED_PLAN_VERSION),
  kind: z.literal(SAVED_PLAN_KIND),
  /** When plan wrote it (ISO 8601); for people. */
  created: z.iso.datetime(),
  /** The Okta org: its URL, or "local" for the local org (whose port changes from run to run). */
  org: z.string().max(2048),
  inputs: z.strictObject({
    /** The paths plan was given (repository-relative). */
    paths: z.array(RelativePath).min(1).max(10_000),
    /** The settings file plan read, and its digest; null when there was none. */
    config: z.strictObject({ path: RelativePath, sha256: Sha256 }).nullable(),
    /** Every integration file read, by repository-relative path. */
    files: z.record(RelativePath, Sha256),
  }),
  okta: z.strictObject({
    /** The Okta state of each integration read, by name. */
    integrations: z.record(z.string().max(256), Sha256),
    /** What the integrations share: objects without the marker, the interactive-login block, the
     * bot's own app. */
    shared: z.record(z.string().max(64), Sha256),
  }),
  plan: z.strictObject({
    integrations: z.array(z.string().max(256)),
    refused: z.array(z.string().max(256)),
    operations: z.array(SavedOperation),
  }),
  notes: z.array(z.string().max(16_384)),
  /** SHA-256 of the canonical JSON of everything above. */
  digest: Sha256,
});
export type SavedPlan = z.infer<typeof SavedPlan>;

// --- canonical JSON and digests ------------------------------------------------------------------

/** JSON with object keys sorted, Maps as objects, Sets as sorted arrays, undefined left out.
 * `sortArrays`: arrays as sets too (for Okta's answers, whose order means nothing). */
export function canonical(value: unknown, sortArrays = false): string {
  return JSON.stringify(plain(value, sortArrays));
}

function plain(value: unknown, sortArrays: boolean): unknown {
  if (value instanceof Map)
    return plain(Object.fromEntries([...value].map(([k, v]) => [String(k), v])), sortArrays);
  if (value instanceof Set) return plain([...value], true);
  if (Array.isArray(value)) {
    const items = value.map((v) => plain(v, sortArrays));
    if (!sortArrays) return items;
    return items
      .map((v) => [JSON.stringify(v), v] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }
  if (value && typeof value === "object") {
    // No prototype: a key "__proto__" from a hostile file is a key like any other.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = plain(v, sortArrays);
    }
    return out;
  }
  return value;
}

export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The app as Okta answered it (`raw`) is left out of digests and of the saved file: apply takes
 * it from its own fresh read, and it may hold what a plan file should not (a client secret). */
function withoutRaw<T>(value: T): T {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const { raw: _raw, ...rest } = value as Record<string, unknown>;
  return rest as T;
}

/** Digests of the Okta state a plan was made from: one per integration, one per shared part. */
export function oktaDigests(actual: ActualState): SavedPlan["okta"] {
  const integrations: Record<string, string> = {};
  for (const [name, a] of actual.integrations)
    integrations[name] = sha256(canonical({ ...a, app: withoutRaw(a.app) }, true));
  const shared: Record<string, string> = {};
  const { integrations: _all, ...rest } = actual;
  for (const [key, v] of Object.entries(rest)) shared[key] = sha256(canonical(v ?? null, true));
  return { integrations, shared };
}

/** An operation as saved: everything but the app's raw Okta object. */
export function savedOperation(o: Operation): SavedPlan["plan"]["operations"][number] {
  const copy = JSON.parse(JSON.stringify(o)) as Operation;
  if (copy.target) copy.target = withoutRaw(copy.target);
  return copy as SavedPlan["plan"]["operations"][number];
}

export function savedPlanBody(p: Plan): SavedPlan["plan"] {
  return {
    integrations: [...p.integrations],
    refused: [...(p.refused ?? [])],
    operations: p.operations.map(savedOperation),
  };
}

export function digestOf(doc: Omit<SavedPlan, "digest">): string {
  const { digest: _d, ...body } = doc as SavedPlan;
  return sha256(canonical(body));
}

// --- reading back --------------------------------------------------------------------------------

export class SavedPlanError extends Error {}

/** Parses and checks a saved plan's bytes: JSON, the schema, and its own digest. */
export function parseSavedPlan(bytes: Uint8Array): SavedPlan {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new SavedPlanError("is not a saved plan (not UTF-8 JSON)");
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (json && typeof json === "object" && version !== SAVED_PLAN_VERSION)
    throw new SavedPlanError(
      `is a saved plan of version ${JSON.stringify(version ?? null)}; this okta-gitops reads version ${SAVED_PLAN_VERSION}`,
    );
  const parsed = SavedPlan.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SavedPlanError(
      `is not a valid saved plan: ${issue.path.join(".") || "(top)"}: ${issue.message}`,
    );
  }
  if (digestOf(parsed.data) !== parsed.data.digest)
    throw new SavedPlanError(
      "was changed after plan wrote it (its digest does not match its content)",
    );
  return parsed.data;
}

// --- comparing with now --------------------------------------------------------------------------

/** The files that changed since the plan: one line each. */
export function fileChanges(
  saved: SavedPlan["inputs"],
  now: SavedPlan["inputs"],
  integrationOf: (file: string) => string | undefined,
): string[] {
  const out: string[] = [];
  const named = (f: string) => {
    const name = integrationOf(f);
    return name ? `${f} (integration ${name})` : f;
  };
  for (const [f, digest] of Object.entries(saved.files)) {
    if (!(f in now.files)) out.push(`${named(f)} was removed`);
    else if (now.files[f] !== digest) out.push(`${named(f)} changed`);
  }
  for (const f of Object.keys(now.files))
    if (!(f in saved.files)) out.push(`${named(f)} was added`);
  const was = saved.config;
  const is = now.config;
  if (was && !is) out.push(`the settings file ${was.path} was removed`);
  else if (!was && is) out.push(`the settings file ${is.path} was added`);
  else if (was && is && (was.path !== is.path || was.sha256 !== is.sha256))
    out.push(`the settings file ${is.path} changed`);
  return out;
}

/** What changed in Okta since the plan: integrations by name, shared parts by what they are. */
export function oktaChanges(saved: SavedPlan["okta"], now: SavedPlan["okta"]): string[] {
  const names = new Set([...Object.keys(saved.integrations), ...Object.keys(now.integrations)]);
  const changed = [...names].filter((n) => saved.integrations[n] !== now.integrations[n]).sort();
  const out = changed.map((n) => `integration ${n}`);
  const parts = new Set([...Object.keys(saved.shared), ...Object.keys(now.shared)]);
  for (const part of [...parts].sort())
    if (saved.shared[part] !== now.shared[part]) out.push(SHARED_PARTS[part] ?? part);
  return out;
}

const SHARED_PARTS: Record<string, string> = {
  unowned: "objects without the okta-gitops marker that the integrations' names collide with",
  loginBlock: "the interactive-login block of the service accounts",
  self: "the bot's own integration",
  selfKey: "the key the bot signs with",
  selfScopes: "the scopes the bot runs with",
  scope: "what was read",
};

/** The integrations whose operations differ between the saved plan and the plan made now. */
export function planDifferences(saved: SavedPlan["plan"], now: SavedPlan["plan"]): string[] {
  const group = (p: SavedPlan["plan"]) => {
    const m = new Map<string, string[]>();
    for (const o of p.operations)
      m.set(o.integration, [...(m.get(o.integration) ?? []), canonical(o)]);
    return m;
  };
  const a = group(saved);
  const b = group(now);
  const names = new Set([...a.keys(), ...b.keys(), ...saved.refused, ...now.refused]);
  const differ = [...names].filter(
    (n) =>
      canonical(a.get(n) ?? []) !== canonical(b.get(n) ?? []) ||
      saved.refused.includes(n) !== now.refused.includes(n),
  );
  // Same operations per integration but another order (or other integrations compared) differs too.
  if (!differ.length && canonical(saved) !== canonical(now)) return ["(the order of operations)"];
  return differ.sort();
}
