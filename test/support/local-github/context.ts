// What a resource handler sees of a request, what it answers, and GitHub's error and paging
// conventions shared by every resource.
import type { AppIdentity, Site } from "./objects.js";
import type { RepoState, Store } from "./store.js";

export interface Caller {
  kind: "app" | "installation";
  /** The login the caller acts as: `<slug>[bot]` for an installation token. */
  login: string;
}

export interface Ctx {
  store: Store;
  site: Site;
  app: AppIdentity;
  method: string;
  /** Below /api/v3, without the query string. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  caller: Caller;
  /** Signs a short-lived download link (the tarball redirect). */
  signDownload(path: string): string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply;

const DOCS = "https://docs.github.com/rest";

/** An answer GitHub gives instead of the resource: thrown by handlers, sent by the server. */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: { resource?: string; field?: string; code: string; message?: string }[],
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const out: Record<string, unknown> = { message: this.message, documentation_url: DOCS };
    if (this.errors) out.errors = this.errors;
    if (this.status !== 422) out.status = String(this.status);
    return out;
  }
}

export const notFound = (): GitHubError => new GitHubError(404, "Not Found");

export const invalid = (resource: string, field: string, message: string): GitHubError =>
  new GitHubError(422, "Validation Failed", [{ resource, field, code: "custom", message }]);

export function repoOf(ctx: Ctx): RepoState {
  const r = ctx.store.repo(`${ctx.params.owner}/${ctx.params.repo}`);
  if (!r) throw notFound();
  return r;
}

export function intParam(ctx: Ctx, name: string): number {
  const v = ctx.params[name] ?? "";
  if (!/^\d{1,15}$/.test(v)) throw notFound();
  return Number(v);
}

export function bodyObject(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === null || typeof b !== "object" || Array.isArray(b))
    throw new GitHubError(400, "Problems parsing JSON");
  return b as Record<string, unknown>;
}

/** GitHub's paging: per_page (default 30, at most 100) and page, with a Link header. */
export function paginate<T>(
  ctx: Ctx,
  items: readonly T[],
): { items: T[]; headers: Record<string, string> } {
  const perRaw = Number(ctx.query.get("per_page") ?? "30");
  const perPage = Number.isInteger(perRaw) && perRaw > 0 ? Math.min(perRaw, 100) : 30;
  const pageRaw = Number(ctx.query.get("page") ?? "1");
  const page = Number.isInteger(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number): string => {
    const q = new URLSearchParams(ctx.query);
    q.set("per_page", String(perPage));
    q.set("page", String(n));
    return `${ctx.site.api}${ctx.path}?${q.toString()}`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`);
  if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${link(1)}>; rel="first"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: rels.length > 0 ? { link: rels.join(", ") } : {},
  };
}
