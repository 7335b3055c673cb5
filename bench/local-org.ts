// `npm run bench -- local-org [--json] [--count N] [--concurrency N] [--ssws]`: throughput and
// latency of the local Okta org through the real Okta SDK, as the bot calls it (PrivateKey + DPoP
// by default, so every call carries a fresh DPoP proof; --ssws for API-token calls). The GET reads
// an app (GET /api/v1/apps/{appId}); the POST creates a network zone (POST /api/v1/zones). Rate
// limits are set out of reach: this measures the org and the SDK, not the limiter.
import { parseArgs } from "node:util";
import { startLocalOrg, type LocalOrg } from "../src/local-org/index.js";
import { privateKeyClient, sswsClient } from "../test/support/okta-sdk.js";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function measure(count: number, concurrency: number, call: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      await call(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" },
      count: { type: "string" },
      concurrency: { type: "string" },
      ssws: { type: "boolean" },
    },
  });
  const count = Number(values.count ?? 2000);
  const concurrency = Number(values.concurrency ?? 8);
  const mode = values.ssws ? "SSWS" : "PrivateKey+DPoP";
  let org: LocalOrg | undefined;
  try {
    org = await startLocalOrg({ rateLimits: { perMinute: 10_000_000, concurrency: 10_000 } });
    const o = org;
    const client = values.ssws ? sswsClient(o) : privateKeyClient(o);
    const appId = o.credentials.clientId;
    // Warm up: the token (and DPoP nonce) exchange, JIT, connections.
    for (let i = 0; i < 50; i++) await client.applicationApi.getApplication({ appId });
    const get = await measure(count, concurrency, () =>
      client.applicationApi.getApplication({ appId }),
    );
    const post = await measure(count, concurrency, (i) =>
      client.networkZoneApi.createNetworkZone({
        zone: {
          type: "IP",
          name: `bench-${i}`,
          gateways: [{ type: "CIDR", value: "203.0.113.0/24" }],
        } as never,
      }),
    );
    // The org alone, without the SDK's client-side cost (DPoP signing, model mapping): raw fetch.
    const raw = await measure(count, concurrency, async () => {
      const res = await fetch(`${o.url}/api/v1/apps/${appId}`, {
        headers: { Authorization: `SSWS ${o.credentials.sswsToken}` },
      });
      await res.arrayBuffer();
    });
    const failures = o
      .requests()
      .filter((r) => r.status >= 400 && r.template !== "/oauth2/v1/token").length;
    process.stdout.write(
      [
        `local org through @okta/okta-sdk-nodejs (${mode}), ${count} requests each, concurrency ${concurrency}`,
        `  GET  /api/v1/apps/{appId}: ${round(get.rps, 0)} req/s, p50 ${round(get.p50)} ms, p99 ${round(get.p99)} ms`,
        `  POST /api/v1/zones:        ${round(post.rps, 0)} req/s, p50 ${round(post.p50)} ms, p99 ${round(post.p99)} ms`,
        `  (the org alone, raw fetch + SSWS GET: ${round(raw.rps, 0)} req/s, p50 ${round(raw.p50)} ms, p99 ${round(raw.p99)} ms)`,
        `  failed API requests: ${failures}`,
        "",
      ].join("\n"),
    );
    if (values.json) {
      const figures = {
        get_rps: round(get.rps, 1),
        get_p50_ms: round(get.p50, 3),
        get_p99_ms: round(get.p99, 3),
        post_rps: round(post.rps, 1),
        post_p50_ms: round(post.p50, 3),
        post_p99_ms: round(post.p99, 3),
      };
      process.stdout.write(JSON.stringify(figures) + "\n");
    }
  } finally {
    await org?.close();
  }
}
