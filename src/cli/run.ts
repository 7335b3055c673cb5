// Development entry: `npx tsx src/cli/run.ts <command> ...` runs the CLI from source (the
// published bin runs the compiled dist/).
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
