// Probot for tests: its Octokit with retries and throttling off (a test sees each request once),
// and a logger in pino's shape that keeps every line, so a test can assert what reached the log.
import { ProbotOctokit, type Logger } from "probot";

/** A logger in pino's shape that keeps each line (level and message) in `lines`. */
export function captureLogger(lines: string[]): Logger {
  const write =
    (level: string) =>
    (a: unknown, b?: unknown): void => {
      const msg =
        typeof a === "string"
          ? a
          : typeof b === "string"
            ? b
            : a instanceof Error
              ? a.message
              : JSON.stringify(a);
      lines.push(`${level}: ${msg}`);
    };
  const logger: Record<string, unknown> = {
    level: "trace",
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    fatal: write("fatal"),
    silent: () => {},
    isLevelEnabled: () => true,
  };
  logger.child = () => logger;
  return logger as unknown as Logger;
}

/** Probot's Octokit with retries and throttling off: a test sees each request once. */
export const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
})) as typeof ProbotOctokit;
