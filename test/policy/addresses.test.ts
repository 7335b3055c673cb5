import { describe, expect, it } from "vitest";
import {
  equivalentPrefix,
  isAnyAddress,
  nonPublicKinds,
  parseEntry,
  type AddressInterval,
} from "../../src/policy/addresses.js";

function interval(text: string): AddressInterval {
  const parsed = parseEntry(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
  return parsed;
}

describe("parseEntry", () => {
  it.each([
    ["203.0.113.10", "ipv4", 0xcb00710an, 0xcb00710an],
    ["203.0.113.17/28", "ipv4", 0xcb007110n, 0xcb00711fn],
    ["203.0.113.10-203.0.113.20", "ipv4", 0xcb00710an, 0xcb007114n],
    [" 198.51.100.1 ", "ipv4", 0xc6336401n, 0xc6336401n],
    ["2001:db8::/127", "ipv6", 0x20010db8n << 96n, (0x20010db8n << 96n) + 1n],
    // A dotted IPv4 tail is the last 32 bits, not the IPv4-mapped ::ffff:a.b.c.d.
    ["::10.1.2.3", "ipv6", 0x0a010203n, 0x0a010203n],
    [
      "2001:db8::203.0.113.1",
      "ipv6",
      (0x20010db8n << 96n) + 0xcb007101n,
      (0x20010db8n << 96n) + 0xcb007101n,
    ],
  ])("reads %s as an interval", (text, family, first, last) => {
    expect(parseEntry(text)).toEqual({ ok: true, family, first, last });
  });

  it.each([
    "203.0.113.300",
    "10.1", // shorthand that tools read differently
    "010.0.0.1", // octal-looking
    "::10.1.2", // a dotted tail of three parts
    "::010.1.2.3", // an octal-looking dotted tail
    "203.0.113.0/33",
    "2001:db8::/129",
    "203.0.113.0/",
    "203.0.113.0/x",
    "203.0.113.20-203.0.113.10", // reversed
    "203.0.113.1-2001:db8::1", // two families
    "203.0.113.1-203.0.113.2-203.0.113.3",
    "fe80::1%eth0",
    "example.com",
    "",
  ])("refuses %j", (text) => {
    expect(parseEntry(text).ok).toBe(false);
  });
});

describe("classification", () => {
  it.each([
    ["10.1.2.3", "private (RFC 1918)"],
    ["172.31.255.255", "private (RFC 1918)"],
    ["192.168.0.0/24", "private (RFC 1918)"],
    ["100.64.0.1", "shared address space (CGNAT, RFC 6598)"],
    ["127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["224.0.0.1", "multicast"],
    ["0.1.2.3", "unspecified ('this network')"],
    ["198.18.0.1", "reserved for benchmarking (RFC 2544)"],
    ["255.255.255.255", "reserved (240/4 and broadcast)"],
    ["::1", "loopback"],
    ["fd00::1", "unique local (private, RFC 4193)"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:203.0.113.1", "IPv4-mapped (write the IPv4 address instead)"],
    // IPv6 forms that embed an IPv4 address or that Okta can never see a call come from.
    ["2002:c0a8:101::/48", "6to4 tunnel (RFC 3056; embeds an IPv4 address: write that instead)"],
    ["2002:cb00:7101::1", "6to4 tunnel (RFC 3056; embeds an IPv4 address: write that instead)"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo tunnel (RFC 4380; embeds IPv4 addresses)"],
    ["::10.1.2.3", "IPv4-compatible (deprecated, RFC 4291; write the IPv4 address instead)"],
    ["::cb00:7101", "IPv4-compatible (deprecated, RFC 4291; write the IPv4 address instead)"],
    ["64:ff9b:1::a01:203", "reserved for local-use NAT64 translation (RFC 8215)"],
    ["2001:20::1", "ORCHIDv2 (RFC 7343; identifiers, not addresses)"],
    ["2001:2f:ffff::/48", "ORCHIDv2 (RFC 7343; identifiers, not addresses)"],
  ])("%s is %s", (text, kind) => {
    expect(nonPublicKinds(interval(text))).toEqual([kind]);
  });

  it("finds a private block inside a wider public-looking range", () => {
    expect(nonPublicKinds(interval("9.255.255.0-10.0.0.5"))).toEqual(["private (RFC 1918)"]);
    expect(nonPublicKinds(interval("100.0.0.0/8"))).toEqual([
      "shared address space (CGNAT, RFC 6598)",
    ]);
  });

  it.each(["8.8.8.8", "1.1.1.0/24", "2606:4700::1111", "100.63.255.255", "100.128.0.0"])(
    "%s is public",
    (text) => {
      expect(nonPublicKinds(interval(text))).toEqual([]);
    },
  );

  it.each(["192.0.2.44", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::1"])(
    "accepts the documentation range %s (examples use it)",
    (text) => {
      expect(nonPublicKinds(interval(text))).toEqual([]);
    },
  );

  it("knows the any-address in both families, and nothing narrower", () => {
    expect(isAnyAddress(interval("0.0.0.0/0"))).toBe(true);
    expect(isAnyAddress(interval("::/0"))).toBe(true);
    expect(isAnyAddress(interval("0.0.0.0-255.255.255.255"))).toBe(true);
    expect(isAnyAddress(interval("0.0.0.0/1"))).toBe(false);
  });

  it("sizes ranges as the prefix that would hold them", () => {
    expect(equivalentPrefix(interval("203.0.113.0/24"))).toBe(24);
    expect(equivalentPrefix(interval("203.0.113.10"))).toBe(32);
    expect(equivalentPrefix(interval("203.0.113.0-203.0.113.255"))).toBe(24);
    // 257 addresses do not fit in a /24, however they are aligned.
    expect(equivalentPrefix(interval("203.0.113.0-203.0.114.0"))).toBe(23);
    expect(equivalentPrefix(interval("2001:db8::/48"))).toBe(48);
  });
});
