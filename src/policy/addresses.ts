// Allow-list entries as address intervals: parsing (with ipaddr.js) and classification. Pure; the
// network rules in network.ts and the repo-wide comparison of allow lists both build on it.
import ipaddr from "ipaddr.js";

export type Family = "ipv4" | "ipv6";

/** An entry as the closed interval of addresses it admits. */
export interface AddressInterval {
  family: Family;
  first: bigint;
  last: bigint;
}

export type ParsedEntry = ({ ok: true } & AddressInterval) | { ok: false; reason: string };

export const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

/** Parses an address, a CIDR (address/prefix) or a range (first-last) of one family. IPv4 must be
 * four decimal parts (no 10.1 or octal shorthands, which tools read differently); IPv6 zone ids
 * (fe80::1%eth0) are refused. */
export function parseEntry(text: string): ParsedEntry {
  const entry = text.trim();
  if (entry.includes("-")) {
    const [a, b, ...rest] = entry.split("-");
    if (a === undefined || b === undefined || rest.length > 0) {
      return { ok: false, reason: "a range is written first-last, e.g. 203.0.113.10-203.0.113.20" };
    }
    const first = parseAddress(a.trim());
    const last = parseAddress(b.trim());
    if (first === null || last === null) {
      return { ok: false, reason: "both ends of a range must be IPv4 or IPv6 addresses" };
    }
    if (first.family !== last.family) {
      return {
        ok: false,
        reason: "both ends of a range must be of the same family (IPv4 or IPv6)",
      };
    }
    if (first.value > last.value) {
      return { ok: false, reason: "the range's first address is after its last" };
    }
    return { ok: true, family: first.family, first: first.value, last: last.value };
  }
  if (entry.includes("/")) {
    const [a, p, ...rest] = entry.split("/");
    const address = a === undefined ? null : parseAddress(a);
    if (address === null || p === undefined || rest.length > 0 || !/^\d{1,3}$/.test(p)) {
      return { ok: false, reason: "a CIDR is written address/prefix, e.g. 203.0.113.0/28" };
    }
    const prefix = Number(p);
    const bits = BITS[address.family];
    if (prefix > bits) {
      return { ok: false, reason: `an ${address.family} prefix is at most /${bits}` };
    }
    const hostBits = BigInt(bits - prefix);
    const first = (address.value >> hostBits) << hostBits;
    return { ok: true, family: address.family, first, last: first + (1n << hostBits) - 1n };
  }
  const address = parseAddress(entry);
  if (address === null) {
    return { ok: false, reason: "not an IPv4 or IPv6 address, CIDR or range" };
  }
  return { ok: true, family: address.family, first: address.value, last: address.value };
}

// Four decimal parts without leading zeros; ipaddr.js then checks each part is at most 255.
const FOUR_PART_DECIMAL = /^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/;

function parseAddress(text: string): { family: Family; value: bigint } | null {
  if (FOUR_PART_DECIMAL.test(text)) {
    try {
      return { family: "ipv4", value: toBigInt(ipaddr.IPv4.parse(text).toByteArray()) };
    } catch {
      return null;
    }
  }
  if (!text.includes("%") && text.includes(":")) {
    const hex = dottedTailAsHex(text);
    if (hex !== null && ipaddr.IPv6.isValid(hex))
      return { family: "ipv6", value: toBigInt(ipaddr.IPv6.parse(hex).toByteArray()) };
  }
  return null;
}

/** An IPv6 address whose last 32 bits are written as dotted IPv4 (::10.1.2.3), with those bits in
 * hex instead. ipaddr.js reads "::a.b.c.d" as the IPv4-mapped ::ffff:a.b.c.d, a different address,
 * so the dotted tail is converted here, four decimal parts only. Null when the tail is malformed. */
function dottedTailAsHex(text: string): string | null {
  const m = /^(.*:)([^:]*\.[^:]*)$/.exec(text);
  if (!m) return text;
  if (!FOUR_PART_DECIMAL.test(m[2]!)) return null;
  const [a, b, c, d] = m[2]!.split(".").map(Number) as [number, number, number, number];
  if ([a, b, c, d].some((x) => x > 255)) return null;
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

const parsedLists = new WeakMap<readonly string[], ParsedEntry[]>();

/** Every entry of an allow list, parsed once per list (the network rules and the repository-wide
 * comparison of allow lists both need them). */
export function parseAllowList(allow: readonly string[]): ParsedEntry[] {
  let parsed = parsedLists.get(allow);
  if (parsed === undefined) {
    parsed = allow.map(parseEntry);
    parsedLists.set(allow, parsed);
  }
  return parsed;
}

function toBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** How many addresses the entry admits. */
export function size(interval: AddressInterval): bigint {
  return interval.last - interval.first + 1n;
}

export function isAnyAddress(interval: AddressInterval): boolean {
  return interval.first === 0n && interval.last === (1n << BigInt(BITS[interval.family])) - 1n;
}

/** The narrowest prefix length whose network is at least as large as the entry (a range counts by
 * its size: 256 addresses is a /24 however it is aligned). */
export function equivalentPrefix(interval: AddressInterval): number {
  const bits = BITS[interval.family];
  const n = size(interval);
  let hostBits = 0;
  while (1n << BigInt(hostBits) < n) hostBits++;
  return bits - hostBits;
}

interface Block extends AddressInterval {
  kind: string;
}

function block(kind: string, cidr: string): Block {
  const parsed = parseEntry(cidr);
  if (!parsed.ok) throw new Error(`bad built-in block ${cidr}`);
  return { kind, family: parsed.family, first: parsed.first, last: parsed.last };
}

// Addresses Okta can never see a call come from. The documentation ranges (192.0.2.0/24,
// 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32, RFC 5737 and RFC 3849) are deliberately NOT
// here: examples, fixtures and tests use them precisely because they route nowhere, and refusing
// them would force real addresses into public examples.
export const NON_PUBLIC_BLOCKS: readonly Block[] = [
  block("unspecified ('this network')", "0.0.0.0/8"),
  block("private (RFC 1918)", "10.0.0.0/8"),
  block("shared address space (CGNAT, RFC 6598)", "100.64.0.0/10"),
  block("loopback", "127.0.0.0/8"),
  block("link-local", "169.254.0.0/16"),
  block("private (RFC 1918)", "172.16.0.0/12"),
  block("reserved for IETF protocol assignments", "192.0.0.0/24"),
  block("reserved (6to4 relay anycast)", "192.88.99.0/24"),
  block("private (RFC 1918)", "192.168.0.0/16"),
  block("reserved for benchmarking (RFC 2544)", "198.18.0.0/15"),
  block("multicast", "224.0.0.0/4"),
  block("reserved (240/4 and broadcast)", "240.0.0.0/4"),
  block("unspecified", "::/128"),
  block("loopback", "::1/128"),
  block("IPv4-mapped (write the IPv4 address instead)", "::ffff:0:0/96"),
  // ::/96 less the two addresses above: a range, so that ::1 reads as loopback alone.
  block(
    "IPv4-compatible (deprecated, RFC 4291; write the IPv4 address instead)",
    "::2-::ffff:ffff",
  ),
  block("reserved for NAT64 translation", "64:ff9b::/96"),
  block("reserved for local-use NAT64 translation (RFC 8215)", "64:ff9b:1::/48"),
  // Tunnel forms carry an IPv4 address inside (6to4 the relay's, Teredo the server's and the
  // client's NAT's): Okta sees the IPv4 caller, or a relay, never the host named here.
  block("Teredo tunnel (RFC 4380; embeds IPv4 addresses)", "2001::/32"),
  block("ORCHID (RFC 4843; identifiers, not addresses)", "2001:10::/28"),
  block("ORCHIDv2 (RFC 7343; identifiers, not addresses)", "2001:20::/28"),
  block("6to4 tunnel (RFC 3056; embeds an IPv4 address: write that instead)", "2002::/16"),
  block("reserved for discard (RFC 6666)", "100::/64"),
  block("reserved for benchmarking (RFC 5180)", "2001:2::/48"),
  block("unique local (private, RFC 4193)", "fc00::/7"),
  block("link-local", "fe80::/10"),
  block("site-local (deprecated)", "fec0::/10"),
  block("multicast", "ff00::/8"),
];

/** The kinds of non-public addresses the entry admits (empty when it is all public). */
export function nonPublicKinds(interval: AddressInterval): string[] {
  const kinds = new Set<string>();
  for (const b of NON_PUBLIC_BLOCKS) {
    if (b.family === interval.family && b.first <= interval.last && interval.first <= b.last) {
      kinds.add(b.kind);
    }
  }
  return [...kinds];
}

/** A canonical text of an interval, to compare allow lists written differently. */
export function intervalKey(interval: AddressInterval): string {
  return `${interval.family}:${interval.first.toString(16)}-${interval.last.toString(16)}`;
}
