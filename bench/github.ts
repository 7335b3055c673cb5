// `npm run bench -- github [--json] [--sizes 100,5000] [--runs 3]`: one pull-request event that
// changes one integration file, in repositories of 100 and of 5,000 integrations, through the real
// App (the `okta-gitops serve` server over HTTP on 127.0.0.1, signed webhooks) against the local
// GitHub and the local Okta org, which holds every integration of the repository (applied
// beforehand over HTTP with the limits lifted: setup, not measured).
//   github_calls_<N>   GitHub API calls of the event (the archive download's redirect included)
//   okta_calls_<N>     Okta calls of the event (target: the same at both sizes)
//   comment_ms_<N>     webhook sent -> the plan comment is on the pull request (median of runs)
//   done_ms_<N>        webhook sent -> every piece of work of the event finished (median)
//   github_calls_ratio / okta_calls_ratio / comment_ms_ratio: largest size over smallest
//   spec_violations    requests or answers of the run that break GitHub's OpenAPI description
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { startLocalOrg, type LocalOrg } from "../src/local-org/index.js";
import { runApply } from "../src/cli/commands/apply.js";
import { envFor, Repo, testIo } from "../test/reconcile/harness.js";
import { serviceApp, type SpecOverrides } from "../test/reconcile/fixtures.js";
import { startApp } from "../test/support/github-app.js";
import { startLocalGitHub, type LocalGitHub } from "../test/support/local-github/index.js";
import { deliver, pullRequestEvent } from "../test/support/local-github/webhooks.js";

const SETUP = { perMinute: 1_000_000, concurrency: 1000 };

interface Measured {
  github: number;
  okta: number;
  commentMs: number;
  doneMs: number;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: "boolean" },
      sizes: { type: "string", default: "100,5000" },
      runs: { type: "string", default: "3" },
    },
  });
  const sizes = values.sizes.split(",").map(Number);
  const runs = Number(values.runs);
  const say = (s: string) => process.stdout.write(s + "\n");
  const result: Record<string, number | null> = {};
  let violations = 0;
  const measured = new Map<number, Measured>();
  // A new local GitHub, Okta org and App for each size: Okta holds that repository only.
  for (const size of sizes) {
    const gh = await startLocalGitHub();
    const org = await startLocalOrg({ rateLimits: SETUP, log: { max: 100 } });
    const app = await startApp({ github: gh, okta: org, clock: () => new Date() });
    try {
      const m = await measure(gh, org, app, size, runs, say);
      measured.set(size, m);
      violations += gh.violations().length;
      result[`github_calls_${size}`] = m.github;
      result[`okta_calls_${size}`] = m.okta;
      result[`comment_ms_${size}`] = Math.round(m.commentMs);
      result[`done_ms_${size}`] = Math.round(m.doneMs);
    } finally {
      await app.close();
      await org.close();
      await gh.close();
    }
  }
  {
    const small = measured.get(Math.min(...sizes))!;
    const large = measured.get(Math.max(...sizes))!;
    result.github_calls_ratio = round(large.github / small.github);
    result.okta_calls_ratio = round(large.okta / small.okta);
    result.comment_ms_ratio = round(large.commentMs / small.commentMs);
    result.spec_violations = violations;
    say(
      `largest / smallest repository: GitHub calls x${result.github_calls_ratio}, Okta calls x${result.okta_calls_ratio}, time to comment x${result.comment_ms_ratio}; ${result.spec_violations} spec violations`,
    );
    if (values.json) say(JSON.stringify(result));
  }
}

async function measure(
  gh: LocalGitHub,
  org: LocalOrg,
  app: Awaited<ReturnType<typeof startApp>>,
  size: number,
  runs: number,
  say: (s: string) => void,
): Promise<Measured> {
  const fullName = `acme/okta-${size}`;
  const name = (i: number) => `svc-${size}-${String(i).padStart(5, "0")}`;
  // Each integration with its own egress address, as in a real repository (a shared allow list
  // is a warning on every file that shares it).
  const spec = (i: number): SpecOverrides => ({
    role: { standard: "READ_ONLY_ADMIN" },
    network: { allow: [`20.${Math.floor(i / 250)}.${(i % 250) + 1}.10/32`] },
  });
  const docs = Array.from({ length: size }, (_, i) => serviceApp(name(i), spec(i)));
  // Okta holds the repository's integrations, as it does once main has been applied.
  const repo = new Repo();
  try {
    for (const d of docs) repo.writeDoc(d);
    const t = performance.now();
    org.setRateLimits(SETUP);
    const io = testIo(repo.dir, envFor(org));
    if ((await runApply(["--yes"], io)) !== 0) throw new Error(`setup apply: ${io.err}`);
    say(
      `setup: ${size} integrations applied to the local org in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  } finally {
    repo.cleanup();
  }
  gh.createRepo(fullName);
  const files: Record<string, string> = {};
  for (const d of docs) files[`integrations/${d.metadata.name}.yaml`] = stringify(d);
  gh.commit(fullName, "main", files);

  const samples: Measured[] = [];
  // One warm-up run (the first event pays for the installation token and module loading), then
  // `runs` measured ones, each a new pull request changing the same one file.
  for (let r = 0; r <= runs; r++) {
    const middle = Math.floor(size / 2);
    const changed = docs[middle]!;
    const branch = `change-${r}`;
    gh.commit(
      fullName,
      branch,
      {
        [`integrations/${changed.metadata.name}.yaml`]: stringify(
          serviceApp(changed.metadata.name, { ...spec(middle), rateLimit: { percent: 10 + r } }),
        ),
      },
      { author: "erin" },
    );
    const pr = gh.openPullRequest(fullName, { head: branch, author: "erin" });
    const payload = pullRequestEvent(gh, fullName, pr, "opened");
    const githubBefore = gh.requests().length;
    const oktaBefore = oktaCalls(org);
    const start = performance.now();
    const delivery = deliver(app.url, "pull_request", payload, app.secret);
    let commentMs = NaN;
    // The comment's arrival, polled in this process (the local GitHub runs here too).
    while (performance.now() - start < 120_000) {
      if (gh.comments(fullName, pr).some((c) => c.body.includes("okta-gitops:plan"))) {
        commentMs = performance.now() - start;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const answer = await delivery;
    if (answer.status >= 300) throw new Error(`delivery answered ${answer.status}`);
    await app.idle();
    const doneMs = performance.now() - start;
    if (Number.isNaN(commentMs)) throw new Error(`no plan comment on ${fullName}#${pr}`);
    const sample = {
      github: gh.requests().length - githubBefore,
      okta: oktaCalls(org) - oktaBefore,
      commentMs,
      doneMs,
    };
    if (r > 0) samples.push(sample);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const m: Measured = {
    github: median(samples.map((s) => s.github)),
    okta: median(samples.map((s) => s.okta)),
    commentMs: median(samples.map((s) => s.commentMs)),
    doneMs: median(samples.map((s) => s.doneMs)),
  };
  say(
    `${size} integrations, one file changed: ${m.github} GitHub calls, ${m.okta} Okta calls, comment after ${m.commentMs.toFixed(0)} ms, done after ${m.doneMs.toFixed(0)} ms (median of ${runs})`,
  );
  return m;
}

function oktaCalls(org: LocalOrg): number {
  return Object.values(org.counters()).reduce((n, c) => n + c.calls, 0);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
