// Copies Okta's OpenAPI descriptions (management.yaml, oauth.yaml) from ../shared/okta into
// spec/okta, unchanged, so that the tests run in a clone with nothing beside it. A test checks that
// the committed copies still match ../shared/okta when it is there.
//
//   npm run spec [-- --check]           (from ../shared/okta, or OKTA_SPEC_DIR)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SPEC_FILES = ["management.yaml", "oauth.yaml"] as const;

const root = fileURLToPath(new URL("..", import.meta.url));
const from = process.env.OKTA_SPEC_DIR ?? path.join(root, "../shared/okta");
const to = path.join(root, "spec/okta");

if (!existsSync(from)) {
  process.stderr.write(`${from} does not exist: nothing to copy the spec from\n`);
  process.exit(2);
}
let stale = false;
for (const file of SPEC_FILES) {
  const source = readFileSync(path.join(from, file));
  const target = path.join(to, file);
  if (process.argv.includes("--check")) {
    if (!existsSync(target) || !readFileSync(target).equals(source)) {
      process.stderr.write(`${target} differs from ${path.join(from, file)}: run 'npm run spec'\n`);
      stale = true;
    }
  } else {
    writeFileSync(target, source);
    process.stdout.write(`wrote ${target}\n`);
  }
}
if (stale) process.exit(1);
