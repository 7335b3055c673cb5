// Adoption: a file's `# okta-gitops import:` line makes the bot take ownership of existing Okta
// objects, which it then rewrites on apply and deletes when the file goes. Anyone can write that
// line by hand, so taking ownership is an exception like the others: it needs the Identity team's
// approval. The planner refuses, in any case, objects that are in use outside the file.
import type { Finding } from "../model/index.js";
import type { IntegrationCheck } from "./report.js";

const KIND_NAMES = {
  app: "app",
  zone: "network zone",
  customRole: "custom role",
  resourceSet: "resource set",
} as const;

export const checkAdoption: IntegrationCheck = (li, ctx) => {
  const line = li.importLine;
  if (!line) return [];
  const at = {
    file: li.file,
    integration: li.integration.metadata.name,
    line: line.line,
    column: 1,
    endLine: line.line,
    endColumn: line.length + 1,
  };
  const findings: Finding[] = [];
  const named = Object.entries(line.ids).map(
    ([kind, id]) => `${KIND_NAMES[kind as keyof typeof KIND_NAMES]} ${id}`,
  );
  if (named.length)
    findings.push({
      ...at,
      rule: "adoption.requires-approval",
      severity: "warning",
      requiresApproval: true,
      message: `This file takes ownership of existing Okta objects (${named.join(", ")}): the bot will rewrite them to the file and delete them when the file is removed. Adopting an object is an exception: it needs an approval of the pull request by @${ctx.config.policy.identityTeam}. Once applied, the objects carry the bot's marker: remove the line then.`,
    });
  if (line.invalid.length)
    findings.push({
      ...at,
      rule: "adoption.requires-approval",
      severity: "error",
      message: `The import line has entries it cannot use (${line.invalid.map((x) => JSON.stringify(x)).join(", ")}): write each object once as app=<id>, zone=<id>, customRole=<id> or resourceSet=<id>.`,
    });
  return findings;
};
