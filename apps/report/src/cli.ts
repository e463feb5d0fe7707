import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from './user-error.js';

const USAGE = `Usage: manifest-lab-report RESULTS [--out DIR] [--compare SWEEP_A --compare SWEEP_B] [--threshold X] [--verbose]

Render a manifest-lab results directory (sweeps, chaos runs, hazards) as a self-contained static
website: inline SVG charts, sortable tables, the CSV/JSON files copied in, relative links only
(works offline, from a file:// copy, and under a GitHub Pages sub-path).

Options:
  --out DIR        Where to write the site (default: site). Built in a temporary directory beside
                   it, then swapped in whole: a failed build leaves the previous site untouched.
  --compare DIR    Twice: the two sweep directories (inside RESULTS, or anywhere) the compare
                   page puts side by side. Default: every pair of sweeps found.
  --threshold X    Failure-rate budget of the readiness page's envelope (default 0.1).
  --verbose        Print stack traces on errors.
  --help, --version

Examples:
  manifest-lab-report results --out site
  manifest-lab-report results --out site --compare results/baseline --compare results/overlap`;

/**
 * Run the CLI on `args` and return the exit code: 0 when the site was written, 2 on bad input
 * (one paragraph on stderr, nothing written), 1 on an unexpected error.
 */
export async function main(args: readonly string[]): Promise<number> {
  const verbose = args.includes('--verbose');
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (err) {
      const msg = (err as Error).message.replace(/\s+/g, ' ').trim();
      throw new UserError(`${/[.!?]$/.test(msg) ? msg : `${msg}.`} Run \`manifest-lab-report --help\` for usage.`);
    }
    const { values, positionals } = parsed;
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.version === true) {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UserError(
        positionals.length === 0
          ? 'Name the results directory to render, e.g. `manifest-lab-report results --out site`.'
          : `Expected one results directory, got ${positionals.length} (${positionals.join(', ')}). Name one, e.g. \`manifest-lab-report results --out site\`; to compare two sweeps use --compare twice.`,
      );
    }
    const compare = values.compare ?? [];
    if (compare.length !== 0 && compare.length !== 2) {
      throw new UserError(`--compare takes exactly two sweep directories (pass it twice), got ${compare.length}. Example: --compare results/baseline --compare results/overlap.`);
    }
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold > 0 && threshold < 1)) {
      throw new UserError(`--threshold must lie strictly between 0 and 1 (a failure rate, e.g. 0.1 for 10 %), got ${values.threshold}.`);
    }
    const out = values.out ?? 'site';
    const results = positionals[0] as string;
    // Loaded only now: the chart renderer (jsdom, Plot) takes a second to import, and bad
    // arguments should not wait for it.
    const { buildSite } = await import('./site.js');
    const { pages, ms } = await buildSite({ results, out, ...(compare.length === 2 ? { compare: [compare[0] as string, compare[1] as string] } : {}), ...(threshold === undefined ? {} : { threshold }) });
    const index = join(out, 'index.html');
    process.stdout.write(`${index}\n`);
    process.stderr.write(`manifest-lab-report: ${pages.length} pages from ${results} in ${(ms / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`manifest-lab-report: ${err.message}\n`);
      if (verbose && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`manifest-lab-report: unexpected error: ${e.message}${verbose ? '' : ' (run with --verbose for the stack trace)'}\n`);
    if (verbose && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

const VERSION = '0.1.0';

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      compare: { type: 'string', multiple: true },
      threshold: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}
