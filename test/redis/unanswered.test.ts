// A Redis that accepts the connection and never answers (a stalled server, a half-open link):
// the rate budget and the lock fail after a bounded wait, saying why, instead of hanging every
// Okta call or an apply. A loopback server that reads and never writes stands for it.
import { createServer, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisTimeoutError } from "../../src/redis/answer.js";
import { RedisBucketStore } from "../../src/redis/bucket-store.js";
import { connectRedis } from "../../src/redis/connection.js";
import { RedisLock } from "../../src/redis/lock.js";

let server: Server;
let client: Redis;
const sockets: Socket[] = [];

describe("a Redis that never answers", () => {
  beforeAll(async () => {
    server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    // As openOkta connects: commands wait for the connection instead of failing.
    client = connectRedis({ url: `redis://127.0.0.1:${port}`, prefix: "t" });
    client.on("error", () => undefined);
  });
  afterAll(async () => {
    client.disconnect();
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it("a take of the rate budget fails after its bound", async () => {
    const store = new RedisBucketStore(client, "t", "https://acme.okta.com", { answerMs: 200 });
    const started = Date.now();
    const failed = await store.take("apps", 1, Date.now()).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RedisTimeoutError);
    expect((failed as Error).message).toBe(
      "Redis did not answer within 0.2 s (rate budget of apps)",
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("acquiring the lock fails after its bound, well before the wait for a holder would end", async () => {
    const lock = new RedisLock(client, "t", "https://acme.okta.com", {
      answerMs: 200,
      waitMs: 60_000,
    });
    const started = Date.now();
    await expect(lock.acquire()).rejects.toThrow(
      "Redis did not answer within 0.2 s (lock t:lock:acme.okta.com)",
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
