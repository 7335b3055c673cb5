// The Okta SDK client, built with every setting explicit (the SDK otherwise also reads
// ~/.okta/okta.yaml, ./okta.yaml and OKTA_CLIENT_* variables), without its cache (it keeps single
// GETs forever) and without its 429 retry (it resends a used DPoP proof): pacing and retries are
// ours (see pacer.ts and adapter.ts). A request executor of our own records the rate-limit headers
// of every answer and bounds how long a request may hang.
import okta from "@okta/okta-sdk-nodejs";
import type { OktaSettings } from "./settings.js";
import { bucketOf, type Pacer } from "./pacer.js";

const { Client, RequestExecutor } = okta;

interface FetchRequest {
  url: string;
  method?: string;
  timeout?: number;
  headers?: Record<string, string>;
}
interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
}

/** Counts every request that leaves, and hands each answer's headers to the pacer. */
export class PacedRequestExecutor extends RequestExecutor {
  requests = 0;
  writes = 0;
  constructor(
    private readonly pacer: Pacer,
    private readonly timeoutMs = 30_000,
  ) {
    super();
  }

  override fetch(
    request: FetchRequest & Parameters<InstanceType<typeof RequestExecutor>["fetch"]>[0],
  ) {
    this.requests++;
    const method = (request.method ?? "GET").toUpperCase();
    if (method !== "GET" && !request.url.endsWith("/oauth2/v1/token")) this.writes++;
    request.timeout = this.timeoutMs;
    const bucket = bucketOf(request.url);
    // The answer stands even when its bookkeeping fails (a shared store that cannot be reached):
    // the request's place in the budget is then freed by its ticket's deadline instead.
    const settle = (done: Promise<void>) => done.catch(() => undefined);
    return super.fetch(request).then(
      async (response: FetchResponse) => {
        await settle(
          response.status === 429
            ? this.pacer.exhausted(bucket, response.headers)
            : this.pacer.release(bucket, response.headers),
        );
        return response;
      },
      async (error: unknown) => {
        await settle(this.pacer.release(bucket));
        throw error;
      },
    ) as ReturnType<InstanceType<typeof RequestExecutor>["fetch"]>;
  }
}

export type OktaClient = InstanceType<typeof Client>;

export function createClient(settings: OktaSettings, executor: PacedRequestExecutor): OktaClient {
  let privateKey: string | Record<string, unknown> = settings.privateKey;
  if (settings.privateKey.trim().startsWith("{")) {
    privateKey = JSON.parse(settings.privateKey) as Record<string, unknown>;
  }
  return new Client({
    orgUrl: settings.orgUrl,
    authorizationMode: "PrivateKey",
    clientId: settings.clientId,
    scopes: settings.scopes,
    privateKey,
    ...(settings.keyId ? { keyId: settings.keyId } : {}),
    token: undefined,
    cacheMiddleware: null,
    requestExecutor: executor,
  });
}

/** The SDK swallows a failed token request and sends `Bearer undefined`; ask for the token once,
 * up front, and say clearly why it failed. */
export async function checkToken(client: OktaClient, settings: OktaSettings): Promise<void> {
  let answer: { access_token?: unknown; error?: unknown; error_description?: unknown } = {};
  for (let attempt = 1; ; attempt++) {
    try {
      answer = (await client.oauth.getAccessToken()) as typeof answer;
      break;
    } catch (error) {
      // A connection reset or a 5xx is worth another try; a refusal is not.
      const status = (error as { status?: unknown }).status;
      const transient = typeof status !== "number" || status >= 500;
      if (transient && attempt < 4) {
        await new Promise((r) => setTimeout(r, 200 * attempt));
        continue;
      }
      throw new Error(
        `cannot get an access token from ${settings.orgUrl}/oauth2/v1/token for client ${settings.clientId}: ${describe(error)}`,
      );
    }
  }
  if (typeof answer?.access_token !== "string") {
    client.oauth.clearCachedAccessToken();
    const why = answer?.error
      ? `${String(answer.error)}: ${String(answer.error_description ?? "")}`
      : "no access_token in the answer";
    throw new Error(
      `cannot get an access token from ${settings.orgUrl}/oauth2/v1/token for client ${settings.clientId}: ${why}`,
    );
  }
}

function describe(error: unknown): string {
  const e = error as { status?: number; message?: string };
  let text = e?.message ?? String(error);
  // An OAuth error body is not in Okta's shape: the SDK's message then reads "undefined".
  const m = /^HTTP (\d+) (.*)$/s.exec(text);
  if (m) {
    try {
      const body = JSON.parse(m[2]!) as { error?: string; error_description?: string };
      text = `HTTP ${m[1]} ${body.error ?? ""}: ${body.error_description ?? ""}`;
    } catch {
      /* keep the text */
    }
  }
  return text.replace(/\s+/g, " ").slice(0, 300);
}
