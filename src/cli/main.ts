// The command-line entry: dispatches to one module per command. Each command returns its exit
// code; only this function turns unexpected exceptions into exit code 2 with a one-line message.
import { commands } from "./commands.js";

export const USAGE = `okta-gitops: Okta API access as code

Usage: okta-gitops <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}

Run 'okta-gitops <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE + "\n");
    return name ? 0 : 2;
  }
  if (name === "--version") {
    process.stdout.write("okta-gitops 0.1.0\n");
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`okta-gitops: unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`okta-gitops ${name}: ${message}\n`);
    if (process.env.OKTA_GITOPS_DEBUG && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return 2;
  }
}
