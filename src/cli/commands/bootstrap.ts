// `okta-gitops bootstrap --key-out FILE`: creates the bot's own API Service App from its
// integration file, with an Okta admin's short-lived token read once from stdin, and prints the
// OKTA_* settings the bot then runs with. The token is never taken from argv or the environment
// (both are visible to other processes and end up in shell history and CI logs), never written,
// logged or printed; its bytes are zeroed once the connection is closed (the SDK's copy of the
// header string is dropped; JavaScript cannot wipe a string, so that is as far as it goes).
// The private key goes to a new file (mode 0600) outside the repository, never to stdout.
import { generateKeyPairSync } from "node:crypto";
import { existsSync, lstatSync, unlinkSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { Finding } from "../../model/index.js";
import { connectAsAdmin, parseAdminToken, type AdminToken } from "../../okta/admin.js";
import { canonicalJwks } from "../../reconcile/normalise.js";
import { bootstrapBot, bootstrapTarget, type BootstrapResult } from "../../workflows/bootstrap.js";
import { usageError } from "../command.js";
import {
  processIo,
  WORKSPACE_OPTIONS,
  workspaceFromArgs,
  type ReconcileIo,
} from "../reconcile-support.js";
import { checkOutsideRepository, newKid, Refusal, writePrivateKey } from "./keygen.js";
import { shellQuote } from "./local-org.js";

export const BOOTSTRAP_HELP = `Usage: okta-gitops bootstrap --key-out FILE [--approved NAME] [--config FILE]

Creates the bot's own API Service App in the Okta org at OKTA_ORG_URL, from its integration file
(integrations/<bot.integration>.yaml, validated by the policy like any other): its network zone,
the app (private_key_jwt, DPoP as the file says) carrying the okta-gitops marker, its scope grants,
its admin role and its rate-limit share: what apply would create for that file. A new key pair is
generated for the bot; Okta gets the public key, the private key goes to --key-out.

The Okta admin's token is read once from stdin (a prompt that does not echo on a terminal, or a
pipe): an SSWS API token, or an OAuth access token for the Management API (Bearer), optionally
prefixed by its scheme. It is never read from arguments or the environment, never stored,
logged or printed. Use a short-lived one and revoke it afterwards.

Prints the settings the bot then needs, as export lines: OKTA_ORG_URL, OKTA_CLIENT_ID,
OKTA_KEY_ID, OKTA_SCOPES and OKTA_PRIVATE_KEY_FILE (the --key-out file). Refuses when the bot's
app already exists in Okta.

Options:
  --key-out FILE   where to write the bot's private key (PKCS#8 PEM, mode 0600): a new file
                   outside the repository; an existing file or symbolic link is never overwritten
  --approved NAME  the bot's integration's exceptions (superAdmin, highRiskScopes) have the
                   Identity team's approval (as for apply)
  --config FILE    settings file (default: .okta-gitops.yml)
  -h, --help       show this help

Environment:
  OKTA_ORG_URL     the org, e.g. https://acme.okta.com (a local org served by 'okta-gitops
                   local-org' works the same; its admin's SSWS token is in its credentials.json)

Exit status: 0 created, 1 refused or failed (the reason is printed), 2 usage error.`;

export interface BootstrapIo extends ReconcileIo {
  /** The admin's token, read once from stdin: the caller zeroes the buffer when done. */
  readToken(): Promise<Buffer>;
}

export const bootstrapCommand = {
  summary: "create the bot's own Okta app with an admin's token given on stdin",
  run: (argv: string[]) => runBootstrap(argv, { ...processIo(), readToken: readStdinToken }),
};

const OrgUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));

export async function runBootstrap(argv: string[], io: BootstrapIo): Promise<number> {
  const usage = usageError("bootstrap", io);
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        "key-out": { type: "string" },
        approved: WORKSPACE_OPTIONS.approved,
        config: WORKSPACE_OPTIONS.config,
        help: WORKSPACE_OPTIONS.help,
      },
    });
  } catch (error) {
    return usage((error as Error).message.split("\n")[0]!);
  }
  if (args.values.help) {
    io.stdout(BOOTSTRAP_HELP + "\n");
    return 0;
  }
  const keyOut = args.values["key-out"];
  if (!keyOut)
    return usage(
      "--key-out FILE is required: the bot's private key is written there (mode 0600), never printed",
    );
  if (!io.env.OKTA_ORG_URL)
    return usage(
      "OKTA_ORG_URL is not set: name the Okta org to create the bot's app in (for a local org, the URL 'okta-gitops local-org' prints)",
    );
  const url = OrgUrl.safeParse(io.env.OKTA_ORG_URL);
  if (!url.success) return usage("OKTA_ORG_URL must be the org's URL, e.g. https://acme.okta.com");
  const orgUrl = url.data;

  const fail = (message: string) => {
    io.stderr(`okta-gitops bootstrap: ${message}\n`);
    return 1;
  };
  // Everything that can be refused without Okta is, before the token is asked for.
  let ws;
  try {
    ws = workspaceFromArgs(io, { positionals: [], values: args.values });
  } catch (error) {
    return fail((error as Error).message);
  }
  const target = bootstrapTarget(ws);
  if (!target.ok) {
    for (const f of target.findings) io.stderr(findingLine(f));
    return fail(target.reason);
  }
  const out = path.resolve(io.cwd, keyOut);
  try {
    checkOutsideRepository(out, io.cwd);
    if (lstatSync(out, { throwIfNoEntry: false }))
      throw new Refusal(
        `${out} already exists: bootstrap never overwrites a file; choose a new path with --key-out`,
      );
  } catch (error) {
    if (error instanceof Refusal) return fail(error.message);
    throw error;
  }

  const raw = await io.readToken();
  let token: AdminToken | { error: string } | undefined;
  let created = false;
  let connection: ReturnType<typeof connectAsAdmin> | undefined;
  try {
    token = parseAdminToken(raw.toString("utf8"));
    raw.fill(0);
    if ("error" in token) return fail(`${token.error}; nothing was changed`);

    const { publicKey, privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicExponent: 0x10001,
    });
    const kid = newKid(
      target.name,
      io.today,
      target.desired.app.jwks.map((k) => k.kid),
    );
    const exported = publicKey.export({ format: "jwk" });
    const jwk = { kid, kty: "RSA", e: exported.e!, n: exported.n! };
    const key = canonicalJwks([jwk])[0]!;

    connection = connectAsAdmin(orgUrl, token, { scopes: target.desired.scopes, keyId: kid });
    token = undefined;
    // The key file exists only if the app is made with its public half: written just before,
    // removed again on any other outcome (a key of no app is of no use, and would block the path).
    writePrivateKey(out, privateKey.export({ type: "pkcs8", format: "pem" }) as string);
    created = true;
    let result: BootstrapResult;
    try {
      result = await bootstrapBot(target, connection, key);
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const message = (error as Error).message?.split("\n")[0] ?? String(error);
      return fail(
        status === 401 || status === 403
          ? `Okta refused the admin token (${message}): it must be an active super admin's SSWS API token or Bearer access token for ${orgUrl}; nothing was changed`
          : `${message}; look in Okta for what was made (the okta-gitops marker of ${target.name}) before running again`,
      );
    }
    if (result.outcome === "refused") return fail(result.reason);
    if (result.outcome === "failed")
      return fail(
        `${result.reason}.${result.appId ? ` The app ${result.appId} was created but is not complete: deactivate and delete it in the Admin Console, then run bootstrap again.` : ""} The private key was removed`,
      );
    created = false; // keep the key: it is the bot's now
    io.stderr(
      [
        `Created the bot's app ${target.desired.app.label} (client id ${result.clientId}) from ${target.file}: ${result.report.done} operations (${result.report.outcomes.map((o) => o.op.id).join(", ")}).`,
        `Private key written to ${out} (PKCS#8 PEM, mode 0600): move it to the bot's secret store and delete this copy; it is shown nowhere else.`,
        `Its public key ${kid} is in Okta; the bot keeps it on its own app although ${target.file} does not list it. To record it in the repository, add this to spec.credentials.jwks in a pull request:`,
        `  ${JSON.stringify(jwk)}`,
        "The settings the bot needs (stdout):",
        "",
      ].join("\n"),
    );
    const settings: [string, string][] = [
      ["OKTA_ORG_URL", orgUrl],
      ["OKTA_CLIENT_ID", result.clientId],
      ["OKTA_KEY_ID", result.keyId],
      ["OKTA_SCOPES", result.scopes.join(" ")],
      ["OKTA_PRIVATE_KEY_FILE", out],
    ];
    io.stdout(settings.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join(""));
    return 0;
  } catch (error) {
    if (error instanceof Refusal) return fail(error.message);
    throw error;
  } finally {
    raw.fill(0);
    token = undefined;
    connection?.forget();
    if (created && existsSync(out)) unlinkSync(out);
  }
}

/** `file:line:column: error message (rule)`: one line a person or an editor can jump to. */
function findingLine(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.message.replace(/\s*\n\s*/g, " ")} (${f.rule})\n`;
}

/** Longest input taken from stdin: more than any token, so a stray file is not read whole. */
const MAX_INPUT = 16 * 1024 + 2;

/**
 * The first line of stdin, as bytes. On a terminal: a prompt on stderr and no echo (raw mode,
 * Ctrl-C aborts); from a pipe: read up to the first newline or the end, at most MAX_INPUT bytes.
 */
export async function readStdinToken(): Promise<Buffer> {
  const stdin = process.stdin;
  const buffer = Buffer.alloc(MAX_INPUT);
  let length = 0;
  const tty = stdin.isTTY;
  if (tty) {
    process.stderr.write("Okta admin token (input is not shown): ");
    stdin.setRawMode(true);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        stdin.off("data", onData);
        stdin.off("end", done);
        stdin.off("error", reject);
        stdin.pause();
        resolve();
      };
      const onData = (chunk: Buffer) => {
        for (const byte of chunk) {
          if (tty && byte === 0x03) {
            chunk.fill(0);
            stdin.off("data", onData);
            stdin.pause();
            return reject(new Error("interrupted: nothing was changed"));
          }
          if (byte === 0x0a || byte === 0x0d || (tty && byte === 0x04)) {
            chunk.fill(0);
            return done();
          }
          if (tty && (byte === 0x7f || byte === 0x08)) {
            if (length) buffer[--length] = 0;
            continue;
          }
          if (length < MAX_INPUT) buffer[length++] = byte;
        }
        chunk.fill(0);
        if (length >= MAX_INPUT) done();
      };
      stdin.on("data", onData);
      stdin.on("end", done);
      stdin.on("error", reject);
      stdin.resume();
    });
  } finally {
    if (tty) {
      stdin.setRawMode(false);
      process.stderr.write("\n");
    }
  }
  const line = Buffer.from(buffer.subarray(0, length));
  buffer.fill(0);
  return line;
}
