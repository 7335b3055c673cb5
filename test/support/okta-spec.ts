// Validates HTTP exchanges against Okta's own OpenAPI description (spec/okta/management.yaml, a
// committed copy) with ajv 8. The spec needs three adjustments before ajv accepts it:
// OpenAPI 3.0 `nullable`, the `example(s)` values (their `$id` keys collide) and Okta's custom
// formats. Polymorphism is a `discriminator` mapping on a base schema, so a body is also checked
// against the schema its discriminator value maps to (an OIDC app against OpenIdConnectApplication).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Exchange {
  method: string;
  /** The request path, with or without its query string. */
  path: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

export interface OktaSpec {
  /** The spec's path template of an operation, e.g. /api/v1/apps/{appId}; undefined if none. */
  matchOperation(
    method: string,
    path: string,
  ): { template: string; operationId: string } | undefined;
  validateExchange(exchange: Exchange): string[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The committed copy of Okta's spec (npm run spec refreshes it from ../shared/okta). */
export const OKTA_SPEC_DIR = path.resolve(repoRoot, "spec/okta");
/** Where the copy comes from: ../shared/okta beside the repository, or OKTA_SPEC_DIR. */
export const SHARED_OKTA_DIR = path.resolve(
  repoRoot,
  process.env.OKTA_SPEC_DIR ?? "../shared/okta",
);

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Rewrites the spec in place into something ajv compiles: see the file comment. */
function adapt(node: Json): Json {
  if (Array.isArray(node)) return node.map(adapt);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "example" || key === "examples") continue;
    // A discriminator's mapping is checked separately; oneOf branches that overlap (StandardRole
    // and CustomRole both accept a plain role) would otherwise fail as "matches more than one".
    if (key === "oneOf") out.anyOf = adapt(value);
    else out[key] = adapt(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    const copy: JsonObject = { ...out };
    return { anyOf: [copy, { type: "null" }] };
  }
  delete out.nullable;
  return out;
}

function collectFormats(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectFormats(n, into));
  else if (node && typeof node === "object") {
    if (typeof node.format === "string") into.add(node.format);
    Object.values(node).forEach((n) => collectFormats(n, into));
  }
}

interface Operation {
  method: string;
  template: string;
  operationId: string;
  regex: RegExp;
  literalSegments: number;
  requestSchema?: Json;
  responses: Record<string, Json | undefined>;
}

const cache = new Map<string, OktaSpec>();

/** Okta's OAuth 2.0 endpoints (oauth.yaml): the token endpoint's answers. */
export function loadOAuthSpec(dir: string = OKTA_SPEC_DIR): OktaSpec {
  return loadOktaSpec(dir, "oauth.yaml");
}

/** Okta's Management API (management.yaml), or another of the spec files beside it. */
export function loadOktaSpec(dir: string = OKTA_SPEC_DIR, file = "management.yaml"): OktaSpec {
  const key = path.join(dir, file);
  const hit = cache.get(key);
  if (hit) return hit;
  const specId = `okta-${file.replace(/\W/g, "-")}`;
  const raw = parse(readFileSync(key, "utf8")) as JsonObject;
  const doc = adapt(raw) as JsonObject;
  doc.$id = specId;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  const formats = new Set<string>();
  collectFormats(doc, formats);
  for (const f of formats) if (!ajv.formats[f]) ajv.addFormat(f, true);
  ajv.addSchema(doc as object);

  const components = doc.components as JsonObject;
  const responseComponents = components.responses as JsonObject;
  const schemas = components.schemas as JsonObject;
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as JsonObject)) {
    for (const [method, op] of Object.entries(item as JsonObject)) {
      if (!op || typeof op !== "object" || Array.isArray(op) || typeof op.operationId !== "string")
        continue;
      const segments = template.split("/").filter(Boolean);
      const pattern = segments.map((s) =>
        s.startsWith("{") ? "[^/]+" : s.replace(/[.*+?^$()|[\]\\]/g, "\\$&"),
      );
      const body = op.requestBody as JsonObject | undefined;
      const reqContent = body?.content as JsonObject | undefined;
      const responses: Record<string, Json | undefined> = {};
      for (const [status, r] of Object.entries(op.responses as JsonObject)) {
        let resp = r as JsonObject;
        if (typeof resp.$ref === "string")
          resp = responseComponents[resp.$ref.split("/").pop() ?? ""] as JsonObject;
        const content = resp.content as JsonObject | undefined;
        responses[status] = (content?.["application/json"] as JsonObject | undefined)?.schema;
      }
      operations.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId,
        regex: new RegExp(`^/${pattern.join("/")}/?$`),
        literalSegments: segments.filter((s) => !s.startsWith("{")).length,
        requestSchema: (reqContent?.["application/json"] as JsonObject | undefined)?.schema,
        responses,
      });
    }
  }
  // Most specific first: /api/v1/apps/{appId}/grants before /api/v1/apps/{appName}/{appId}.
  operations.sort((a, b) => b.literalSegments - a.literalSegments);

  const compiled = new Map<string, ValidateFunction>();
  const compile = (key: string, schema: Json): ValidateFunction => {
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(rebase(schema, specId) as object);
      compiled.set(key, fn);
    }
    return fn;
  };
  const resolve = (schema: Json): JsonObject | undefined => {
    let s = schema;
    for (
      let i = 0;
      i < 10 && s && typeof s === "object" && !Array.isArray(s) && typeof s.$ref === "string";
      i++
    ) {
      s = schemas[s.$ref.split("/").pop() ?? ""] ?? null;
    }
    return s && typeof s === "object" && !Array.isArray(s) ? s : undefined;
  };

  /** Errors of `data` against `schema`, then against the schemas its discriminators map to. */
  const check = (key: string, schema: Json, data: unknown, where: string, depth = 0): string[] => {
    const fn = compile(key, schema);
    const out = fn(data)
      ? []
      : (fn.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? ""}`);
    if (depth > 4) return out;
    const s = resolve(schema);
    if (!s) return out;
    const disc = s.discriminator as JsonObject | undefined;
    if (disc && data && typeof data === "object" && !Array.isArray(data)) {
      const prop = disc.propertyName as string;
      const value = (data as Record<string, unknown>)[prop];
      const mapping = disc.mapping as JsonObject | undefined;
      const target = typeof value === "string" ? mapping?.[value] : undefined;
      const self =
        typeof schema === "object" && schema && !Array.isArray(schema) ? schema.$ref : undefined;
      if (typeof target === "string" && target !== self) {
        out.push(...check(`ref:${target}`, { $ref: target }, data, where, depth + 1));
      }
    }
    if (s.type === "array" && Array.isArray(data) && s.items) {
      data.forEach((item, i) => {
        if (out.length < 50)
          out.push(...checkMapped(s.items as Json, item, `${where}/${i}`, depth + 1));
      });
    }
    return out;
  };
  /** Only the discriminator part for array items: the items themselves were checked with the array. */
  const checkMapped = (schema: Json, data: unknown, where: string, depth: number): string[] => {
    const s = resolve(schema);
    const disc = s?.discriminator as JsonObject | undefined;
    if (!disc || !data || typeof data !== "object") return [];
    const value = (data as Record<string, unknown>)[disc.propertyName as string];
    const target =
      typeof value === "string" ? (disc.mapping as JsonObject | undefined)?.[value] : undefined;
    return typeof target === "string"
      ? check(`ref:${target}`, { $ref: target }, data, where, depth)
      : [];
  };

  const matchOperation = (method: string, p: string): Operation | undefined => {
    const pathOnly = p.split("?")[0] ?? p;
    return operations.find((o) => o.method === method.toUpperCase() && o.regex.test(pathOnly));
  };

  const spec: OktaSpec = {
    matchOperation(method, p) {
      const op = matchOperation(method, p);
      return op && { template: op.template, operationId: op.operationId };
    },
    validateExchange(ex) {
      const op = matchOperation(ex.method, ex.path);
      const label = `${ex.method.toUpperCase()} ${ex.path.split("?")[0]}`;
      if (!op) return [`${label}: no such operation in the spec`];
      const violations: string[] = [];
      const prefix = `${label} (${op.operationId})`;
      if (ex.requestBody !== undefined && op.requestSchema !== undefined) {
        violations.push(
          ...check(`req:${op.operationId}`, op.requestSchema, ex.requestBody, `${prefix} request`),
        );
      }
      const status = String(ex.status);
      const documented =
        status in op.responses || `${status[0]}XX` in op.responses || "default" in op.responses;
      // Okta answers 401 and 5xx with its error shape even where an operation documents neither.
      const undocumentedError = ex.status === 401 || ex.status >= 500;
      if (!documented && !undocumentedError) {
        violations.push(
          `${prefix}: status ${status} is not documented (${Object.keys(op.responses).join(", ")})`,
        );
        return violations;
      }
      const schema = documented
        ? (op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default)
        : { $ref: "#/components/schemas/ModelError" };
      if (schema !== undefined) {
        if (ex.responseBody === undefined)
          violations.push(`${prefix} response ${status}: a body was expected`);
        else
          violations.push(
            ...check(
              `res:${op.operationId}:${status}`,
              schema,
              ex.responseBody,
              `${prefix} response ${status}`,
            ),
          );
      }
      return violations;
    },
  };
  cache.set(key, spec);
  return spec;
}

/** Local `#/components/...` refs must point into the registered document. */
function rebase(schema: Json, id: string): Json {
  if (Array.isArray(schema)) return schema.map((s) => rebase(s, id));
  if (schema === null || typeof schema !== "object") return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] =
      k === "$ref" && typeof v === "string" && v.startsWith("#") ? `${id}${v}` : rebase(v, id);
  }
  return out;
}
