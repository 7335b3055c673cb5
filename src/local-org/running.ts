// The "server running" file: while `okta-gitops local-org` serves an org, its data folder holds
// server.json (URL, pid), so that the CLI's reconcile commands use that server instead of starting
// a second one over the same org.json (two servers over one file would overwrite each other's
// changes). A file whose process is gone, or whose URL answers nothing, is stale and ignored.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export const RUNNING_FILE = "server.json";

const RunningServer = z.object({
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d+$/),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  egressAddress: z.string().optional(),
});
export type RunningServer = z.infer<typeof RunningServer>;

/** Written once the server listens (atomically, 0600). */
export function writeRunningFile(dataDir: string, server: RunningServer): void {
  const file = path.join(dataDir, RUNNING_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(server, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

/** Removes the file if it still names `pid` (a later server may have replaced it). */
export function removeRunningFile(dataDir: string, pid: number): void {
  const file = path.join(dataDir, RUNNING_FILE);
  if (readRunningFile(dataDir)?.pid === pid) rmSync(file, { force: true });
}

function readRunningFile(dataDir: string): RunningServer | undefined {
  try {
    const parsed = RunningServer.safeParse(
      JSON.parse(readFileSync(path.join(dataDir, RUNNING_FILE), "utf8")),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether anything answers HTTP at `url` (a reused pid would not). */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/api/v1/org`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** The server that the data folder's running file names, if it is alive and answering. */
export async function runningServer(dataDir: string): Promise<RunningServer | undefined> {
  const server = readRunningFile(dataDir);
  if (!server || server.pid === process.pid || !alive(server.pid)) return undefined;
  return (await answers(server.url)) ? server : undefined;
}
