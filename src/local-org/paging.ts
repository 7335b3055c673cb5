// The two paging styles of Okta: most lists answer an array with an absolute
// `Link: <...>; rel="next"` header and take `after` (the last id seen) and `limit`; the IAM lists
// answer an object whose `_links.next.href` carries the cursor.
import { errors } from "./errors.js";
import type { Ctx } from "./context.js";

export interface Page<T> {
  items: T[];
  /** The cursor of the next page, if there is one. */
  next?: string;
}

export function pageOf<T extends { id: string }>(
  all: T[],
  ctx: Ctx,
  opts: { defaultLimit: number; maxLimit: number },
): Page<T> {
  const raw = ctx.query.get("limit");
  let limit = opts.defaultLimit;
  if (raw !== null) {
    const n = Number(raw);
    if (!Number.isInteger(n))
      throw errors.validation([`limit: '${raw}' is not a valid integer`], "limit");
    // Okta caps an over-large limit at the maximum rather than refusing it; -1 means the default.
    limit = n <= 0 ? opts.defaultLimit : Math.min(n, opts.maxLimit);
  }
  const after = ctx.query.get("after");
  let start = 0;
  if (after) {
    const i = all.findIndex((x) => x.id === after);
    start = i >= 0 ? i + 1 : all.length;
  }
  const items = all.slice(start, start + limit);
  const last = items[items.length - 1];
  return { items, next: start + limit < all.length && last ? last.id : undefined };
}

/** The absolute Link header of a page: self, and next when there is one. */
export function linkHeader(ctx: Ctx, next: string | undefined): Record<string, string> {
  const self = new URL(ctx.baseUrl + ctx.path);
  ctx.query.forEach((v, k) => self.searchParams.set(k, v));
  const links = [`<${self.href}>; rel="self"`];
  if (next) {
    const n = new URL(self.href);
    n.searchParams.set("after", next);
    links.push(`<${n.href}>; rel="next"`);
  }
  return { Link: links.join(", ") };
}

export function nextHref(ctx: Ctx, next: string | undefined): { next?: { href: string } } {
  if (!next) return {};
  const n = new URL(ctx.baseUrl + ctx.path);
  ctx.query.forEach((v, k) => n.searchParams.set(k, v));
  n.searchParams.set("after", next);
  return { next: { href: n.href } };
}

/** Okta's ordering of lists: by creation, ties broken by id. */
export function byCreation<T extends { created?: string; createdDate?: string; id: string }>(
  items: T[],
): T[] {
  return items.sort((a, b) => {
    const ca = a.created ?? a.createdDate ?? "";
    const cb = b.created ?? b.createdDate ?? "";
    return ca < cb ? -1 : ca > cb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/**
 * A subset of Okta's filter expressions: `field eq "value"` clauses joined by `and` (or `or`).
 * Enough for `name eq "oidc_client"`, `status eq "ACTIVE"`, `profile.login eq "x"`.
 */
export function parseFilter(
  expr: string,
  allowed: readonly string[],
): (get: (field: string) => unknown) => boolean {
  const clause = /^\s*([A-Za-z_.]+)\s+(eq|sw)\s+"((?:[^"\\]|\\.)*)"\s*$/;
  const orParts = expr.split(/\s+or\s+/i);
  const parsed = orParts.map((part) =>
    part.split(/\s+and\s+/i).map((c) => {
      const m = clause.exec(c);
      if (!m || !m[1] || !m[2] || m[3] === undefined)
        throw errors.invalidSearch(`cannot parse filter '${expr}'`);
      if (!allowed.includes(m[1]))
        throw errors.invalidSearch(`filtering on '${m[1]}' is not supported`);
      return { field: m[1], op: m[2], value: m[3].replace(/\\(.)/g, "$1") };
    }),
  );
  return (get) =>
    parsed.some((all) =>
      all.every(({ field, op, value }) => {
        const v = get(field);
        if (typeof v !== "string") return false;
        return op === "eq" ? v === value : v.toLowerCase().startsWith(value.toLowerCase());
      }),
    );
}
