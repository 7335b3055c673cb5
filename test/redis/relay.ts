// A loopback TCP relay in front of the test Redis, for what the bot sees when Redis stalls.
import { connect, createServer, type Socket } from "node:net";

/** A loopback TCP relay to `target` that can stall: it then keeps the connection open but passes
 * nothing on (a stalled Redis, or a half-open link, as seen from the bot). */
export async function relay(
  target: string,
): Promise<{ url: string; stall(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets: Socket[] = [];
  let stalled = false;
  const server = createServer((inbound) => {
    const outbound = connect(Number(port), hostname);
    sockets.push(inbound, outbound);
    inbound.on("data", (d) => void (stalled || outbound.write(d)));
    outbound.on("data", (d) => void (stalled || inbound.write(d)));
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port: own } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${own}`,
    stall: () => void (stalled = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
