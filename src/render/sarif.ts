// Findings as SARIF 2.1.0 for GitHub code scanning. The rule descriptions come in as a parameter
// (the load rules and the policy rules are separate registries); a finding whose rule is not in
// the registry still gets a descriptor, so ruleIndex always points at a rule.
import type { Finding, Severity } from "../model/finding.js";
import { displayJson, terminalText } from "./escape.js";

export interface SarifRule {
  id: string;
  severity: Severity;
  summary: string;
  help: string;
}

export interface SarifOptions {
  rules: readonly SarifRule[];
  toolVersion: string;
  informationUri?: string;
}

const LEVEL = { error: "error", warning: "warning", notice: "note" } as const;

export function renderSarif(findings: readonly Finding[], options: SarifOptions): string {
  const rules = new Map<string, SarifRule>();
  for (const r of options.rules) rules.set(r.id, r);
  for (const f of findings)
    if (!rules.has(f.rule))
      rules.set(f.rule, { id: f.rule, severity: f.severity, summary: f.rule, help: "" });
  const ids = [...rules.keys()].sort();
  const index = new Map(ids.map((id, i) => [id, i]));

  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "okta-gitops",
            version: options.toolVersion,
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules: ids.map((id) => {
              const r = rules.get(id)!;
              return {
                id,
                name: id,
                shortDescription: { text: r.summary },
                fullDescription: { text: r.summary },
                ...(r.help ? { help: { text: r.help } } : {}),
                defaultConfiguration: { level: LEVEL[r.severity] },
              };
            }),
          },
        },
        // yaml counts columns in UTF-16 code units, like JavaScript strings.
        columnKind: "utf16CodeUnits",
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule)!,
          level: LEVEL[f.severity],
          // Shown in GitHub's code scanning view: no control or bidi character.
          message: { text: terminalText(f.message, { layout: true }) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: "%SRCROOT%" },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  ...(f.endLine !== undefined ? { endLine: f.endLine } : {}),
                  ...(f.endColumn !== undefined ? { endColumn: f.endColumn } : {}),
                },
              },
            },
          ],
          ...(f.requiresApproval || f.integration
            ? {
                properties: {
                  ...(f.integration ? { integration: f.integration } : {}),
                  ...(f.requiresApproval ? { requiresApproval: true } : {}),
                },
              }
            : {}),
        })),
      },
    ],
  };
  return displayJson(JSON.stringify(log, null, 2)) + "\n";
}
