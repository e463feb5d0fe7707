import { availableParallelism } from 'node:os';
import { RealClock } from '@manifest-lab/manifest-core';
import { CONFIG_FIELDS } from '@manifest-lab/workload';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { boundaryTable, METRICS, type Metric, runBoundary } from '../boundary.js';
import { flagName, requireWholeNumber, withConfigOptions } from '../config-flags.js';
import { ensureWritableDir } from '../files.js';
import { interruptSignal } from '../interrupt.js';
import { parseSweepDefinition, readSweepFile, type SweepDefinition } from '../sweep-file.js';
import { UserError } from '../user-error.js';

/** The reference grid's writer_rate range, used when the sweep has no writer_rate axis. */
const DEFAULT_RATES = [0.05, 0.2] as const;
const DEFAULT_MIN_WRITE_ATTEMPTS = 100;

const EXAMPLES: [string, string][] = [
  ['$0 boundary --config sweeps/comprehensive.json --reader-rate 5 --expand 3', 'The 10 % transaction-failure boundary of the reference grid\'s 12 writers × overlap cells (reader rate fixed)'],
  ['$0 boundary --config sweeps/comprehensive.json --num-writers 4 --metric attempt', 'Only the 4-writer cells, per-attempt failure rate'],
  ['$0 boundary --num-writers 3 --num-readers 0 --duration-s 30 --steps 3 --out results/b3', 'One cell from flags'],
];

function builder(y: Argv) {
  return withConfigOptions(y)
    .example(EXAMPLES)
    .option('config', { type: 'string', describe: 'Sweep file: its fixed fields and every axis but writer_rate form the cells' })
    .option('metric', { choices: [...METRICS], default: 'txn' as Metric, describe: 'txn: failed transactions / transactions; attempt: precondition failures / write attempts' })
    .option('threshold', { type: 'number', default: 0.1, describe: 'The failure rate whose crossing is sought' })
    .option('rate-lo', { type: 'number', describe: 'Lowest writer_rate to start from [default: the sweep\'s lowest writer_rate, else 0.05]' })
    .option('rate-hi', { type: 'number', describe: 'Highest writer_rate to start from [default: the sweep\'s highest writer_rate, else 0.2]' })
    .option('expand', { type: 'number', default: 2, describe: 'Times the range may be halved (below) or doubled (above) to bracket the threshold' })
    .option('steps', { type: 'number', default: 6, describe: 'Bisection steps (in log-rate) once the threshold is bracketed' })
    .option('budget', { type: 'number', default: 32, describe: 'Replicas at most per probed rate' })
    .option('min-write-attempts', { type: 'number', describe: `Write attempts each batch of a probe adds [default: the sweep's min_write_attempts, else ${DEFAULT_MIN_WRITE_ATTEMPTS}]` })
    .option('out', { type: 'string', default: 'results/boundary', describe: 'Output directory: boundary.csv, probes.csv, <cell>/rate-<r>/ (each probe\'s runs)' })
    .option('concurrency', { type: 'number', default: availableParallelism(), describe: 'Worker threads in all (cells run side by side)' })
    .option('progress', { type: 'boolean', default: true, describe: 'Print each probe and cell on stderr (--no-progress to hide)' });
}

interface BoundaryArgs {
  config: string | undefined;
  metric: Metric;
  threshold: number;
  'rate-lo': number | undefined;
  'rate-hi': number | undefined;
  expand: number;
  steps: number;
  budget: number;
  'min-write-attempts': number | undefined;
  out: string;
  concurrency: number;
  progress: boolean;
}

/** The sweep file (or an empty one), with config flags fixing fields (and replacing their axes). */
async function definitionFrom(argv: ArgumentsCamelCase<BoundaryArgs>): Promise<{ def: SweepDefinition; source: string }> {
  const flags = argv as Record<string, unknown>;
  if (flags[flagName('writer_rate')] !== undefined) {
    throw new UserError('--writer-rate is what boundary searches; give the range with --rate-lo and --rate-hi instead.');
  }
  const given = argv.config === undefined ? parseSweepDefinition({ name: 'boundary' }, 'options') : await readSweepFile(argv.config);
  const fixed: Record<string, unknown> = { ...given.fixed };
  const axes: Record<string, readonly unknown[]> = { ...given.axes };
  for (const field of CONFIG_FIELDS) {
    const v = flags[flagName(field)];
    if (v === undefined) continue;
    fixed[field] = v;
    delete axes[field];
  }
  if ('writer_rate' in fixed && !('writer_rate' in axes)) delete fixed.writer_rate;
  return { def: parseSweepDefinition({ ...given, fixed, axes }, argv.config ?? 'options'), source: argv.config ?? 'options' };
}

function rateRange(def: SweepDefinition, argv: BoundaryArgs): [number, number] {
  const axis = (def.axes.writer_rate ?? []).filter((v): v is number => typeof v === 'number' && v > 0);
  const lo = argv['rate-lo'] ?? (axis.length > 0 ? Math.min(...axis) : DEFAULT_RATES[0]);
  const hi = argv['rate-hi'] ?? (axis.length > 0 ? Math.max(...axis) : DEFAULT_RATES[1]);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && hi > lo)) {
    throw new UserError(`The writer_rate range must satisfy 0 < --rate-lo < --rate-hi, got ${lo} and ${hi}.`);
  }
  return [lo, hi];
}

async function handler(argv: ArgumentsCamelCase<BoundaryArgs>): Promise<void> {
  requireWholeNumber('--steps', argv.steps, 0);
  requireWholeNumber('--expand', argv.expand, 0);
  requireWholeNumber('--budget', argv.budget, 1);
  requireWholeNumber('--concurrency', argv.concurrency, 1);
  if (!(argv.threshold > 0 && argv.threshold < 1)) throw new UserError(`--threshold must lie strictly between 0 and 1, got ${argv.threshold}.`);
  const { def, source } = await definitionFrom(argv);
  const minWriteAttempts = argv['min-write-attempts'] ?? (def.min_write_attempts > 0 ? def.min_write_attempts : DEFAULT_MIN_WRITE_ATTEMPTS);
  requireWholeNumber('--min-write-attempts', minWriteAttempts, 1);
  const [rateLo, rateHi] = rateRange(def, argv);
  await ensureWritableDir(argv.out, '--out');
  const clock = new RealClock();
  const t0 = clock.now();
  const interrupt = interruptSignal();
  let results: Awaited<ReturnType<typeof runBoundary>>;
  try {
    results = await runBoundary({
      definition: def,
      source,
      outDir: argv.out,
      metric: argv.metric,
      threshold: argv.threshold,
      rateLo,
      rateHi,
      steps: argv.steps,
      expand: argv.expand,
      budget: argv.budget,
      minWriteAttempts,
      concurrency: argv.concurrency,
      signal: interrupt.signal,
      ...(argv.progress ? { log: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    });
  } finally {
    interrupt.dispose();
  }
  const runs = results.reduce((a, r) => a + r.runs, 0);
  const metric = argv.metric === 'txn' ? 'transaction failure rate' : 'per-attempt (precondition) failure rate';
  process.stdout.write(
    `\nboundary (${def.name}): writer_rate where the ${metric} crosses ${Number((argv.threshold * 100).toPrecision(6))} %, ${results.length} cells, ${runs} runs in ${((clock.now() - t0) / 1000).toFixed(1)} s\n` +
      `${boundaryTable(results)}\n` +
      'Each end is a probed rate whose Wilson interval, widened for the probe\'s looks (95 % over all of them), lies wholly below (resp. above) the threshold.\n' +
      `results: ${argv.out}/boundary.csv (one row per cell), ${argv.out}/probes.csv (every probe), ${argv.out}/<cell>/rate-<r>/ (its runs)\n`,
  );
}

export const boundaryCommand: CommandModule<object, BoundaryArgs> = {
  command: 'boundary',
  describe: 'Find, per cell, the writer rate at which a failure rate crosses a threshold (bisection with sequential sampling)',
  builder,
  handler,
};
