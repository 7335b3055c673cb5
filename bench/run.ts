// `npm run bench -- <name> [--json]`: runs bench/<name>.ts. Each benchmark prints its figures for
// people and, with --json, one JSON object as its last line for machines.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
const names = name && !name.startsWith("-") ? [name] : available;
if (name && !available.includes(name)) {
  process.stderr.write(`unknown benchmark '${name}'; available: ${available.join(", ")}\n`);
  process.exit(2);
}
for (const n of names) {
  const mod = (await import(`./${n}.ts`)) as { run(argv: string[]): Promise<void> };
  await mod.run(name === n ? rest : process.argv.slice(2));
}
