// Network conditions: an app whose `network` names zones may get tokens only from addresses in
// them, and an API token restricted to zones authenticates only from those addresses, as at Okta.
// Okta never sees a caller at 127.0.0.1: it sees the public (NAT) address the caller's traffic
// leaves from. A local org with an egress address attributes that address to callers on loopback,
// so that the allow lists written for Okta (public addresses only) work unchanged against it.
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

/** Whether `address` is an IP address (v4 or v6) that a network zone could name. */
export function isIpAddress(address: string): boolean {
  // Four dotted decimals only: ipaddr.js also takes legacy forms such as 1.2.3 or 0x7f.1.
  return ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address);
}

/**
 * The address the org attributes to a caller: the egress address for a caller on loopback (the
 * public address the local org pretends it saw), otherwise the socket's own address.
 */
export function callerAddress(
  remote: string | undefined,
  egressAddress: string | undefined,
): string | undefined {
  if (!egressAddress || !remote) return remote;
  return parseIp(remote)?.range() === "loopback" ? egressAddress : remote;
}
