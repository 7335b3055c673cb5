// What every CLI command is: a one-line summary for `--help`, and a run that returns the exit code.
// Apart from the registry (./commands.ts), so that a command can name the shape without importing
// the registry that imports it.
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}
