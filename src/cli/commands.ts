// The registry of CLI commands. Each command lives in its own module under ./commands/.
import { validateCommand } from "./commands/validate.js";
import { planCommand } from "./commands/plan.js";
import { applyCommand } from "./commands/apply.js";
import { driftCommand } from "./commands/drift.js";
import { importCommand } from "./commands/import.js";
import { localOrgCommand } from "./commands/local-org.js";
import { keygenCommand } from "./commands/keygen.js";
import { serveCommand } from "./commands/serve.js";
import { bootstrapCommand } from "./commands/bootstrap.js";
import type { Command } from "./command.js";

export type { Command };

export const commands: Record<string, Command> = {
  validate: validateCommand,
  plan: planCommand,
  apply: applyCommand,
  drift: driftCommand,
  import: importCommand,
  keygen: keygenCommand,
  "local-org": localOrgCommand,
  serve: serveCommand,
  bootstrap: bootstrapCommand,
};
