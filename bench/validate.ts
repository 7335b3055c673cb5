// `npm run bench -- validate [--json] [--files N]`: validating N (10,000) compliant integration
// files, as the CLI does in-process (read + decode + parse with positions + schema + policy),
// against merely reading and parsing the same files with yaml's `parse`. Target: ratio <= 1.5,
// peak RSS < 300 MB.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { readDirectorySources } from "../src/load/source-directory.js";
import { loadConfig } from "../src/load/config.js";
import { validate } from "../src/validate.js";
import { integrationName, serviceAppYaml } from "../test/support/service-app.js";

// Other work on the machine makes single rounds noisy: alternate several and keep the medians.
const ROUNDS = 5;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" },
      files: { type: "string", default: "10000" },
      // Internal: validate the repository at this path once and print the peak RSS.
      "measure-rss": { type: "string" },
    },
  });
  if (values["measure-rss"]) return measureRss(values["measure-rss"]);
  const count = Number(values.files);
  if (!Number.isInteger(count) || count < 1) throw new Error("--files must be a positive integer");

  const root = mkdtempSync(join(tmpdir(), "okta-gitops-bench-"));
  try {
    const dir = join(root, "integrations");
    mkdirSync(dir);
    for (let i = 0; i < count; i++) {
      const name = integrationName(i);
      writeFileSync(join(dir, `${name}.yaml`), serviceAppYaml(i, name));
    }

    const parseOnly = () => {
      let n = 0;
      for (const f of readdirSync(dir)) if (parse(readFileSync(join(dir, f), "utf8"))) n++;
      return n;
    };
    let last: ReturnType<typeof validate> | undefined;
    const validateAll = () => {
      const sources = readDirectorySources(["integrations"], { root });
      const { config } = loadConfig();
      last = validate({ files: sources.files, config, today: "2026-11-29" });
      return last.integrations.length;
    };

    // One warm-up each (JIT, file cache), then alternate rounds and keep the median.
    parseOnly();
    validateAll();
    const parseTimes: Timing[] = [];
    const validateTimes: Timing[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      parseTimes.push(time(parseOnly));
      last = undefined;
      validateTimes.push(time(validateAll));
    }
    const errors = last!.findings.filter((f) => f.severity === "error");
    if (last!.integrations.length !== count || errors.length > 0)
      throw new Error(
        `the generated files should all be valid: ${last!.integrations.length}/${count} loaded, ` +
          `${errors.length} errors, e.g. ${JSON.stringify(errors[0])}`,
      );

    const peakRss = peakRssOfFreshProcess(root, count);
    const parseMs = median(parseTimes.map((t) => t.wall));
    const validateMs = median(validateTimes.map((t) => t.wall));
    const cpuRatio = median(validateTimes.map((t) => t.cpu)) / median(parseTimes.map((t) => t.cpu));
    const result = {
      files: count,
      validate_ms: Math.round(validateMs),
      parse_ms: Math.round(parseMs),
      ratio: Math.round((validateMs / parseMs) * 100) / 100,
      peak_rss_mb: peakRss,
    };
    process.stdout.write(
      `validate: ${count} files in ${result.validate_ms} ms (median of ${ROUNDS}); ` +
        `read + yaml parse alone: ${result.parse_ms} ms; ratio ${result.ratio} (target <= 1.5; ` +
        `in CPU time ${cpuRatio.toFixed(2)})\n` +
        `peak RSS of a fresh process validating them once: ${result.peak_rss_mb} MB ` +
        `(target < 300; this process, after all rounds and the parse baseline: ` +
        `${Math.round(process.resourceUsage().maxRSS / 1024)} MB)\n`,
    );
    if (values.json) process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The peak memory of validating, measured where nothing else (generation, the parse baseline,
 * earlier rounds) has grown the heap: a fresh process that validates the files once. */
function peakRssOfFreshProcess(root: string, count: number): number {
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(new URL("run.ts", import.meta.url)),
      "validate",
      "--measure-rss",
      root,
    ],
    { encoding: "utf8" },
  );
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  const measured = JSON.parse(last) as { integrations: number; peak_rss_mb: number };
  if (child.status !== 0 || measured.integrations !== count)
    throw new Error(`the measuring process failed: ${child.stderr}`);
  return measured.peak_rss_mb;
}

function measureRss(root: string): void {
  const sources = readDirectorySources(["integrations"], { root });
  const { config } = loadConfig();
  const result = validate({ files: sources.files, config, today: "2026-11-29" });
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(
    JSON.stringify({ integrations: result.integrations.length, peak_rss_mb: peak }) + "\n",
  );
}

interface Timing {
  wall: number;
  /** User + system CPU time, less sensitive than wall time to other processes on the machine. */
  cpu: number;
}

function time(fn: () => unknown): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
