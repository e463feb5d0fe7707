import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { BREACH_EXIT, compareTables, formatComparison, numericColumns, parseCsv, parseThreshold, THRESHOLD_FORMS } from '../compare.js';
import { writeFileAtomic } from '../files.js';
import { RESULTS_CSV } from '../sweep-runner.js';
import { UserError } from '../user-error.js';

const EXAMPLES: [string, string][] = [
  [
    "$0 compare base/results.csv pr/results.csv --threshold 'txn_failure_rate<+2pp' --threshold 'write_p99_ms<+10%'",
    'The regression gate: exit 99 if any matched config breaches a threshold',
  ],
  ["$0 compare results/gate-main results/gate --threshold 'write_tps>-5%' --json diff.json", 'Sweep directories; the comparison also as JSON'],
];

function builder(y: Argv) {
  return y
    .positional('base', { type: 'string', demandOption: true, describe: 'BASE: a results.csv, or a sweep directory holding one' })
    .positional('new', { type: 'string', demandOption: true, describe: 'NEW: a results.csv, or a sweep directory holding one' })
    .example(EXAMPLES)
    .epilogue(
      `Rows are matched by configuration (every config column except seed). Thresholds: ${THRESHOLD_FORMS}. ` +
        "A breach needs NEW's whole 95 % interval past the limit when the file has one (<metric>_lo/_hi); otherwise the point value decides. " +
        `Exit 0 when every check passes, ${BREACH_EXIT} on any breach, 2 on bad input.`,
    )
    .option('threshold', { type: 'string', array: true, demandOption: "give at least one, e.g. --threshold 'txn_failure_rate<+2pp'", describe: 'A threshold (repeatable)' })
    .option('json', { type: 'string', describe: 'Also write the comparison to this file as JSON' });
}

interface CompareArgs {
  base: string;
  new: string;
  threshold: string[];
  json: string | undefined;
}

/** A results.csv path, or a directory holding one. */
async function readResults(path: string, role: string) {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, RESULTS_CSV);
    return parseCsv(await readFile(file, 'utf8'), file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UserError(`${role} ${file} cannot be read (${code}); pass a results.csv, or a sweep directory holding one (run \`manifest-lab sweep\` first).`);
  }
}

async function handler(argv: ArgumentsCamelCase<CompareArgs>): Promise<void> {
  const base = await readResults(String(argv.base), 'BASE');
  const next = await readResults(String(argv.new), 'NEW');
  const columns = numericColumns(base, next);
  const thresholds = argv.threshold.map((t) => parseThreshold(t, columns));
  const c = compareTables(base, next, thresholds);
  if (c.matched === 0) {
    throw new UserError(
      `no configuration of ${next.file} matches one of ${base.file} (rows are matched on ${c.match_fields.join(', ')}); compare results of the same sweep file.`,
    );
  }
  process.stdout.write(formatComparison(c));
  if (argv.json !== undefined) await writeFileAtomic(argv.json, `${JSON.stringify(c, null, 2)}\n`);
  process.exitCode = c.passed ? 0 : BREACH_EXIT;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <base> <new>',
  describe: `Regression gate: compare two sweeps' results.csv under thresholds; exit ${BREACH_EXIT} on a breach`,
  builder,
  handler,
};
