import { availableParallelism } from 'node:os';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { backendFromFlags, checkBackend, closeStore, describeBackend, openBackend, withBackendOptions } from '../backend.js';
import { realTimeFor } from '../config-flags.js';
import { bestWorstTable, isolationLine } from '../summary-table.js';
import { readSweepFile } from '../sweep-file.js';
import { RESULTS_CSV, runSweep } from '../sweep-runner.js';
import { UserError } from '../user-error.js';

function builder(y: Argv) {
  return withBackendOptions(y)
    .option('config', {
      type: 'string',
      array: true,
      demandOption: 'name a sweep file, e.g. --config sweeps/comprehensive.json',
      describe: 'Sweep file(s): {"name", "seed", "fixed": {...}, "axes": {field: [values]}}',
    })
    .option('out', { type: 'string', describe: 'Output directory (default results/<sweep name>); one sweep file only' })
    .option('concurrency', { type: 'number', default: availableParallelism(), describe: 'Worker threads' })
    .option('progress', { type: 'boolean', default: true, describe: 'Show progress on stderr (--no-progress to hide)' });
}

interface SweepArgs {
  config: string[];
  out: string | undefined;
  concurrency: number;
  progress: boolean;
}

async function handler(argv: ArgumentsCamelCase<SweepArgs>): Promise<void> {
  if (argv.out !== undefined && argv.config.length > 1) {
    throw new UserError('--out names one output directory, but several sweep files were given; drop --out (each sweep then writes to results/<name>) or run them one at a time.');
  }
  if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1) {
    throw new UserError(`--concurrency must be a whole number of at least 1, got ${argv.concurrency}.`);
  }
  // Read and validate every file before running anything.
  const sweeps = await Promise.all(argv.config.map(async (path) => ({ path, def: await readSweepFile(path) })));
  for (const { path, def: given } of sweeps) {
    const flags = argv as Record<string, unknown>;
    const backend = backendFromFlags(flags, given.name);
    // Real backends run in real time unless the sweep file says otherwise (it may not say virtual).
    const def = backend.kind === 'memory' ? given : { ...given, fixed: { ...realTimeFor(backend, { time: given.fixed.time }), ...given.fixed } };
    const probe = openBackend(backend);
    await checkBackend(backend, probe);
    closeStore(probe);
    if (backend.kind !== 'memory') process.stderr.write(`storage: ${describeBackend(backend)}\n`);
    const outDir = argv.out ?? `results/${def.name}`;
    const outcome = await runSweep({ definition: def, source: path, outDir, backend, concurrency: argv.concurrency, progress: argv.progress });
    process.stdout.write(
      `\nsweep ${def.name}: ${outcome.docs.length} configs (${outcome.ran} run, ${outcome.skipped} already done) in ${(outcome.wallMs / 1000).toFixed(1)} s\n` +
        `${isolationLine(outcome.docs)}\n${bestWorstTable(outcome.docs)}\nresults: ${outDir}/${RESULTS_CSV}\n`,
    );
  }
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'Run every configuration of one or more sweep files, in parallel, resumably',
  builder,
  handler,
};
