// `okta-gitops keygen <integration> [--out FILE] [--bits N] [--write]`: a key pair for an API
// Service App's private_key_jwt client authentication. The private key goes to a file outside the
// repository (mode 0600, created exclusively, never through a symlink); the public JWK is printed
// with a dated kid, or added to the integration's file with --write, keeping its comments.
import { generateKeyPairSync } from "node:crypto";
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { IntegrationName } from "../../model/integration.js";
import { processIo, type ReconcileIo } from "../reconcile-support.js";
import { usageError } from "../command.js";

export const KEYGEN_HELP = `Usage: okta-gitops keygen <integration> [--out FILE] [--bits 2048|3072|4096] [--write]

Generates an RSA key pair for the integration's API Service App (private_key_jwt). Prints the
public key as a JWK with a dated kid (<integration>-YYYY-MM), ready to paste into
spec.credentials.jwks of integrations/<integration>.yaml.

Options:
  --out FILE     where to write the private key (PKCS#8 PEM, mode 0600); it must be outside the
                 repository and must not exist yet
                 (default: ~/.okta-gitops/keys/<kid>.pem)
  --bits N       RSA modulus size: 2048, 3072 or 4096 (default: 2048)
  --write        add the public key to the file's spec.credentials.jwks (comments are kept); the
                 file may hold two keys, so rotating is: keygen --write, open a pull request, and
                 remove the old key in a later one once clients use the new key
  -h, --help     show this help

Exit status: 0 key written, 1 refused (the reason is printed), 2 usage error.`;

const BITS = [2048, 3072, 4096] as const;
/** The schema allows one or two keys: the current one and its successor during a rotation. */
const MAX_KEYS = 2;

/** A refusal: its message is printed as it is (exit 1). */
export class Refusal extends Error {}

export const keygenCommand = {
  summary: "generate a key pair for an integration (private key outside the repository)",
  run: (argv: string[]) => runKeygen(argv, processIo()),
};

export async function runKeygen(
  argv: string[],
  io: Pick<ReconcileIo, "cwd" | "env" | "stdout" | "stderr" | "today">,
): Promise<number> {
  const usage = usageError("keygen", io);
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string" },
        bits: { type: "string", default: "2048" },
        write: { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usage((error as Error).message.split("\n")[0]!);
  }
  if (args.values.help) {
    io.stdout(KEYGEN_HELP + "\n");
    return 0;
  }
  if (args.positionals.length !== 1) return usage("name exactly one integration");
  const name = args.positionals[0]!;
  // The name becomes part of a file path and of the kid: only well-formed names.
  if (!IntegrationName.safeParse(name).success)
    return usage(
      `'${name.slice(0, 60)}' is not an integration name (lower-case letters, digits and single hyphens)`,
    );
  const bits = Number(args.values.bits);
  if (!(BITS as readonly number[]).includes(bits))
    return usage(`--bits must be one of ${BITS.join(", ")}`);

  try {
    const file = path.join("integrations", `${name}.yaml`);
    const target = readTarget(path.resolve(io.cwd, file), file, args.values.write);
    const keysDir = path.join(io.env.HOME || homedir(), ".okta-gitops", "keys");
    // With the default path, a kid whose key file is already there (made without --write, say)
    // counts as taken too, so that the default never collides with an earlier key.
    const kid = newKid(name, io.today, target?.kids ?? [], (k) =>
      args.values.out === undefined ? existsSync(path.join(keysDir, `${k}.pem`)) : false,
    );
    const out = path.resolve(io.cwd, args.values.out ?? path.join(keysDir, `${kid}.pem`));
    checkOutsideRepository(out, io.cwd);

    const { publicKey, privateKey } = generateKeyPairSync("rsa", {
      modulusLength: bits,
      publicExponent: 0x10001,
    });
    const exported = publicKey.export({ format: "jwk" });
    const jwk = { kid, kty: "RSA", e: exported.e!, n: exported.n! };
    writePrivateKey(out, privateKey.export({ type: "pkcs8", format: "pem" }) as string);

    if (target?.doc) {
      writeFileSync(path.resolve(io.cwd, file), withKey(target, jwk, file));
      io.stderr(`Added key ${kid} to ${file} (spec.credentials.jwks).\n`);
    }
    io.stderr(
      `Private key (PKCS#8 PEM, ${bits} bits) written to ${out} (mode 0600): it never goes into the repository; hand it to the integration's client.\n`,
    );
    if (!target?.doc) io.stderr(`Paste this public key into spec.credentials.jwks of ${file}:\n`);
    io.stdout(JSON.stringify(jwk) + "\n");
    return 0;
  } catch (error) {
    if (error instanceof Refusal) {
      io.stderr(`okta-gitops keygen: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

interface Target {
  kids: string[];
  /** The parsed file and its text, with --write only. */
  doc?: Document;
  text?: string;
  lineCounter?: LineCounter;
}

/** The kids already in the file (so that the new one is unique), and with --write the document to
 * add the key to. Without --write a missing or broken file only means no kids to avoid. */
function readTarget(absolute: string, file: string, write: boolean): Target | undefined {
  if (!existsSync(absolute)) {
    if (write)
      throw new Refusal(
        `${file} does not exist: write the integration's file first (see "Your first integration" in the README)`,
      );
    return undefined;
  }
  const text = readFileSync(absolute, "utf8");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  const firstError = doc.errors[0];
  if (firstError) {
    if (!write) return undefined;
    throw new Refusal(
      `${file}:${lineOf(firstError.pos[0])}: the file is not valid YAML (${firstError.code}); fix it, then run keygen --write again`,
    );
  }
  const jwks = doc.getIn(["spec", "credentials", "jwks"], true);
  const items = isSeq(jwks) ? jwks.items : [];
  const kids = items.flatMap((item) => {
    const kid = isMap(item) ? item.get("kid") : undefined;
    return typeof kid === "string" ? [kid] : [];
  });
  if (!write) return { kids };

  if (doc.get("kind") !== "ServiceApp")
    throw new Refusal(
      `${file}: only a ServiceApp has keys (kind: ServiceApp); an API token exception authenticates with its token`,
    );
  if (jwks !== undefined && jwks !== null && !isSeq(jwks))
    throw new Refusal(
      `${file}:${lineOf((jwks as { range?: [number] }).range?.[0])}: spec.credentials.jwks must be a list; fix it, then run keygen --write again`,
    );
  for (const key of ["spec", "credentials"]) {
    const node = key === "spec" ? doc.get("spec", true) : doc.getIn(["spec", "credentials"], true);
    if (node !== undefined && node !== null && !isMap(node))
      throw new Refusal(
        `${file}: ${key === "spec" ? "spec" : "spec.credentials"} must be a mapping`,
      );
  }
  if (items.length >= MAX_KEYS)
    throw new Refusal(
      `${file}:${lineOf(isSeq(jwks) ? jwks.range?.[0] : undefined)}: spec.credentials.jwks already holds ${items.length} keys (${kids.join(", ")}), the most it may hold: remove the key that clients no longer use, apply that, then run keygen --write again`,
    );
  return { kids, doc, text, lineCounter };
}

/** `<name>-YYYY-MM`, or with -2, -3, ... when the file already has that kid (two keys made in one
 * month) or `inUse` says so. Bounded: a file holds at most a handful of kids. */
export function newKid(
  name: string,
  today: string,
  taken: readonly string[],
  inUse: (kid: string) => boolean = () => false,
): string {
  const base = `${name}-${today.slice(0, 7)}`;
  const free = (kid: string) => !taken.includes(kid) && !inUse(kid);
  if (free(base)) return base;
  for (let i = 2; i <= 100; i++) {
    const kid = `${base}-${i}`;
    if (free(kid)) return kid;
  }
  throw new Refusal(
    `no free key id ${base}-N: remove old keys from ~/.okta-gitops/keys or use --out`,
  );
}

/** The repository containing `cwd` (the nearest folder with .git), or `cwd` itself. */
function repositoryRoot(cwd: string): string {
  let dir = realpathSync(cwd);
  for (let i = 0; i < 256; i++) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return realpathSync(cwd);
}

/** Refuses a key path inside the repository: a private key there is one `git add` from being
 * published. Symlinks in the folders are resolved, so a link into the tree does not get past. */
export function checkOutsideRepository(out: string, cwd: string): void {
  const root = repositoryRoot(cwd);
  const dir = nearestExisting(path.dirname(out));
  const real = path.join(
    realpathSync(dir),
    path.relative(dir, path.dirname(out)),
    path.basename(out),
  );
  const inside = (base: string) => {
    const rel = path.relative(base, real);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  };
  if (inside(path.join(root, "integrations")))
    throw new Refusal(
      `${out} is inside integrations/: a private key must never be committed; choose a path outside the repository (--out ~/keys/NAME.pem)`,
    );
  if (inside(root))
    throw new Refusal(
      `${out} is inside the repository (${root}): a private key there is one 'git add' from being published; choose a path outside it (--out ~/keys/NAME.pem)`,
    );
}

function nearestExisting(dir: string): string {
  let d = dir;
  for (let i = 0; i < 256 && !existsSync(d); i++) d = path.dirname(d);
  return d;
}

/** Creates the file exclusively (O_EXCL: an existing file or symlink is an error, never followed
 * or overwritten) with mode 0600, whatever the umask. */
export function writePrivateKey(out: string, pem: string): void {
  mkdirSync(path.dirname(out), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(
      out,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ELOOP") {
      const link = lstatSync(out, { throwIfNoEntry: false })?.isSymbolicLink();
      throw new Refusal(
        `${out} already exists${link ? " (a symbolic link)" : ""}: keygen never overwrites a key; choose another path with --out`,
      );
    }
    throw new Refusal(`cannot create ${out}: ${(error as Error).message}`);
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, pem);
  } finally {
    closeSync(fd);
  }
}

/**
 * The file's text with the key appended to spec.credentials.jwks as a one-line mapping, spliced
 * into the text so that every other byte (comments, flow lists, quoting) stays as it was; creates
 * credentials when the spec has none. The result is parsed again and must hold exactly the old keys
 * plus the new one: any other layout is refused rather than written wrong.
 */
function withKey(target: Target, jwk: Record<string, string>, file: string): string {
  const { doc, text, lineCounter } = target as Required<Target>;
  const flow = `{ ${Object.entries(jwk)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ")} }`;
  const column = (offset: number) => lineCounter.linePos(offset).col - 1;
  const lineEnd = (offset: number) => {
    const nl = text.indexOf("\n", offset);
    return nl === -1 ? text.length : nl;
  };
  let out: string | undefined;
  const jwks = doc.getIn(["spec", "credentials", "jwks"], true);
  const spec = doc.get("spec", true);
  if (isSeq(jwks) && jwks.range) {
    if (jwks.flow) {
      const close = text.lastIndexOf("]", jwks.range[1]);
      let at = close;
      while (at > jwks.range[0] && /\s/.test(text[at - 1]!)) at--;
      if (close > jwks.range[0])
        out = text.slice(0, at) + (jwks.items.length ? `, ${flow}` : flow) + text.slice(at);
    } else if (jwks.items.length) {
      const at = lineEnd(jwks.range[1] - 1);
      out = `${text.slice(0, at)}\n${" ".repeat(column(jwks.range[0]))}- ${flow}${text.slice(at)}`;
    }
  } else if (
    doc.getIn(["spec", "credentials"], true) === undefined &&
    isMap(spec) &&
    !spec.flow &&
    spec.range &&
    spec.items.length
  ) {
    const indent = " ".repeat(column((spec.items[0]!.key as { range: [number] }).range[0]));
    const at = lineEnd(spec.range[1] - 1);
    out = `${text.slice(0, at)}\n${indent}credentials:\n${indent}  jwks:\n${indent}    - ${flow}${text.slice(at)}`;
  }
  const check = out === undefined ? undefined : parseDocument(out, { uniqueKeys: true });
  const kids = (check?.toJS() as { spec?: { credentials?: { jwks?: { kid?: string }[] } } })?.spec
    ?.credentials?.jwks;
  if (
    !out ||
    check!.errors.length ||
    !Array.isArray(kids) ||
    JSON.stringify(kids.map((k) => k?.kid)) !== JSON.stringify([...target.kids, jwk.kid])
  )
    throw new Refusal(
      `${file}: cannot add the key to spec.credentials.jwks as the file is laid out; run keygen without --write and paste the key by hand`,
    );
  return out;
}
