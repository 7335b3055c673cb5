// Network conditions: an app whose `network` names zones may get tokens only from addresses in
// them, and an API token restricted to zones authenticates only from those addresses, as at Okta.
// Against a local org the caller is usually 127.0.0.1, so a zone must include it to be usable.
import ipaddr from "ipaddr.js";
import type { OrgState, ZoneRecord } from "./store.js";

export interface NetworkCondition {
  connection: string;
  include?: string[];
  exclude?: string[];
}

function toBigInt(a: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return BigInt(`0x${Buffer.from(a.toByteArray()).toString("hex")}`);
}

function parseIp(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    const a = ipaddr.parse(ip);
    return a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress()
      ? (a as ipaddr.IPv6).toIPv4Address()
      : a;
  } catch {
    return undefined;
  }
}

function inGateway(addr: ipaddr.IPv4 | ipaddr.IPv6, g: { type: string; value: string }): boolean {
  try {
    if (g.type === "CIDR") {
      const [net, bits] = ipaddr.parseCIDR(g.value);
      return net.kind() === addr.kind() && addr.match([net, bits] as never);
    }
    const [a, b] = g.value.split("-").map((s) => ipaddr.parse(s.trim()));
    if (!a || !b || a.kind() !== addr.kind()) return false;
    const n = toBigInt(addr);
    return toBigInt(a) <= n && n <= toBigInt(b);
  } catch {
    return false;
  }
}

function inZone(addr: ipaddr.IPv4 | ipaddr.IPv6, zone: ZoneRecord | undefined): boolean {
  return !!zone && zone.status === "ACTIVE" && zone.gateways.some((g) => inGateway(addr, g));
}

/** Whether a call from `ip` meets the network condition. */
export function allowedFrom(
  state: OrgState,
  network: NetworkCondition | undefined,
  ip: string | undefined,
): boolean {
  if (!network || network.connection !== "ZONE") return true;
  const addr = ip ? parseIp(ip) : undefined;
  if (!addr) return false;
  if ((network.exclude ?? []).some((id) => inZone(addr, state.zones[id]))) return false;
  const include = network.include ?? [];
  return include.length === 0 || include.some((id) => inZone(addr, state.zones[id]));
}
