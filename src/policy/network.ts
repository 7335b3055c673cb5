// The network zone's allow list: valid entries, no any-address, nothing broader than the configured
// prefixes, only public addresses, a bounded count, and a warning on repeats and overlaps.
import type { Finding } from "../model/index.js";
import {
  equivalentPrefix,
  isAnyAddress,
  nonPublicKinds,
  parseAllowList,
  parseEntry,
  type AddressInterval,
} from "./addresses.js";
import { report, shown, type IntegrationCheck } from "./report.js";

export const checkNetwork: IntegrationCheck = (li, ctx) => {
  const { allow } = li.integration.spec.network;
  const settings = ctx.config.policy.network;
  const findings: Finding[] = [];
  const valid: { index: number; interval: AddressInterval }[] = [];

  const parsedList = parseAllowList(allow);
  allow.forEach((entry, index) => {
    const path = ["spec", "network", "allow", index];
    const parsed = parsedList[index] ?? parseEntry(entry);
    if (!parsed.ok) {
      findings.push(
        report(li, "network.invalid", path, `${shown(entry)} is not valid: ${parsed.reason}.`),
      );
      return;
    }
    valid.push({ index, interval: parsed });
    if (isAnyAddress(parsed)) {
      findings.push(
        report(
          li,
          "network.any-address",
          path,
          `${entry} admits every address: list the egress addresses the integration calls Okta from.`,
        ),
      );
      return;
    }
    const minPrefix = parsed.family === "ipv4" ? settings.minIpv4Prefix : settings.minIpv6Prefix;
    const prefix = equivalentPrefix(parsed);
    if (prefix < minPrefix) {
      findings.push(
        report(
          li,
          "network.too-broad",
          path,
          `${entry} is as broad as a /${prefix}; the broadest ${parsed.family === "ipv4" ? "IPv4" : "IPv6"} entry allowed is a /${minPrefix}: narrow it to the integration's egress addresses.`,
        ),
      );
    }
    const kinds = nonPublicKinds(parsed);
    if (kinds.length > 0) {
      findings.push(
        report(
          li,
          "network.not-public",
          path,
          `${entry} covers ${kinds.join(", ")} addresses, which Okta never sees calls from: list the public egress (NAT) addresses instead.`,
        ),
      );
    }
  });

  if (allow.length > settings.maxEntries) {
    findings.push(
      report(
        li,
        "network.too-many",
        ["spec", "network", "allow", settings.maxEntries],
        `The allow list has ${allow.length} entries, more than the ${settings.maxEntries} allowed: merge adjacent entries into CIDRs.`,
      ),
    );
  }
  findings.push(
    ...overlaps(valid).map(([earlier, later]) => {
      const same =
        earlier.interval.first === later.interval.first &&
        earlier.interval.last === later.interval.last;
      return report(
        li,
        "network.overlap",
        ["spec", "network", "allow", later.index],
        same
          ? `${allow[later.index]} repeats ${allow[earlier.index]}: remove it.`
          : `${allow[later.index]} overlaps ${allow[earlier.index]}: merge the two entries.`,
      );
    }),
  );
  return findings;
};

type Indexed = { index: number; interval: AddressInterval };

/** Pairs (earlier, later) in file order of entries that share an address: a sweep over the entries
 * sorted by first address, each compared with the widest-reaching entry before it. */
function overlaps(entries: Indexed[]): [Indexed, Indexed][] {
  const sorted = [...entries].sort(
    (a, b) =>
      a.interval.family.localeCompare(b.interval.family) ||
      (a.interval.first < b.interval.first ? -1 : a.interval.first > b.interval.first ? 1 : 0) ||
      a.index - b.index,
  );
  const pairs: [Indexed, Indexed][] = [];
  let reach: Indexed | undefined;
  for (const entry of sorted) {
    if (
      reach !== undefined &&
      reach.interval.family === entry.interval.family &&
      entry.interval.first <= reach.interval.last
    ) {
      pairs.push(reach.index < entry.index ? [reach, entry] : [entry, reach]);
    }
    if (
      reach === undefined ||
      reach.interval.family !== entry.interval.family ||
      entry.interval.last > reach.interval.last
    ) {
      reach = entry;
    }
  }
  return pairs;
}
