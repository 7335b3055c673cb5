// What a resource handler sees of a request and what it answers. Handlers are plain functions of
// (Ctx) => Reply so that they can be read, and tested, without the HTTP plumbing.
import type { Clock } from "./clock.js";
import type { OrgState } from "./store.js";

export interface Principal {
  type: "OAUTH_CLIENT" | "SSWS_TOKEN";
  /** The client id, or the API token id. */
  id: string;
  /** Scopes of an access token; undefined for SSWS, which carries its admin's permissions. */
  scopes?: readonly string[];
}

export interface Ctx {
  method: string;
  /** The org URL as the client addressed it, without a trailing slash. */
  baseUrl: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: unknown;
  state: OrgState;
  clock: Clock;
  now: string;
  principal?: Principal;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  headers,
});
export const created = (body: unknown): Reply => ({ status: 201, body });
export const noContent = (): Reply => ({ status: 204 });

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;
