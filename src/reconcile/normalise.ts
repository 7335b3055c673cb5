// Canonical forms. Okta answers in its own forms (resource ORNs or REST URLs, gateways as typed
// objects, keys with status and ids, lists in its own order, grant types as a list); both the
// desired state and what is read from Okta pass through these functions, so the same meaning is
// always the same data and a plan right after an apply is empty.
import ipaddr from "ipaddr.js";
import { readOktaResource, readResource } from "../model/resource-ref.js";
import type { JwkState, RoleAssignmentState } from "./model.js";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const GRANT_TYPE_TOKEN_EXCHANGE = TOKEN_EXCHANGE;

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** One allow-list entry as Okta stores it: a CIDR (a bare address becomes /32 or /128) or a
 * range a-b; addresses in their shortest form. Unparseable text is kept as written. */
export function canonicalGateway(entry: string): string {
  const text = entry.trim();
  try {
    if (text.includes("-")) {
      const [a, b] = text.split("-").map((s) => ipaddr.parse(s.trim()).toString());
      return a === b ? cidrOf(a!) : `${a}-${b}`;
    }
    if (text.includes("/")) {
      const [addr, prefix] = ipaddr.parseCIDR(text);
      return `${addr.toString()}/${prefix}`;
    }
    return cidrOf(ipaddr.parse(text).toString());
  } catch {
    return text;
  }
}

function cidrOf(address: string): string {
  return `${address}/${address.includes(":") ? 128 : 32}`;
}

export const gatewayType = (canonical: string): "CIDR" | "RANGE" =>
  canonical.includes("-") ? "RANGE" : "CIDR";

export function canonicalGateways(entries: Iterable<string>): string[] {
  return sortedUnique([...entries].map(canonicalGateway));
}

/**
 * A resource-set member in the short form of the integration files: `users`, `groups`, `apps`,
 * `groups/<id>`, `groups/<id>/users`, `apps/<id or name>`. Reads that form and Okta's ORNs as the
 * policy reads them (src/model/resource-ref.ts: one reader for both, so the policy judges exactly
 * what is sent), and Okta's REST URLs (https://org/api/v1/groups/<id>/users). Text that is not read
 * is kept as it is: from Okta it then matches nothing the files ask for and shows as a difference;
 * from a file the policy has refused it, and resourceUrl will not send it.
 */
export function canonicalResource(ref: string): string {
  const read = /^https?:/.test(ref) ? readOktaResource(ref) : readResource(ref);
  return read.ok ? read.canonical : ref;
}

/** The form the bot sends to Okta: the REST URL, which Okta accepts everywhere (an ORN of another
 * service as it is). Throws on anything but a canonical resource: the last guard against sending
 * a text the policy did not judge. */
export function resourceUrl(orgUrl: string, canonical: string): string {
  const read = readResource(canonical);
  if (!read.ok || read.canonical !== canonical)
    throw new Error(
      `refusing to send the resource ${JSON.stringify(canonical.slice(0, 80))}: it is not in its canonical form`,
    );
  if (canonical.startsWith("orn:")) return canonical;
  return `${orgUrl.replace(/\/$/, "")}/api/v1/${canonical}`;
}

export function canonicalResources(refs: Iterable<string>): string[] {
  return sortedUnique([...refs].map(canonicalResource));
}

/** A key without what Okta adds (id, status, created, alg and use defaults). */
export function canonicalJwk(key: Record<string, unknown>): JwkState {
  const out: JwkState = { kid: String(key.kid ?? ""), kty: String(key.kty ?? "") };
  for (const m of ["n", "e", "crv", "x", "y"] as const) {
    if (typeof key[m] === "string") out[m] = key[m] as string;
  }
  return out;
}

export function canonicalJwks(keys: readonly Record<string, unknown>[]): JwkState[] {
  return keys.map(canonicalJwk).sort((a, b) => a.kid.localeCompare(b.kid));
}

export function hasTokenExchange(grantTypes: unknown): boolean {
  return Array.isArray(grantTypes) && grantTypes.includes(TOKEN_EXCHANGE);
}

export function roleKey(role: RoleAssignmentState): string {
  return "role" in role ? `CUSTOM:${role.role}:${role.resourceSet}` : role.type;
}

/** Deep equality of canonical JSON values (key order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
