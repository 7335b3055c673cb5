// `okta-gitops validate [paths...] [--format text|json|github|sarif] [--config FILE]`
// The adapter around validate(): reads files from disk, takes today's date from the clock, renders
// the findings. Exit 0 when nothing blocks (warnings and notices allowed), 1 when a finding is an
// error, 2 for a usage error.
import { existsSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { compareFindings, isBlocking, type Finding } from "../../model/index.js";
import { CONFIG_FILE, loadConfig } from "../../load/config.js";
import { LOAD_RULES } from "../../load/rules.js";
import { MissingPathError, readDirectorySources } from "../../load/source-directory.js";
import type { SourceFile } from "../../load/types.js";
import { validate } from "../../validate.js";
import { RULES as POLICY_RULES } from "../../policy/rules.js";
import { usageError } from "../command.js";
import {
  FORMATS,
  renderGithub,
  renderJson,
  renderSarif,
  renderText,
  type Format,
} from "../../render/index.js";

export const VERSION = "0.1.0";

export const HELP = `Usage: okta-gitops validate [paths...] [options]

Checks integration files against the policy. Paths are files or directories (searched for *.yaml
and *.yml); the default is integrations/.

Options:
  --format <text|json|github|sarif>  output format (default: text)
  --config <file>                    settings file (default: .okta-gitops.yml if present)
  --verbose                          text: show each exception that needs approval on its own
                                     (by default, one line per integration names them)
  -h, --help                         show this help

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or internal error.`;

/** What the command needs from the outside world; the real process by default. */
export interface ValidateIo {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Colour the text output (the caller decides: a TTY without NO_COLOR). */
  color: boolean;
  /** Today as YYYY-MM-DD. */
  today: string;
}

export function processIo(): ValidateIo {
  return {
    cwd: process.cwd(),
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    color: Boolean(process.stdout.isTTY) && !("NO_COLOR" in process.env && process.env.NO_COLOR),
    today: new Date().toISOString().slice(0, 10),
  };
}

export const validateCommand = {
  summary: "check integration files against the policy",
  run: (argv: string[]) => runValidate(argv, processIo()),
};

export async function runValidate(argv: string[], io: ValidateIo): Promise<number> {
  const usage = usageError("validate", io);
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: "string", default: "text" },
        config: { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usage(
      firstLine(error instanceof Error ? error.message : String(error)).replace(
        /\. To specify.*$/,
        "",
      ),
    );
  }
  if (args.values.help) {
    io.stdout(HELP + "\n");
    return 0;
  }
  const format = args.values.format as Format;
  if (!(FORMATS as readonly string[]).includes(format))
    return usage(`unknown format '${format}': use one of ${FORMATS.join(", ")}`);

  const paths = args.positionals.length ? args.positionals : ["integrations/"];
  const configPath =
    args.values.config ?? (existsSync(resolve(io.cwd, CONFIG_FILE)) ? CONFIG_FILE : undefined);

  let sources;
  let configSources;
  try {
    sources = readDirectorySources(paths, { root: io.cwd });
    configSources = configPath
      ? readDirectorySources([configPath], { root: io.cwd })
      : { files: [], findings: [] };
  } catch (error) {
    if (error instanceof MissingPathError) return usage(error.message);
    throw error;
  }
  if (configPath && statSync(resolve(io.cwd, configPath)).isDirectory())
    return usage(`--config ${configPath}: expected one YAML file, got a directory`);
  const { config, findings: configFindings } = loadConfig(configSources.files[0]);
  const result = validate({ files: sources.files, config, today: io.today });
  const findings: Finding[] = [
    ...sources.findings,
    ...configSources.findings,
    ...configFindings,
    ...result.findings,
  ].sort(compareFindings);
  const files = sources.files.length + sources.findings.length;

  const allFiles = [...sources.files, ...configSources.files];
  io.stdout(render(format, findings, files, allFiles, io.color, args.values.verbose));
  return findings.some(isBlocking) ? 1 : 0;
}

function render(
  format: Format,
  findings: Finding[],
  files: number,
  sources: readonly SourceFile[],
  color: boolean,
  verbose: boolean,
): string {
  switch (format) {
    case "json":
      return renderJson(findings, { files });
    case "github":
      return renderGithub(findings, { files });
    case "sarif":
      return renderSarif(findings, {
        rules: [...LOAD_RULES, ...POLICY_RULES],
        toolVersion: VERSION,
      });
    case "text": {
      const byPath = new Map(sources.map((s) => [s.path, s]));
      const decoder = new TextDecoder("utf-8");
      return renderText(findings, {
        files,
        color,
        verbose,
        source: (file) => {
          const s = byPath.get(file);
          return s ? decoder.decode(s.bytes) : undefined;
        },
      });
    }
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
