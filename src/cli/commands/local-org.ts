// `okta-gitops local-org`: serves a local Okta org on 127.0.0.1 until interrupted, so that the CLI
// and the bot run against the same client code path (the Okta SDK over HTTP) without an Okta org.
// The org lives in a data folder and survives restarts. With --env it serves nothing: it prints the
// OKTA_* settings of the server running on the folder, for a shell (eval) in which plan and apply
// then talk to it as to any Okta org.
import path from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../command.js";
import { OKTA_ENV } from "../../okta/settings.js";
import {
  BOT_SCOPES,
  DEFAULT_LOCAL_EGRESS_ADDRESS,
  egressAddressFrom,
  LOCAL_EGRESS_ENV,
  readCredentials,
  removeRunningFile,
  repositorySeed,
  RUNNING_FILE,
  runningServer,
  SEED_FILE,
  startLocalOrg,
  writeRunningFile,
  type LocalOrg,
} from "../../local-org/index.js";

export const DEFAULT_DATA_DIR = path.join(".okta-gitops", "local-org");

const USAGE = `Usage: okta-gitops local-org [--port N] [--data DIR] [--egress-address IP]
       okta-gitops local-org --env [--data DIR]

Serves a local Okta org (the part of the Management API that okta-gitops uses) on 127.0.0.1.
A new org is seeded from ${SEED_FILE} in the current directory, if there is one: the groups,
service accounts and API tokens that the integrations reference but okta-gitops does not create.

Options:
  --port N               port to listen on (default: a free port)
  --data DIR             data folder: org.json, the bot's private key, credentials.json
                         (default: ${DEFAULT_DATA_DIR} under the current directory)
  --egress-address IP    the address the local org sees you at: Okta sees a caller at its public
                         (NAT) address, never 127.0.0.1, so network zones are checked against this
                         address for callers on this machine (default: $${LOCAL_EGRESS_ENV}, else
                         ${DEFAULT_LOCAL_EGRESS_ADDRESS}, the address the bot's own integration allows)
  --env                  print the OKTA_* settings of the local org served from the data folder
                         as export lines, for another shell: eval "$(okta-gitops local-org --env)";
                         plan, apply and drift there use it as they would use an Okta org (so
                         exceptions need --approved, as with Okta)
  -h, --help             show this help`;

export const localOrgCommand: Command = {
  summary: "serve a local Okta org on 127.0.0.1 (no Okta org needed)",
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", short: "p" },
        data: { type: "string" },
        "egress-address": { type: "string" },
        env: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(USAGE + "\n");
      return 0;
    }
    if (values.env) return printEnv(path.resolve(values.data ?? DEFAULT_DATA_DIR));
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(
        `okta-gitops local-org: --port must be a port number, not '${values.port}'\n`,
      );
      return 2;
    }
    let egressAddress: string;
    try {
      egressAddress = egressAddressFrom(values["egress-address"], process.env);
    } catch (error) {
      process.stderr.write(`okta-gitops local-org: ${(error as Error).message}\n`);
      return 2;
    }
    const dataDir = path.resolve(values.data ?? DEFAULT_DATA_DIR);
    // Two servers over one org.json would overwrite each other's changes.
    const other = await runningServer(dataDir);
    if (other) {
      process.stderr.write(
        `okta-gitops local-org: a local org is already served from ${dataDir} at ${other.url} (pid ${other.pid})\n`,
      );
      return 1;
    }
    const org = await startLocalOrg({
      port,
      dataDir,
      egressAddress,
      seed: repositorySeed(process.cwd()),
    });
    const stopped = new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    const forget = () => removeRunningFile(dataDir, process.pid);
    process.once("exit", forget);
    try {
      writeRunningFile(dataDir, {
        url: org.url,
        pid: process.pid,
        startedAt: new Date().toISOString(),
        egressAddress,
      });
      announce(org, dataDir, egressAddress);
      await stopped;
    } finally {
      forget();
      await org.close();
    }
    return 0;
  },
};

function announce(org: LocalOrg, dataDir: string, egressAddress: string): void {
  const c = org.credentials;
  process.stdout.write(
    [
      `Local Okta org at ${org.url}`,
      `  SSWS token:  ${c.sswsToken} (the org admin's API token: Authorization: SSWS <token>)`,
      `  bot app:     client id ${c.clientId}, key id ${c.keyId} (private_key_jwt, DPoP)`,
      `  private key: ${c.privateKeyPath ?? "(in memory)"}`,
      `  egress:      ${egressAddress} (the address the local org sees you at, for network zones)`,
      ...(org.seeded
        ? [
            `  seeded:      ${org.seeded.groups} groups, ${org.seeded.users} users, ${org.seeded.apiTokens} API tokens from ${SEED_FILE} (token secrets in credentials.json)`,
          ]
        : []),
      `  data:        ${dataDir} (credentials.json, org.json; ${RUNNING_FILE} while this runs)`,
      ...(dataDir === path.resolve(DEFAULT_DATA_DIR)
        ? [
            `plan, apply, drift and import in this folder use this server (no OKTA_* settings needed).`,
            `In another shell, to use it as an Okta org: eval "$(okta-gitops local-org --env)"`,
          ]
        : [
            `In another shell, to use it as an Okta org: eval "$(okta-gitops local-org --env --data ${shellQuote(dataDir)})"`,
          ]),
      `Press Ctrl-C to stop.`,
      "",
    ].join("\n"),
  );
}

/** `--env`: export lines for the server running on `dataDir`; refuses when none is (a URL of a
 * server that is gone would only fail later, further from the cause). */
async function printEnv(dataDir: string): Promise<number> {
  const server = await runningServer(dataDir);
  const creds = server && (await readCredentials(dataDir));
  if (!server || !creds) {
    process.stderr.write(
      `okta-gitops local-org: no local org is served from ${dataDir}: start 'okta-gitops local-org' in another shell first\n`,
    );
    return 1;
  }
  const values: Record<(typeof OKTA_ENV)[number], string | undefined> = {
    OKTA_ORG_URL: server.url,
    OKTA_CLIENT_ID: creds.clientId,
    OKTA_PRIVATE_KEY: undefined,
    OKTA_PRIVATE_KEY_FILE: creds.privateKeyPath ?? path.join(dataDir, "bot-private-key.pem"),
    OKTA_KEY_ID: creds.keyId,
    OKTA_SCOPES: (creds.scopes.length ? creds.scopes : BOT_SCOPES).join(" "),
  };
  const lines = [
    `# The local Okta org at ${server.url} (pid ${server.pid}), from ${dataDir}`,
    ...Object.entries(values).flatMap(([k, v]) =>
      v === undefined ? [`unset ${k}`] : [`export ${k}=${shellQuote(v)}`],
    ),
    `# The org admin's SSWS token (not read by okta-gitops): ${shellQuote(creds.sswsToken)}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  return 0;
}

/** One POSIX shell word: single quotes, with each ' written as '\\''. Nothing inside is expanded. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}
