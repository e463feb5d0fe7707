import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { backendFromFlags, checkBackend, closeStore, describeBackend, openBackend, withBackendOptions } from '../backend.js';
import { configFromFlags, realTimeFor, requireWholeNumber, withConfigOptions } from '../config-flags.js';
import { ensureWritableDir } from '../files.js';
import { interruptSignal } from '../interrupt.js';
import { checkMetricsPort, METRICS_PORT_OPTION, startLiveMetrics } from '../live-metrics.js';
import { describeSummary } from '../report-run.js';
import { DEFAULT_MAX_REPLICAS, type SweepDefinition } from '../sweep-file.js';
import { RESULTS_CSV, RUNS_CSV, replicaDir, runSweep, SUMMARY_JSON } from '../sweep-runner.js';

const EXAMPLES: [string, string][] = [
  ['$0 baseline --duration-s 30 --seed 7', 'A 30 s run in virtual time (warm-up 3 s: 10 % of the duration), seed 7'],
  ['$0 baseline --num-writers 4 --key-overlap-ratio 0.5 --out results/my-baseline', 'Override any field; write the results elsewhere'],
  ['$0 baseline --duration-s 30 --replicas 5', 'Five runs with derived seeds, pooled into one result'],
  [
    '$0 baseline --backend s3 --endpoint "$MANIFEST_LAB_S3_ENDPOINT" --path-style --bucket "$MANIFEST_LAB_S3_BUCKET" --duration-s 30',
    'Real time on the project\'s Ceph RGW (after eval "$(scripts/rgw/start.sh)")',
  ],
  ['$0 baseline --backend fs --dir objects --duration-s 30', 'Real time on a local directory (created if missing)'],
];

function builder(y: Argv) {
  return withBackendOptions(withConfigOptions(y))
    .example(EXAMPLES)
    .option('out', {
      type: 'string',
      default: 'results/baseline',
      describe: 'Directory for run.json, history.jsonl, verify.json and results.csv',
    })
    .option('dump-store', {
      type: 'boolean',
      default: false,
      describe: 'Also write every stored object to store.jsonl (for `manifest-lab verify --store-dump`)',
    })
    .option('replicas', { type: 'number', default: 1, describe: 'Runs of the configuration, each with its own derived seed, pooled into one result' })
    .option('min-write-attempts', {
      type: 'number',
      default: 0,
      describe: `Add replicas until the pooled runs have this many write attempts (at most ${DEFAULT_MAX_REPLICAS} replicas)`,
    })
    .option('trace', { type: 'string', describe: 'Write replica 0\'s spans (client, transaction, phase, request) to this file as Chrome Trace Event JSON, for Perfetto' })
    .option('metrics-port', METRICS_PORT_OPTION);
}

interface BaselineArgs {
  out: string;
  'dump-store': boolean;
  replicas: number;
  'min-write-attempts': number;
  trace: string | undefined;
  'metrics-port': number | undefined;
}

/**
 * One configuration, run exactly as a sweep with no axes would run it: `baseline --seed S`
 * gives the same numbers as a sweep file with `"seed": S` and the same fields.
 */
async function handler(argv: ArgumentsCamelCase<BaselineArgs>): Promise<void> {
  requireWholeNumber('--replicas', argv.replicas, 1);
  requireWholeNumber('--min-write-attempts', argv['min-write-attempts'], 0);
  const flags = argv as Record<string, unknown>;
  const backend = backendFromFlags(flags, 'baseline');
  const config = configFromFlags(flags, realTimeFor(backend, flags));
  checkMetricsPort(argv['metrics-port'], config.time === 'real');
  await ensureWritableDir(argv.out, '--out');
  if (argv.trace !== undefined) await ensureWritableDir(dirname(argv.trace), '--trace');
  const store = openBackend(backend);
  await checkBackend(backend, store);
  closeStore(store);
  if (backend.kind !== 'memory') process.stderr.write(`storage: ${describeBackend(backend)}\n`);
  const { seed, ...fixed } = config;
  const definition: SweepDefinition = {
    name: 'baseline',
    seed,
    fixed,
    axes: {},
    replicas: argv.replicas,
    min_write_attempts: argv['min-write-attempts'],
    max_replicas: Math.max(DEFAULT_MAX_REPLICAS, argv.replicas),
  };
  const live = await startLiveMetrics(argv['metrics-port']);
  const interrupt = interruptSignal();
  let outcome: Awaited<ReturnType<typeof runSweep>>;
  try {
    outcome = await runSweep({
      definition,
      source: 'options',
      outDir: argv.out,
      backend,
      concurrency: argv.replicas > 1 || argv['min-write-attempts'] > 0 ? availableParallelism() : 1,
      reuse: false,
      dumpStore: argv['dump-store'],
      signal: interrupt.signal,
      ...(argv.trace === undefined ? {} : { traceFile: argv.trace }),
      ...(live === undefined ? {} : { onObservations: live.record }),
    });
  } finally {
    interrupt.dispose();
    await live?.stop();
  }
  const summary = outcome.summaries[0];
  if (summary === undefined) throw new Error('baseline produced no result');
  const dir = join(argv.out, summary.id);
  const first = join(dir, replicaDir(0));
  process.stdout.write(
    `baseline: ${config.num_writers} writers at ${config.writer_rate}/s, ${config.num_readers} readers at ${config.reader_rate}/s, ${config.duration_s} s ${config.time} time, seed ${seed}, on ${describeBackend(backend)}\n` +
      `${describeSummary(summary)}\n` +
      `results: ${join(argv.out, RESULTS_CSV)}, ${join(argv.out, RUNS_CSV)}, ${join(dir, SUMMARY_JSON)}; replica 0: ${join(first, 'run.json')}, ${join(first, 'history.jsonl')}, ${join(first, 'verify.json')}` +
      `${argv['dump-store'] ? `, ${join(first, 'store.jsonl')}` : ''}${argv.trace === undefined ? '' : `\ntrace: ${argv.trace} (Chrome Trace Event JSON: open it in https://ui.perfetto.dev or chrome://tracing)`}\n`,
  );
}

export const baselineCommand: CommandModule<object, BaselineArgs> = {
  command: 'baseline',
  describe: 'Run the reference baseline (2 writers, 10 readers, 120 s, overlap 0.2); any field can be overridden',
  builder,
  handler,
};
