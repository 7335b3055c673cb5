// Generates src/okta-facts/catalogue.generated.ts from Okta's own OpenAPI description of the
// Management API: the OAuth 2.0 scope catalogue and, for every operation, the scopes that its
// `security.oauth2` requirement lists. The tool never reads the spec at run time; a test checks
// that the committed file still matches the spec.
//
//   npm run catalogue [-- --check]      (spec from spec/okta/management.yaml, or OKTA_SPEC)
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderOktaCatalogue } from "./okta-catalogue.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const specPath = process.env.OKTA_SPEC ?? `${root}spec/okta/management.yaml`;
const outPath = `${root}src/okta-facts/catalogue.generated.ts`;

const text = renderOktaCatalogue(readFileSync(specPath, "utf8"));
if (process.argv.includes("--check")) {
  const current = readFileSync(outPath, "utf8");
  if (current !== text) {
    process.stderr.write(`${outPath} is stale: run 'npm run catalogue'\n`);
    process.exit(1);
  }
} else {
  writeFileSync(outPath, text);
  process.stdout.write(`wrote ${outPath}\n`);
}
