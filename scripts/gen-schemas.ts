// Writes schemas/*.schema.json from the zod schemas (zod 4's JSON Schema output), so that editors
// validate integration files through yaml-language-server. `--check` fails when they are stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderJsonSchemas } from "../src/model/json-schema.js";

const root = fileURLToPath(new URL("..", import.meta.url));
let stale = false;
for (const [file, text] of Object.entries(renderJsonSchemas())) {
  const path = `${root}schemas/${file}`;
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      process.stderr.write(`${path} is stale: run 'npm run schemas'\n`);
      stale = true;
    }
  } else {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exit(stale ? 1 : 0);
