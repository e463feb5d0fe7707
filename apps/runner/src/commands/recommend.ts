import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResults, type Readiness, ReportInputError, readiness, renderReadinessMarkdown } from '@manifest-lab/report';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ensureWritableFile, writeFileAtomic, writeFileError } from '../files.js';
import { UserError } from '../user-error.js';

/** The report site app, run as a process for `--site` (no package imports an app). */
const REPORT_BIN = fileURLToPath(new URL('../../../report/bin/report-site.js', import.meta.url));

const NEEDS =
  'The readiness document needs at least one of: a workload sweep (`manifest-lab sweep --config sweeps/comprehensive.json`), ' +
  'a boundary search (`manifest-lab boundary --config sweeps/comprehensive.json`), a retry sweep (`manifest-lab sweep --config sweeps/retry.json`) ' +
  'or hazard reproductions (`manifest-lab chaos --scenarios hazards`); point RESULTS at the directory they wrote (e.g. results).';

function builder(y: Argv) {
  return y
    .positional('results', { type: 'string', demandOption: true, describe: 'The results directory to recommend from (sweeps, boundary, chaos, hazards, crash)' })
    .option('out', { type: 'string', default: 'readiness.md', describe: 'The Markdown document to write (atomically; links are relative to it)' })
    .option('threshold', { type: 'number', default: 0.1, describe: 'Transaction failure-rate budget of the safe operating envelope' })
    .option('site', {
      type: 'string',
      describe:
        'Also (re)build the report site in this directory, with the readiness page (readiness.html). The document is written first: if the site build then fails, --out stays written and the exit code is the site build\'s',
    })
    .example('$0 recommend results', 'Write readiness.md from every result under results/')
    .example('$0 recommend results --threshold 0.05 --out docs/readiness.md --site site', 'A 5 % budget; the document and the site with its readiness page');
}

interface RecommendArgs {
  results: string;
  out: string;
  threshold: number;
  site: string | undefined;
}

/** `./results`-style link prefix from the document's directory to the results root, '/'-separated. */
function resultsHref(out: string, results: string): string {
  const rel = relative(dirname(resolve(out)), resolve(results)).split(sep).join('/');
  return rel === '' ? '.' : rel;
}

function summary(doc: Readiness, out: string): string {
  const lines = [`wrote ${out}`];
  const e = doc.envelope;
  for (const s of e.sweeps) {
    lines.push(`  envelope ${s.dir || '.'}: ${s.counts.safe} safe, ${s.counts.maybe} maybe, ${s.counts.over} over the ${(doc.threshold * 100).toFixed(1)} % budget (95 % upper bound)`);
  }
  if (e.boundaries.length > 0) lines.push(`  boundary: ${e.boundaries.length} cells, ${e.boundaries.filter((b) => b.status === 'bracketed').length} bracketed`);
  for (const r of doc.retry) lines.push(`  retry ${r.dir || '.'}: ${r.candidates.length} settings tied for the highest success, ${r.recommended.length} of them also best or tied on the rest`);
  const reproduced = doc.hazards.hazards.filter((h) => h.reproduced.k > 0);
  if (doc.hazards.hazards.length > 0) lines.push(`  hazards: ${reproduced.length} of ${doc.hazards.hazards.length} reproduced in at least one seed`);
  for (const g of doc.isolation) lines.push(`  isolation (${g.group}): ${g.anomalous.k} of ${g.verified} verified runs with anomalies`);
  for (const m of doc.missing) lines.push(`  missing ${m.section}: ${m.what} — ${m.command}`);
  return `${lines.join('\n')}\n`;
}

async function handler(argv: ArgumentsCamelCase<RecommendArgs>): Promise<void> {
  if (!(Number.isFinite(argv.threshold) && argv.threshold > 0 && argv.threshold < 1)) {
    throw new UserError(`--threshold must lie strictly between 0 and 1 (a failure rate, e.g. 0.1 for 10 %), got ${argv.threshold}.`);
  }
  const out = argv.out;
  if (out.trim() === '') throw new UserError('--out is empty; name the Markdown file to write, e.g. --out readiness.md.');
  // Before loading anything: a directory, a parent that is a file or an unwritable parent.
  await ensureWritableFile(out, '--out');
  if (argv.site !== undefined && !existsSync(REPORT_BIN)) {
    throw new UserError('--site needs the report site app (apps/report), which is missing. Build it with `pnpm turbo run build --filter=@manifest-lab/report-site`, or leave out --site.');
  }
  let doc: Readiness;
  try {
    doc = readiness(await loadResults(argv.results), { threshold: argv.threshold });
  } catch (err) {
    if (err instanceof ReportInputError) throw new UserError(err.message);
    throw err;
  }
  if (!doc.usable) throw new UserError(`Nothing in ${argv.results} to recommend from. ${NEEDS}`);
  try {
    await writeFileAtomic(out, renderReadinessMarkdown(doc, { resultsHref: resultsHref(out, argv.results) }));
  } catch (err) {
    throw writeFileError(err, out, '--out');
  }
  process.stdout.write(summary(doc, out));
  if (argv.site !== undefined) {
    const verbose = (argv as Record<string, unknown>).verbose === true;
    const args = [REPORT_BIN, argv.results, '--out', argv.site, '--threshold', String(argv.threshold), ...(verbose ? ['--verbose'] : [])];
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    const code = await new Promise<number>((done, fail) => {
      child.once('error', fail);
      child.once('close', (status) => done(status ?? 1));
    });
    // The document is written first and stays: a failed site build does not undo it.
    if (code !== 0) {
      process.stderr.write(`manifest-lab: ${out} was written, but building the site in ${argv.site} failed (exit ${code}); the exit code is the site build's.\n`);
      process.exitCode = code;
    }
  }
}

export const recommendCommand: CommandModule<object, RecommendArgs> = {
  command: 'recommend <results>',
  describe: 'Write a production readiness document (Markdown) from a results directory: envelope, retry, compaction, hazards, isolation',
  builder,
  handler,
};
