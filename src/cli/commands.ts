// The registry of CLI commands. Each command lives in its own module under ./commands/.
import { validateCommand } from "./commands/validate.js";

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  validate: validateCommand,
};
