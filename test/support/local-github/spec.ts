// Validates GitHub traffic against GitHub's REST OpenAPI description (spec/github/api.subset.json,
// the committed subset `npm run github-spec` makes) with ajv 8: an operation is found by method and
// path template, then its path and query parameters, its request body and its response body for
// the status are checked. OpenAPI 3.0 `nullable` becomes an anyOf with null, `oneOf` becomes anyOf
// (GitHub's branches overlap: a content-file is also a content-submodule by shape), and
// `example(s)` are dropped (they are data, not schemas). Webhook payloads are checked against the
// schemas of the description's `x-webhooks`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface GitHubExchange {
  method: string;
  /** The path below /api/v3, with or without its query string. */
  path: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

export interface OperationMatch {
  template: string;
  operationId: string;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
}

export interface GitHubSpec {
  matchOperation(method: string, path: string): OperationMatch | undefined;
  /** Every way the exchange breaks the description; [] when it conforms. */
  validateExchange(exchange: GitHubExchange): string[];
  /** Only the request half (parameters and body). */
  validateRequest(method: string, path: string, body: unknown): string[];
  /** The request half, its parameters' violations apart from its body's. */
  checkRequest(method: string, path: string, body: unknown): { params: string[]; body: string[] };
  /** Only the answer half: the body for that status. */
  validateResponse(method: string, path: string, status: number, body: unknown): string[];
  /** A webhook payload against x-webhooks[name] (e.g. "pull-request-opened"). */
  validateWebhook(name: string, payload: unknown): string[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const GITHUB_SUBSET_FILE = path.join(repoRoot, "spec/github/api.subset.json");
/** Where the subset comes from: ../shared/github beside the repository, or GITHUB_SPEC_DIR. */
export const SHARED_GITHUB_FILE = path.join(
  path.resolve(repoRoot, process.env.GITHUB_SPEC_DIR ?? "../shared/github"),
  "api.github.com.json",
);

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const SPEC_ID = "github-rest";

/** GitHub answers these on any operation, documented there or not, with its error shapes. */
const ERROR_SCHEMAS: Record<number, Json> = {
  401: { $ref: "#/components/schemas/basic-error" },
  403: { $ref: "#/components/schemas/basic-error" },
  404: { $ref: "#/components/schemas/basic-error" },
  409: { $ref: "#/components/schemas/basic-error" },
  422: { $ref: "#/components/schemas/validation-error" },
};

function adapt(node: Json): Json {
  if (Array.isArray(node)) return node.map(adapt);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "example" || key === "examples") continue;
    if (key === "oneOf") out.anyOf = adapt(value);
    else out[key] = adapt(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [{ ...out }, { type: "null" }] };
  }
  delete out.nullable;
  return out;
}

/** Local `#/components/...` refs must point into the registered document. */
function rebase(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== "object") return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema))
    out[k] =
      k === "$ref" && typeof v === "string" && v.startsWith("#") ? `${SPEC_ID}${v}` : rebase(v);
  return out;
}

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Json;
  multiSegment: boolean;
}

interface Operation {
  method: string;
  template: string;
  operationId: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
  parameters: Parameter[];
  requestSchema?: Json;
  responses: Record<string, { schema?: Json }>;
}

/** A query value as the schema's type reads it ("30" is the integer 30). */
function coerce(value: string, schema: Json): unknown {
  const s = schema as JsonObject | null;
  const type = s && typeof s === "object" ? s.type : undefined;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  if (type === "array") return value.split(",");
  return value;
}

let cached: GitHubSpec | undefined;

export function loadGitHubSpec(file: string = GITHUB_SUBSET_FILE): GitHubSpec {
  if (cached && file === GITHUB_SUBSET_FILE) return cached;
  const doc = adapt(JSON.parse(readFileSync(file, "utf8")) as Json) as JsonObject;
  doc.$id = SPEC_ID;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc as object);
  const components = doc.components as JsonObject;
  const deref = (node: Json, kind: string): JsonObject => {
    let n = node as JsonObject;
    for (let i = 0; i < 5 && typeof n.$ref === "string"; i++)
      n = (components[kind] as JsonObject)[n.$ref.split("/").pop() ?? ""] as JsonObject;
    return n;
  };

  const operations: Operation[] = [];
  for (const [template, rawItem] of Object.entries(doc.paths as JsonObject)) {
    const item = rawItem as JsonObject;
    for (const [method, rawOp] of Object.entries(item)) {
      if (method === "parameters") continue;
      const op = rawOp as JsonObject;
      const parameters: Parameter[] = [
        ...((item.parameters as Json[] | undefined) ?? []),
        ...((op.parameters as Json[] | undefined) ?? []),
      ].map((p) => {
        const d = deref(p, "parameters");
        return {
          name: d.name as string,
          in: d.in as string,
          required: d.required === true,
          schema: d.schema ?? {},
          multiSegment: d["x-multi-segment"] === true,
        };
      });
      const names: string[] = [];
      const segments = template.split("/").filter(Boolean);
      const pattern = segments.map((s) => {
        if (!s.startsWith("{")) return s.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
        const name = s.slice(1, -1);
        names.push(name);
        return parameters.find((p) => p.name === name && p.in === "path")?.multiSegment
          ? "(.+)"
          : "([^/]+)";
      });
      const responses: Record<string, { schema?: Json }> = {};
      for (const [status, r] of Object.entries(op.responses as JsonObject)) {
        const resp = deref(r, "responses");
        const content = resp.content as JsonObject | undefined;
        const media = (content?.["application/json"] ?? content?.["application/scim+json"]) as
          JsonObject | undefined;
        responses[status] = media?.schema === undefined ? {} : { schema: media.schema };
      }
      const body = op.requestBody as JsonObject | undefined;
      const reqContent = body?.content as JsonObject | undefined;
      operations.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId as string,
        regex: new RegExp(`^/${pattern.join("/")}/?$`),
        names,
        literalSegments: segments.filter((s) => !s.startsWith("{")).length,
        parameters,
        requestSchema: (reqContent?.["application/json"] as JsonObject | undefined)?.schema,
        responses,
      });
    }
  }
  // Most specific first: /repos/{owner}/{repo}/commits/{ref}/check-runs before .../commits/{sha}.
  operations.sort((a, b) => b.literalSegments - a.literalSegments);

  const compiled = new Map<string, ValidateFunction>();
  const check = (key: string, schema: Json, data: unknown, where: string): string[] => {
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(rebase(schema) as object);
      compiled.set(key, fn);
    }
    if (fn(data)) return [];
    return (fn.errors ?? [])
      .slice(0, 20)
      .map((e) => `${where}${e.instancePath} ${e.message ?? ""}`.trimEnd());
  };

  const find = (method: string, p: string): { op: Operation; values: string[] } | undefined => {
    const pathOnly = p.split("?")[0] ?? p;
    for (const op of operations) {
      if (op.method !== method.toUpperCase()) continue;
      const m = op.regex.exec(pathOnly);
      if (m) return { op, values: m.slice(1) };
    }
    return undefined;
  };
  const decode = (v: string): string => {
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  };

  const checkRequest = (
    method: string,
    p: string,
    body: unknown,
  ): { params: string[]; body: string[] } => {
    const label = `${method.toUpperCase()} ${p.split("?")[0]}`;
    const hit = find(method, p);
    if (!hit) return { params: [`${label}: no such operation in GitHub's description`], body: [] };
    const { op, values } = hit;
    const prefix = `${label} (${op.operationId})`;
    const out: string[] = [];
    const bodyOut: string[] = [];
    op.names.forEach((name, i) => {
      const param = op.parameters.find((x) => x.name === name && x.in === "path");
      if (param)
        out.push(
          ...check(
            `path:${op.operationId}:${name}`,
            param.schema,
            coerce(decode(values[i] ?? ""), param.schema),
            `${prefix} path parameter ${name}`,
          ),
        );
    });
    const query = new URLSearchParams(p.includes("?") ? p.slice(p.indexOf("?") + 1) : "");
    for (const key of new Set(query.keys())) {
      const param = op.parameters.find((x) => x.name === key && x.in === "query");
      if (!param) {
        out.push(`${prefix}: query parameter ${key} is not in the description`);
        continue;
      }
      out.push(
        ...check(
          `query:${op.operationId}:${key}`,
          param.schema,
          coerce(query.get(key) ?? "", param.schema),
          `${prefix} query parameter ${key}`,
        ),
      );
    }
    for (const param of op.parameters)
      if (param.in === "query" && param.required && !query.has(param.name))
        out.push(`${prefix}: required query parameter ${param.name} is missing`);
    if (op.requestSchema !== undefined) {
      if (body === undefined) {
        if ((op.requestSchema as JsonObject).required)
          bodyOut.push(`${prefix} request: a JSON body was expected`);
      } else
        bodyOut.push(
          ...check(`req:${op.operationId}`, op.requestSchema, body, `${prefix} request`),
        );
    } else if (body !== undefined) bodyOut.push(`${prefix} request: the operation takes no body`);
    return { params: out, body: bodyOut };
  };
  const validateRequest = (method: string, p: string, body: unknown): string[] => {
    const r = checkRequest(method, p, body);
    return [...r.params, ...r.body];
  };

  const validateResponse = (method: string, p: string, status: number, body: unknown): string[] => {
    const label = `${method.toUpperCase()} ${p.split("?")[0]}`;
    const hit = find(method, p);
    if (!hit) return [`${label}: no such operation in GitHub's description`];
    const { op } = hit;
    const prefix = `${label} (${op.operationId}) response ${status}`;
    const documented = op.responses[String(status)];
    const schema = documented ? documented.schema : ERROR_SCHEMAS[status];
    if (!documented && schema === undefined)
      return [
        `${prefix}: status ${status} is not documented (${Object.keys(op.responses).join(", ")})`,
      ];
    if (schema === undefined) return [];
    if (body === undefined) return [`${prefix}: a body was expected`];
    return check(
      `res:${op.operationId}:${documented ? status : `error${status}`}`,
      schema,
      body,
      prefix,
    );
  };

  const hooks = doc["x-webhooks"] as JsonObject;
  const spec: GitHubSpec = {
    matchOperation(method, p) {
      const hit = find(method, p);
      if (!hit) return undefined;
      const params: Record<string, string> = {};
      hit.op.names.forEach((n, i) => (params[n] = decode(hit.values[i] ?? "")));
      return { template: hit.op.template, operationId: hit.op.operationId, params };
    },
    validateRequest,
    checkRequest,
    validateResponse,
    validateExchange(ex) {
      return [
        ...validateRequest(ex.method, ex.path, ex.requestBody),
        ...(find(ex.method, ex.path)
          ? validateResponse(ex.method, ex.path, ex.status, ex.responseBody)
          : []),
      ];
    },
    validateWebhook(name, payload) {
      const hook = hooks[name] as JsonObject | undefined;
      const post = hook?.post as JsonObject | undefined;
      const content = (post?.requestBody as JsonObject | undefined)?.content as
        JsonObject | undefined;
      const schema = (content?.["application/json"] as JsonObject | undefined)?.schema;
      if (schema === undefined) return [`webhook ${name}: not in GitHub's description`];
      return check(`hook:${name}`, schema, payload, `webhook ${name}`);
    },
  };
  if (file === GITHUB_SUBSET_FILE) cached = spec;
  return spec;
}
