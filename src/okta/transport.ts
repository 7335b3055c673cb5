// The HTTP side of the Okta adapter: every call goes through the Okta SDK's HTTP client (its
// PrivateKey + DPoP token handling and our request executor, client.ts), paced per rate-limit
// bucket (pacer.ts), a bounded number in flight at once, retried where repeating is harmless, and
// read page by page. Nothing here knows what the objects mean: that is kinds/, read.ts, write.ts.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { OktaClient } from "./client.js";
import { bucketOf, type Pacer } from "./pacer.js";

export type Raw = Record<string, unknown>;
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface HttpResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

const IamPage = z.looseObject({
  _links: z.looseObject({ next: z.looseObject({ href: z.string() }).optional() }).optional(),
});

export class OktaTransport {
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  constructor(
    private readonly client: OktaClient,
    private readonly pacer: Pacer,
    readonly orgUrl: string,
    /** Requests in flight at once: Okta also limits concurrency, and answers 429 beyond it. */
    private readonly maxConcurrent = 8,
  ) {}

  private async slot(): Promise<void> {
    while (this.inFlight >= this.maxConcurrent)
      await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
  }

  private freeSlot(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /**
   * One call through the SDK. A 429 waits for the reset and goes again (the SDK makes a fresh DPoP
   * proof for every attempt); a 5xx or a dropped connection is retried when repeating the call is
   * harmless (GET, PUT, DELETE, and POSTs marked idempotent), and thrown otherwise so that apply
   * can look for what a create may have made.
   */
  async call<T = unknown>(
    method: Method,
    pathOrUrl: string,
    body?: unknown,
    opts: { idempotent?: boolean } = {},
  ): Promise<{ json: T; headers: HttpResponse["headers"] }> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.orgUrl}${pathOrUrl}`;
    const bucket = bucketOf(url);
    const repeatable =
      opts.idempotent ?? (method === "GET" || method === "PUT" || method === "DELETE");
    let transientLeft = 4;
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      let held = true;
      const free = () => {
        if (!held) return;
        held = false;
        this.freeSlot();
      };
      try {
        await this.pacer.acquire(bucket);
        const request: Raw = {
          method,
          headers: { Accept: "application/json", "Content-Type": "application/json" },
        };
        if (body !== undefined) request.body = JSON.stringify(body);
        const res = (await this.client.http.http(url, request)) as HttpResponse;
        const text = res.status === 204 ? "" : await res.text();
        return { json: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
      } catch (error) {
        free();
        const status = (error as { status?: unknown }).status;
        if (status === 429 && attempt < 20) continue;
        const transient = typeof status !== "number" || status >= 500;
        if (transient && repeatable && transientLeft-- > 0) {
          await sleep(100 * 2 ** (3 - transientLeft));
          continue;
        }
        throw withContext(error, method, url);
      } finally {
        free();
      }
    }
  }

  /** A list answer validated item by item, following the `Link: rel="next"` header. */
  async list<T>(schema: z.ZodType<T>, path: string): Promise<T[]> {
    const out: T[] = [];
    for (let next: string | undefined = path; next;) {
      const { json, headers } = await this.call<unknown[]>("GET", next);
      out.push(...z.array(schema).parse(json));
      next = nextLink(headers.get("link"));
    }
    return out;
  }

  /** An IAM list: the items under `key`, the next page in the body's `_links.next`. */
  async listIam<T>(schema: z.ZodType<T>, path: string, key: string): Promise<T[]> {
    const out: T[] = [];
    for (let next: string | undefined = path; next;) {
      const page: { json: Raw } = await this.call<Raw>("GET", next);
      out.push(...z.array(schema).parse(page.json[key] ?? []));
      next = IamPage.parse(page.json)._links?.next?.href;
    }
    return out;
  }

  /** One object, or undefined when Okta answers 404. */
  async getOptional<T>(schema: z.ZodType<T>, path: string): Promise<T | undefined> {
    try {
      return schema.parse((await this.call("GET", path)).json);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  /** A plain array answer (no paging), validated. */
  async getArray<T>(schema: z.ZodType<T>, path: string): Promise<T[]> {
    return z.array(schema).parse((await this.call<unknown[]>("GET", path)).json);
  }
}

function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

function withContext(error: unknown, method: string, url: string): Error {
  const e = error as { status?: number; message?: string };
  const path = url.replace(/^https?:\/\/[^/]+/, "");
  const status = typeof e.status === "number" ? e.status : undefined;
  const message = `${method} ${path}: ${(e.message ?? String(error)).replace(/^Okta HTTP \d+ /, "")}`;
  return Object.assign(new Error(message), status !== undefined ? { status } : {});
}

export const enc = encodeURIComponent;

export function ignore404(error: unknown): void {
  if ((error as { status?: number }).status !== 404) throw error;
}

export function ignoreExisting(error: unknown): void {
  const status = (error as { status?: number }).status;
  if (status !== 400 && status !== 409) throw error;
}
