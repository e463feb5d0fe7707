import { join } from 'node:path';
import { SCENARIO_NAMES, scenario } from '@manifest-lab/chaos';
import { CONFIG_FIELDS, parseWorkloadConfig, type WorkloadConfig } from '@manifest-lab/workload';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { configFromFlags, requireWholeNumber, withConfigOptions } from '../config-flags.js';
import { chaosCsv, chaosTable, type ScenarioResult } from '../chaos-report.js';
import { ensureWritableDir, writeFileAtomic } from '../files.js';
import { interruptSignal } from '../interrupt.js';
import { readInput } from '../read-input.js';
import { DEFAULT_MAX_REPLICAS } from '../sweep-file.js';
import { runSweep } from '../sweep-runner.js';
import { UserError } from '../user-error.js';

export const CHAOS_CSV = 'chaos.csv';

function builder(y: Argv) {
  return withConfigOptions(y)
    .option('from', {
      type: 'string',
      describe: 'A sweep results.csv: run the scenarios on its best configuration (lowest transaction failure rate by upper 95 % bound, then highest write TPS)',
    })
    .option('scenarios', {
      type: 'string',
      default: SCENARIO_NAMES.join(','),
      describe: `Comma-separated scenarios (default: the reference's seven): ${SCENARIO_NAMES.join(', ')}`,
    })
    .option('chaos-duration-s', { type: 'number', default: 300, describe: 'Length of each scenario run, seconds (the reference ran 5 minutes)' })
    .option('replicas', { type: 'number', default: 1, describe: 'Replicas per scenario (derived seeds), pooled with intervals' })
    .option('min-write-attempts', { type: 'number', default: 100, describe: `Add replicas to a scenario until it has this many write attempts (at most ${DEFAULT_MAX_REPLICAS})` })
    .option('chaos-seed', { type: 'number', default: 1, describe: 'Seed of the scenarios (fault placement and replica seeds)' })
    .option('out', { type: 'string', default: 'results/chaos', describe: 'Directory for chaos.csv and one sweep directory per scenario' })
    .example('$0 chaos --from results/comprehensive/results.csv', "the reference's seven scenarios on the sweep's best configuration")
    .example('$0 chaos --scenarios baseline,latency-200,blocking --num-writers 3 --writer-rate 0.2', 'three scenarios on a configuration given by flags');
}

interface ChaosArgs {
  from: string | undefined;
  scenarios: string;
  'chaos-duration-s': number;
  replicas: number;
  'min-write-attempts': number;
  'chaos-seed': number;
  out: string;
}

async function handler(argv: ArgumentsCamelCase<ChaosArgs>): Promise<void> {
  const names = argv.scenarios.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => scenario(n) === undefined);
  if (names.length === 0 || unknown.length > 0) {
    throw new UserError(`Unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; --scenarios takes a comma-separated list of: ${SCENARIO_NAMES.join(', ')}.`);
  }
  if (!names.includes('baseline')) names.unshift('baseline'); // degradation is measured against it
  const duration = argv['chaos-duration-s'];
  if (!(duration > 0)) throw new UserError(`--chaos-duration-s must be positive, got ${duration}.`);
  requireWholeNumber('--replicas', argv.replicas, 1);
  requireWholeNumber('--min-write-attempts', argv['min-write-attempts'], 0);
  const flags = argv as Record<string, unknown>;
  const chosen = argv.from === undefined ? configFromFlags(flags) : await bestFrom(argv.from);
  const { seed: _s, ...base } = chosen;
  const fixed = { ...base, duration_s: duration, warmup_s: Math.min(10, duration / 10) };
  await ensureWritableDir(argv.out, '--out');
  process.stderr.write(
    `chaos: ${names.length} scenarios × ${duration} s on ${chosen.num_writers} writers at ${chosen.writer_rate}/s, overlap ${chosen.key_overlap_ratio}, ${chosen.num_readers} readers at ${chosen.reader_rate}/s${argv.from === undefined ? '' : ` (best of ${argv.from})`}\n`,
  );
  const interrupt = interruptSignal();
  const results: ScenarioResult[] = [];
  try {
    for (const name of names) {
      const sc = scenario(name);
      if (sc === undefined) continue;
      const outcome = await runSweep({
        definition: {
          name: `chaos-${name}`,
          seed: argv['chaos-seed'],
          fixed,
          axes: {},
          replicas: argv.replicas,
          min_write_attempts: argv['min-write-attempts'],
          max_replicas: Math.max(DEFAULT_MAX_REPLICAS, argv.replicas),
        },
        source: `scenario ${name}`,
        outDir: join(argv.out, name),
        faultPlan: sc.plan(duration, argv['chaos-seed']),
        signal: interrupt.signal,
      });
      const summary = outcome.summaries[0];
      if (summary !== undefined) results.push({ scenario: name, description: sc.description, summary });
    }
  } finally {
    interrupt.dispose();
  }
  await writeFileAtomic(join(argv.out, CHAOS_CSV), chaosCsv(results));
  process.stdout.write(`\n${chaosTable(results)}\nresults: ${join(argv.out, CHAOS_CSV)}, one sweep directory per scenario in ${argv.out}/\n`);
}

/** The best configuration of a sweep's results.csv: lowest upper bound of the txn failure rate, then highest write TPS. */
async function bestFrom(path: string): Promise<WorkloadConfig> {
  const text = await readInput(path, 'results file', 'Run a sweep first (e.g. `pnpm turbo run sweep`) and pass its results/<sweep>/results.csv.');
  const [header, ...rows] = text.trim().split('\n').map((l) => l.split(','));
  const col = (name: string) => header?.indexOf(name) ?? -1;
  const hi = col('txn_failure_rate_hi');
  const tps = col('write_tps');
  if (header === undefined || hi < 0 || tps < 0 || rows.length === 0) {
    throw new UserError(`${path} is not a manifest-lab results.csv with pooled rates (no txn_failure_rate_hi column or no rows); pass results/<sweep>/results.csv from a sweep run by this version.`);
  }
  const num = (r: string[], i: number) => (r[i] === undefined || r[i] === '' ? Number.POSITIVE_INFINITY : Number(r[i]));
  const best = [...rows].sort((a, b) => num(a, hi) - num(b, hi) || num(b, tps) - num(a, tps))[0] as string[];
  const config: Record<string, unknown> = {};
  for (const f of CONFIG_FIELDS) {
    const i = col(f);
    if (i < 0 || best[i] === undefined || best[i] === '') continue;
    const v = best[i] as string;
    config[f] = /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) ? Number(v) : v;
  }
  try {
    return parseWorkloadConfig(config, `the best row of ${path}`);
  } catch (err) {
    throw new UserError(`${(err as Error).message} Pass a results.csv written by manifest-lab.`);
  }
}

export const chaosCommand: CommandModule<object, ChaosArgs> = {
  command: 'chaos',
  describe: "Run fault scenarios (the reference's seven by default) on one configuration and report degradation against the fault-free baseline",
  builder,
  handler,
};
