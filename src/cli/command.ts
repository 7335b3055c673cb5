// What every CLI command is: a one-line summary for `--help`, and a run that returns the exit code.
// Apart from the registry (./commands.ts), so that a command can name the shape without importing
// the registry that imports it.
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** A usage error of `command`: the message and where to look, on stderr; exit code 2. */
export function usageError(
  command: string,
  io: { stderr(s: string): void },
): (message: string) => number {
  return (message) => {
    io.stderr(
      `okta-gitops ${command}: ${message}\nRun 'okta-gitops ${command} --help' for usage.\n`,
    );
    return 2;
  };
}
