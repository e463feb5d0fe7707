import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { HAZARDS } from '@manifest-lab/chaos';
import { DEFAULT_PROFILE } from '@manifest-lab/manifest-core';
import { CONFIG_FIELDS } from '@manifest-lab/workload';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { type Backend, backendFromFlags, checkBackend, closeStore, describeBackend, openBackend, withBackendOptions } from '../backend.js';
import { realTimeFor, requireWholeNumber } from '../config-flags.js';
import { ensureWritableDir } from '../files.js';
import { type HazardResult, hazardsByProfileTable, hazardsTable } from '../hazard-report.js';
import { interruptSignal } from '../interrupt.js';
import { checkMetricsPort, METRICS_PORT_OPTION, startLiveMetrics } from '../live-metrics.js';
import { parseShard } from '../merge.js';
import { runHazardScenarios } from '../scenario-runs.js';
import { bestWorstTable, cautionLines, configTable, isolationLine, LEGEND } from '../summary-table.js';
import { readSweepFile, type SweepDefinition } from '../sweep-file.js';
import { RESULTS_CSV, runSweep, type SweepOutcome } from '../sweep-runner.js';
import { UserError } from '../user-error.js';

const EXAMPLES: [string, string][] = [
  ['$0 sweep --config sweeps/comprehensive.json', 'The reference 96-configuration grid, one worker thread per core; run it again to resume'],
  ['$0 sweep --config sweeps/baseline.json --config sweeps/comprehensive.json --no-progress', 'Several sweep files, each into results/<name>'],
  ['$0 sweep --config my-sweep.json --out results/mine --concurrency 2', 'Your own sweep file, into a directory of your choice'],
];

/** The sweep-file format, with every field that may be fixed or be an axis. */
const SWEEP_FILE_HELP = [
  'A sweep file is JSON: {"name": "mine", "seed": 1, "fixed": {"duration_s": 60}, "axes": {"num_writers": [2, 4], "key_overlap_ratio": [0.1, 0.5]}}.',
  'The configs are the cartesian product of the axes (first axis slowest), each with the "fixed" fields; output goes to results/<name>.',
  '"replicas": N runs each config N times with derived seeds, pooled into one result (default 1). "min_write_attempts": K adds replicas until a config has K write attempts, at most "max_replicas" (default 64).',
  '"hazards": {"seeds": N} also runs every hazard scenario N times under each profile the sweep covers, into <out>/hazards/<profile>/ (as `chaos --scenarios hazards --all-profiles`).',
  `Fields that may be fixed or be axes (every config field; \`manifest-lab baseline --help\` describes each): ${CONFIG_FIELDS.join(', ')}.`,
].join('\n\n');

function builder(y: Argv) {
  return sweepOptions(y).example(EXAMPLES).epilogue(SWEEP_FILE_HELP);
}

/** The options of `sweep`, shared with `soak`. */
export function sweepOptions(y: Argv) {
  return withBackendOptions(y)
    .option('config', {
      type: 'string',
      array: true,
      demandOption: 'name a sweep file, e.g. --config sweeps/comprehensive.json',
      describe: 'Sweep file(s): {"name", "seed", "fixed": {...}, "axes": {field: [values]}}',
    })
    .option('out', { type: 'string', describe: 'Output directory (default results/<sweep name>); one sweep file only' })
    .option('concurrency', { type: 'number', default: availableParallelism(), describe: 'Worker threads' })
    .option('progress', { type: 'boolean', default: true, describe: 'Show progress on stderr (--no-progress to hide)' })
    .option('shard', {
      type: 'string',
      describe: 'Run only shard i/n (0-based, 0 <= i < n): the configs whose index is i modulo n; combine the n outputs with `manifest-lab merge`',
    })
    .option('metrics-port', METRICS_PORT_OPTION);
}

export interface SweepArgs {
  config: string[];
  out: string | undefined;
  concurrency: number;
  progress: boolean;
  shard: string | undefined;
  'metrics-port': number | undefined;
}

async function handler(argv: ArgumentsCamelCase<SweepArgs>): Promise<void> {
  await runSweepFiles(argv);
}

/** How `soak` adapts the sweep: each file's definition before it runs, and a report after. */
export interface SweepHooks {
  /** Check and adapt a sweep file's definition; called for every file before anything runs. */
  readonly prepare?: (def: SweepDefinition, path: string) => SweepDefinition;
  /** Print more after a sweep's tables. */
  readonly after?: (def: SweepDefinition, outDir: string, outcome: SweepOutcome) => Promise<void>;
}

/** The `sweep` command's work: every sweep file of `argv`, one after another. */
export async function runSweepFiles(argv: ArgumentsCamelCase<SweepArgs>, hooks: SweepHooks = {}): Promise<void> {
  if (argv.out !== undefined && argv.config.length > 1) {
    throw new UserError('--out names one output directory, but several sweep files were given; drop --out (each sweep then writes to results/<name>) or run them one at a time.');
  }
  requireWholeNumber('--concurrency', argv.concurrency, 1);
  const shard = argv.shard === undefined ? undefined : parseShard(argv.shard);
  // Read and validate every file before running anything.
  const sweeps = await Promise.all(
    argv.config.map(async (path) => {
      const def = await readSweepFile(path);
      return { path, def: hooks.prepare === undefined ? def : hooks.prepare(def, path) };
    }),
  );
  for (const { def } of sweeps) await ensureWritableDir(argv.out ?? `results/${def.name}`, '--out');
  for (const { path, def: given } of sweeps) {
    const flags = argv as Record<string, unknown>;
    const backend = backendFromFlags(flags, given.name);
    // Real backends run in real time unless the sweep file says otherwise (it may not say virtual).
    const def = backend.kind === 'memory' ? given : { ...given, fixed: { ...realTimeFor(backend, { time: given.fixed.time }), ...given.fixed } };
    checkMetricsPort(argv['metrics-port'], (def.axes.time ?? [def.fixed.time]).every((t) => t === 'real'));
    const probe = openBackend(backend);
    await checkBackend(backend, probe);
    closeStore(probe);
    if (backend.kind !== 'memory') process.stderr.write(`storage: ${describeBackend(backend)}\n`);
    const outDir = argv.out ?? `results/${def.name}`;
    const live = await startLiveMetrics(argv['metrics-port']);
    const interrupt = interruptSignal();
    let outcome: SweepOutcome;
    try {
      outcome = await runSweep({
        definition: def,
        source: path,
        outDir,
        backend,
        concurrency: argv.concurrency,
        progress: argv.progress,
        signal: interrupt.signal,
        ...(shard === undefined ? {} : { shard }),
        ...(live === undefined ? {} : { onObservations: live.record }),
      });
    } finally {
      interrupt.dispose();
      await live?.stop();
    }
    const s = outcome.summaries;
    process.stdout.write(
      `\nsweep ${def.name}${shard === undefined ? '' : ` shard ${shard.index}/${shard.count}`}: ${s.length} configs, ${outcome.docs.length} runs (${outcome.ran} run now, ${outcome.skipped} already done) in ${(outcome.wallMs / 1000).toFixed(1)} s\n` +
        `${isolationLine(s)}\n${configTable(s)}\n\n${bestWorstTable(s)}\n\n${cautionLines(s)}\n${LEGEND}\n` +
        `results: ${outDir}/${RESULTS_CSV} (one pooled row per config), ${outDir}/runs.csv (one row per run), ${outDir}/<config>/summary.json\n`,
    );
    await hooks.after?.(def, outDir, outcome);
    if (def.hazards !== undefined) await sweepHazards(def, def.hazards, outDir, backend, shard !== undefined);
  }
}

/**
 * A sweep file's `"hazards"` block: every hazard scenario under each profile the sweep covers (its
 * `profile` axis, else its fixed profile), into `<out>/hazards/<profile>/`, side by side. Hazards
 * run in virtual time on the embedded store, once: not per shard, not on a real backend.
 */
async function sweepHazards(
  def: SweepDefinition,
  { seeds, scenarios }: NonNullable<SweepDefinition['hazards']>,
  outDir: string,
  backend: Backend,
  sharded: boolean,
): Promise<void> {
  const hazards = scenarios === undefined ? HAZARDS : HAZARDS.filter((h) => scenarios.includes(h.name));
  const command = `manifest-lab chaos --scenarios ${scenarios?.join(',') ?? 'hazards'} --all-profiles --hazard-seeds ${seeds}`;
  if (sharded || backend.kind !== 'memory') {
    process.stderr.write(`hazards: skipped (${sharded ? 'a sharded sweep' : 'a real backend'}); run them once with \`${command}\`\n`);
    return;
  }
  const profiles = ((def.axes.profile ?? [def.fixed.profile ?? DEFAULT_PROFILE]) as string[]).map(String);
  const base = join(outDir, 'hazards');
  const byProfile: { profile: string; results: HazardResult[] }[] = [];
  for (const profile of profiles) {
    const out = join(base, profile);
    await ensureWritableDir(out, '--out');
    byProfile.push({ profile, results: await runHazardScenarios({ hazards, profile, out, seeds, chaosSeed: 1 }) });
  }
  const only = byProfile[0];
  process.stdout.write(
    `\nhazard scenarios, ${seeds} seeds each:\n${byProfile.length === 1 && only !== undefined ? hazardsTable(only.results, join(base, only.profile), only.profile) : hazardsByProfileTable(byProfile, base)}\n`,
  );
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'Run every configuration of one or more sweep files, in parallel, resumably',
  builder,
  handler,
};
