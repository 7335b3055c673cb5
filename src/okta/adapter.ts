// The Okta adapter: reads what the bot owns in Okta into the reconciler's canonical actual state,
// and carries out plan operations (the OktaPort of apply.ts). A facade over its parts, so that its
// users see one object:
//   transport.ts  calls through the SDK, pacing, concurrency slots, retries, paging
//   read.ts       lists, then per-integration detail, then assembly into ActualState
//   write.ts      execute and crash recovery (findCreated), through one writer per kind
//   import.ts     an existing app in the file's terms
//   kinds/        one module per Okta object kind: its raw zod shape, its mapping, its bodies
import type { z } from "zod";
import type { OktaPort, Refs } from "../reconcile/apply.js";
import type { Adoption, ActualState, Operation } from "../reconcile/model.js";
import type { NamedObject } from "../reconcile/resources.js";
import { checkToken, createClient, PacedRequestExecutor, type OktaClient } from "./client.js";
import { describeApp, type ImportedApp } from "./import.js";
import { ZONES_PATH } from "./kinds/zone.js";
import { Pacer, type BucketStore, type PacerOptions } from "./pacer.js";
import { OktaReader, type WantedIntegration } from "./read.js";
import type { OktaSettings } from "./settings.js";
import { OktaTransport, type Method } from "./transport.js";
import { OktaWriter } from "./write.js";

export { refsOf } from "./refs.js";
export type { ImportedApp } from "./import.js";

export interface OktaConnection {
  adapter: OktaAdapter;
  executor: PacedRequestExecutor;
  pacer: Pacer;
}

export interface ConnectOptions {
  /** Share (0..1] of each rate-limit bucket the bot allows itself. */
  rateShare?: number;
  /** Where the pacer keeps its view of the buckets (shared by replicas: Redis); memory if absent. */
  store?: BucketStore;
  /** Hears of every Okta request, 429 and wait, per bucket (metrics). */
  observe?: PacerOptions["observe"];
}

/** Builds the client, gets a token up front (clear error if that fails). */
export async function connectOkta(
  settings: OktaSettings,
  options: ConnectOptions = {},
): Promise<OktaConnection> {
  const pacer = new Pacer({
    share: options.rateShare ?? 1,
    ...(options.store ? { store: options.store } : {}),
    ...(options.observe ? { observe: options.observe } : {}),
  });
  const executor = new PacedRequestExecutor(pacer);
  const client = createClient(settings, executor);
  await checkToken(client, settings);
  return { adapter: new OktaAdapter(client, pacer, settings), executor, pacer };
}

export class OktaAdapter implements OktaPort {
  readonly orgUrl: string;
  private readonly transport: OktaTransport;
  private readonly reader: OktaReader;
  private readonly writer: OktaWriter;
  constructor(
    client: OktaClient,
    pacer: Pacer,
    private readonly settings: OktaSettings,
    /** Requests in flight at once: Okta also limits concurrency, and answers 429 beyond it. */
    maxConcurrent = 8,
  ) {
    this.orgUrl = settings.orgUrl;
    this.transport = new OktaTransport(client, pacer, settings.orgUrl, maxConcurrent);
    this.reader = new OktaReader(this.transport, settings);
    this.writer = new OktaWriter(this.transport);
  }

  /** The bot's own app: never deleted, whatever the files say. */
  get selfClientId(): string {
    return this.settings.clientId;
  }

  /** One call, paced and retried (see OktaTransport.call). */
  call<T = unknown>(
    method: Method,
    pathOrUrl: string,
    body?: unknown,
    opts: { idempotent?: boolean } = {},
  ): Promise<{ json: T; headers: { get(name: string): string | null } }> {
    return this.transport.call<T>(method, pathOrUrl, body, opts);
  }

  /** Every network zone, page by page. */
  listZones<T>(schema: z.ZodType<T>): Promise<T[]> {
    return this.transport.list(schema, ZONES_PATH);
  }

  /** Everything the bot owns, for apply and drift. */
  readAll(adoptions?: ReadonlyMap<string, Adoption>): Promise<ActualState> {
    return this.reader.readAll(adoptions);
  }

  /** Only the named integrations, for a pull request's plan (see OktaReader.readIntegrations). */
  readIntegrations(wanted: WantedIntegration[]): Promise<ActualState> {
    return this.reader.readIntegrations(wanted);
  }

  /** Of the named objects (groups, apps), the keys of those that are not in Okta. */
  missingObjects(objects: readonly NamedObject[]): Promise<Set<string>> {
    return this.reader.missingObjects(objects);
  }

  execute(op: Operation, refs: Refs): Promise<string | undefined> {
    return this.writer.execute(op, refs);
  }

  /** Finds by marker (or name) what a create whose answer was lost may have made. */
  findCreated(op: Operation, refs: Refs): Promise<string | undefined> {
    return this.writer.findCreated(op, refs);
  }

  /** An app by id, or by its exact label, with what it holds: for `okta-gitops import`. */
  describeApp(ref: string): Promise<ImportedApp> {
    return describeApp(this.transport, ref);
  }
}
