// Rules across the repository: what must belong to one integration alone. Each is a grouping by a
// key in one pass (linear in the number of integrations), reported at every place involved so that
// each file's annotations name the other file.
//
// Custom role labels are derived from the integration's name (one per integration), so their
// uniqueness follows from unique.name. Identical credentials are caught key by key by unique.jwk.
// A network zone is created per integration, so zones are never shared; identical allow lists in
// two integrations are only a warning, since two systems may share an egress (NAT) address.
import type { Finding } from "../model/index.js";
import type { LoadedIntegration, NodePath } from "../load/types.js";
import { intervalKey, parseAllowList } from "./addresses.js";
import { jwkThumbprint } from "./jwk.js";
import { report, type RepositoryCheck } from "./report.js";
import type { RuleId } from "./rules.js";

interface Place {
  li: LoadedIntegration;
  path: NodePath;
  part?: "key" | "value";
}

export const checkUniqueness: RepositoryCheck = (all) => {
  const names = new Map<string, Place[]>();
  const labels = new Map<string, Place[]>();
  const keys = new Map<string, Place[]>();
  const accounts = new Map<string, Place[]>();
  const tokens = new Map<string, Place[]>();
  const zones = new Map<string, Place[]>();

  for (const li of all) {
    const doc = li.integration;
    add(names, doc.metadata.name, { li, path: ["metadata", "name"] });
    const allow = doc.spec.network.allow;
    const allowKey = parseAllowList(allow)
      .map((parsed, i) => (parsed.ok ? intervalKey(parsed) : `?${allow[i]?.trim()}`))
      .sort()
      .join(",");
    add(zones, allowKey, { li, path: ["spec", "network", "allow"], part: "key" });
    if (doc.kind === "ServiceApp") {
      const label = (doc.spec.label ?? doc.metadata.name).toLowerCase();
      add(labels, label, {
        li,
        path: doc.spec.label !== undefined ? ["spec", "label"] : ["metadata", "name"],
      });
      doc.spec.credentials.jwks.forEach((jwk, i) => {
        add(keys, jwkThumbprint(jwk), { li, path: ["spec", "credentials", "jwks", i] });
      });
    } else {
      add(accounts, doc.spec.serviceAccount.login.toLowerCase(), {
        li,
        path: ["spec", "serviceAccount", "login"],
      });
      add(tokens, doc.spec.token.id, { li, path: ["spec", "token", "id"] });
    }
  }

  return [
    ...shared(
      names,
      "unique.name",
      (o) => `The name is also used by ${o}: give each integration its own name.`,
      false,
    ),
    ...shared(
      labels,
      "unique.app-label",
      (o) =>
        `The app label is also used by ${o} (labels are compared ignoring case): set a distinct spec.label.`,
    ),
    ...shared(
      keys,
      "unique.jwk",
      (o) =>
        `This public key (same RFC 7638 thumbprint) is also used by ${o}: generate a key pair for each integration.`,
    ),
    ...shared(
      accounts,
      "unique.service-account",
      (o) =>
        `The service account is also used by ${o}: create a dedicated service account for each integration.`,
    ),
    ...shared(
      tokens,
      "unique.token",
      (o) => `The token is also registered by ${o}: each integration registers its own token.`,
    ),
    ...shared(
      zones,
      "unique.network-zone",
      (o) =>
        `The allow list is identical to that of ${o}: make sure the two are separate systems that share an egress, not one system with two credentials.`,
    ),
  ];
};

function add(groups: Map<string, Place[]>, key: string, place: Place): void {
  const group = groups.get(key);
  if (group === undefined) groups.set(key, [place]);
  else group.push(place);
}

/** How many of the other files a uniqueness finding names. */
const NAMED_OTHERS = 3;

/** A finding at each place of every key used by more than one integration. Places in the same
 * integration (the same name) count once unless `byName` is false (for the name rule itself). */
function shared(
  groups: Map<string, Place[]>,
  rule: RuleId,
  message: (others: string) => string,
  byName = true,
): Finding[] {
  const findings: Finding[] = [];
  for (const places of groups.values()) {
    if (places.length < 2) continue;
    const owners = new Set(
      places.map((p) => (byName ? p.li.integration.metadata.name : p.li.file)),
    );
    if (owners.size < 2) continue;
    // The files of each owner, in order: a message names a few of the others and counts the
    // rest, so that a thousand integrations sharing one allow list give a thousand short
    // findings, not a thousand lists of a thousand files.
    const filesOf = new Map<string, string[]>();
    for (const p of places) {
      const owner = byName ? p.li.integration.metadata.name : p.li.file;
      const files = filesOf.get(owner) ?? [];
      if (!files.includes(p.li.file)) files.push(p.li.file);
      filesOf.set(owner, files);
    }
    const total = [...filesOf.values()].reduce((n, f) => n + f.length, 0);
    for (const place of places) {
      const me = byName ? place.li.integration.metadata.name : place.li.file;
      const named: string[] = [];
      for (const [owner, files] of filesOf) {
        if (owner === me) continue;
        named.push(...files.slice(0, NAMED_OTHERS - named.length));
        if (named.length >= NAMED_OTHERS) break;
      }
      const rest = total - filesOf.get(me)!.length - named.length;
      const others = named.join(", ") + (rest > 0 ? ` and ${rest} more` : "");
      findings.push(
        report(place.li, rule, place.path, message(others), {
          part: place.part ?? "value",
        }),
      );
    }
  }
  return findings;
}
