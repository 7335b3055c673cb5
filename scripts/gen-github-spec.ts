// Writes spec/github/api.subset.json: the operations and webhooks the App uses, with everything
// they reference, taken unchanged from GitHub's REST OpenAPI description (../shared/github), so
// that the tests validate GitHub traffic in a clone with nothing beside it. A test checks that the
// committed subset still matches what this script makes from ../shared/github when it is there.
//
//   npm run github-spec [-- --check]        (from ../shared/github, or GITHUB_SPEC_DIR)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { githubSpecSubset } from "./github-spec-subset.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const from = path.join(
  process.env.GITHUB_SPEC_DIR ?? path.join(root, "../shared/github"),
  "api.github.com.json",
);
const to = path.join(root, "spec/github/api.subset.json");

if (!existsSync(from)) {
  process.stderr.write(`${from} does not exist: nothing to take the subset from\n`);
  process.exit(2);
}
const text = `${JSON.stringify(githubSpecSubset(JSON.parse(readFileSync(from, "utf8"))), null, 1)}\n`;
if (process.argv.includes("--check")) {
  if (!existsSync(to) || readFileSync(to, "utf8") !== text) {
    process.stderr.write(`${to} differs from the subset of ${from}: run 'npm run github-spec'\n`);
    process.exit(1);
  }
} else {
  writeFileSync(to, text);
  process.stdout.write(`wrote ${to}\n`);
}
