import { join } from 'node:path';
import { HAZARD_NAMES, HAZARDS, type HazardScenario, hazard, SCENARIO_NAMES, scenario } from '@manifest-lab/chaos';
import { PROFILES } from '@manifest-lab/manifest-core';
import { CONFIG_FIELDS, parseWorkloadConfig, type WorkloadConfig } from '@manifest-lab/workload';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { backendFromFlags, checkBackend, closeStore, describeBackend, openBackend, withBackendOptions } from '../backend.js';
import { chaosCsv, chaosTable, type ScenarioResult } from '../chaos-report.js';
import { configFromFlags, flagName, realTimeFor, requireWholeNumber, withConfigOptions } from '../config-flags.js';
import { ensureWritableDir, writeFileAtomic } from '../files.js';
import { type HazardResult, hazardsByProfileTable, hazardsTable } from '../hazard-report.js';
import { DEFAULT_HAZARD_SEEDS, inParallel, runHazardScenarios, scenarioPlan } from '../scenario-runs.js';
import { readInput } from '../read-input.js';
import { DEFAULT_MAX_REPLICAS } from '../sweep-file.js';
import { UserError } from '../user-error.js';

export const CHAOS_CSV = 'chaos.csv';
/** `--scenarios hazards`: every hazard scenario. */
export const HAZARDS_KEYWORD = 'hazards';

function builder(y: Argv) {
  return withBackendOptions(withConfigOptions(y))
    .option('from', {
      type: 'string',
      describe: 'A sweep results.csv: run the scenarios on its best configuration (lowest transaction failure rate by upper 95 % bound, then highest write TPS)',
    })
    .option('scenarios', {
      type: 'string',
      default: SCENARIO_NAMES.join(','),
      describe: `Comma-separated scenarios (default: the reference's seven): ${SCENARIO_NAMES.join(', ')}; or "${HAZARDS_KEYWORD}" for every fusio-0.5 hazard scenario, or some of them: ${HAZARD_NAMES.join(', ')}`,
    })
    .option('hazard-seeds', { type: 'number', describe: `Hazard scenarios: seeds (runs) per hazard; the table reports how many reproduced it, with an interval [default: ${DEFAULT_HAZARD_SEEDS}]` })
    .option('toxiproxy', {
      type: 'string',
      group: 'Storage:',
      describe: 'Real time on --backend s3 with an http:// --endpoint: apply the network faults through this Toxiproxy server (its API URL, e.g. http://127.0.0.1:8474) instead of the built-in TCP fault proxy',
    })
    .option('all-profiles', {
      type: 'boolean',
      describe: `Hazard scenarios: run them under every profile (${PROFILES.join(', ')}), one directory each under --out, and print them side by side`,
    })
    .option('replay-seed', { type: 'number', describe: 'Hazard scenarios: run exactly this seed once (the replay seed a hazards table reported)' })
    // No yargs defaults for these: a hazard run refuses them when given, so it must see whether they were.
    .option('chaos-duration-s', { type: 'number', describe: 'Length of each scenario run, seconds (the reference ran 5 minutes) [default: 300]' })
    .option('replicas', { type: 'number', describe: 'Replicas per scenario (derived seeds), pooled with intervals [default: 1]' })
    .option('min-write-attempts', { type: 'number', describe: `Add replicas to a scenario until it has this many write attempts (at most ${DEFAULT_MAX_REPLICAS}) [default: 100]` })
    .option('chaos-seed', { type: 'number', default: 1, describe: 'Seed of the scenarios (fault placement and replica seeds)' })
    .option('out', { type: 'string', describe: 'Directory for chaos.csv (or hazards.csv) and one sweep directory per scenario (default: results/chaos, or results/hazards)' })
    .example('$0 chaos --from results/comprehensive/results.csv', "the reference's seven scenarios on the sweep's best configuration")
    .example('$0 chaos --scenarios baseline,latency-200,blocking --num-writers 3 --writer-rate 0.2', 'three scenarios on a configuration given by flags')
    .example('$0 chaos --scenarios hazards', 'every fusio-0.5 hazard scenario, 8 seeds each, with the seed that replays each')
    .example('$0 chaos --scenarios hazards --all-profiles', 'the same hazard runs under fusio-0.5, strict and strict-rebase, side by side')
    .example('$0 chaos --scenarios two-compactors --replay-seed 123', 'replay one hazard run byte for byte');
}

interface ChaosArgs {
  from: string | undefined;
  scenarios: string;
  'chaos-duration-s': number | undefined;
  replicas: number | undefined;
  'min-write-attempts': number | undefined;
  'chaos-seed': number;
  'hazard-seeds': number | undefined;
  'replay-seed': number | undefined;
  'all-profiles': boolean | undefined;
  toxiproxy: string | undefined;
  out: string | undefined;
}

async function handler(argv: ArgumentsCamelCase<ChaosArgs>): Promise<void> {
  const names = argv.scenarios.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const hazards = names.includes(HAZARDS_KEYWORD) ? [...HAZARDS] : names.map((n) => hazard(n)).filter((h): h is HazardScenario => h !== undefined);
  if (hazards.length > 0) {
    const others = names.filter((n) => n !== HAZARDS_KEYWORD && hazard(n) === undefined);
    if (others.length > 0) {
      throw new UserError(`--scenarios mixes hazard scenarios with ${others.map((n) => `"${n}"`).join(', ')}; run hazards (${HAZARD_NAMES.join(', ')}) and the fault scenarios (${SCENARIO_NAMES.join(', ')}) separately.`);
    }
    const flags = argv as Record<string, unknown>;
    const ignored = [
      ...['from', 'toxiproxy', 'chaos-duration-s', 'replicas', 'min-write-attempts'].filter((f) => flags[f] !== undefined),
      // --profile applies: the same hazard under another profile's algorithms.
      ...CONFIG_FIELDS.map(flagName).filter((f) => f !== 'profile' && flags[f] !== undefined),
    ];
    if (ignored.length > 0) {
      throw new UserError(
        `Hazard scenarios bring their own workload, length and faults, so ${ignored.map((f) => `--${f}`).join(', ')} would be ignored; drop ${ignored.length > 1 ? 'them' : 'it'} (--hazard-seeds, --replay-seed, --chaos-seed, --profile and --out apply).`,
      );
    }
    if (argv.backend !== 'memory') {
      throw new UserError(
        `Hazard scenarios run in virtual time on the embedded store (their timing is what reproduces each hazard); drop --backend ${argv.backend}. For a real writer crash (kill -9) on fs or S3, use \`manifest-lab crash\`.`,
      );
    }
    if (argv['all-profiles'] === true) {
      if (flags.profile !== undefined) throw new UserError('--all-profiles runs the hazards under every profile; drop --profile (or drop --all-profiles to run one).');
      return runHazardsByProfile(argv, hazards);
    }
    return runHazards(argv, hazards, flags.profile as string | undefined);
  }
  if (argv['all-profiles'] !== undefined) {
    throw new UserError('--all-profiles applies to hazard scenarios (--scenarios hazards); for the fault scenarios, make profile a sweep axis instead (sweeps/profiles.json).');
  }
  if (argv['replay-seed'] !== undefined || argv['hazard-seeds'] !== undefined) {
    throw new UserError(`--${argv['replay-seed'] !== undefined ? 'replay-seed' : 'hazard-seeds'} applies to hazard scenarios; for the fault scenarios, --chaos-seed fixes every seed and --replicas sets the runs.`);
  }
  const unknown = names.filter((n) => scenario(n) === undefined);
  if (names.length === 0 || unknown.length > 0) {
    throw new UserError(
      `Unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; --scenarios takes a comma-separated list of: ${SCENARIO_NAMES.join(', ')}; or "${HAZARDS_KEYWORD}" / ${HAZARD_NAMES.join(', ')}.`,
    );
  }
  if (!names.includes('baseline')) names.unshift('baseline'); // degradation is measured against it
  const duration = argv['chaos-duration-s'] ?? 300;
  if (!(duration > 0)) throw new UserError(`--chaos-duration-s must be positive, got ${duration}.`);
  const replicas = argv.replicas ?? 1;
  const minWriteAttempts = argv['min-write-attempts'] ?? 100;
  requireWholeNumber('--replicas', replicas, 1);
  requireWholeNumber('--min-write-attempts', minWriteAttempts, 0);
  const flags = argv as Record<string, unknown>;
  const backend = backendFromFlags(flags, 'chaos');
  if (argv.toxiproxy !== undefined && !(backend.kind === 's3' && backend.endpoint?.startsWith('http://') === true)) {
    throw new UserError('--toxiproxy drives a Toxiproxy server in front of an S3 endpoint: add --backend s3 --endpoint http://HOST:PORT (plain http; a TCP proxy cannot stand in for TLS).');
  }
  if (argv.toxiproxy !== undefined && !/^https?:\/\/[^/]+/.test(argv.toxiproxy)) {
    throw new UserError(`--toxiproxy takes the Toxiproxy API URL, e.g. http://127.0.0.1:8474; got "${argv.toxiproxy}".`);
  }
  const chosen = argv.from === undefined ? configFromFlags(flags) : await bestFrom(argv.from);
  const { seed: _s, ...base } = chosen;
  // Real backends run in real time, where the network faults go through a TCP proxy (or Toxiproxy).
  const fixed = { ...base, duration_s: duration, warmup_s: Math.min(10, duration / 10), ...realTimeFor(backend, flags) };
  const out = argv.out ?? 'results/chaos';
  await ensureWritableDir(out, '--out');
  if (backend.kind !== 'memory') {
    const probe = openBackend(backend);
    try {
      await checkBackend(backend, probe);
    } finally {
      closeStore(probe);
    }
    process.stderr.write(`storage: ${describeBackend(backend)}${argv.toxiproxy === undefined ? '' : `, network faults through Toxiproxy at ${argv.toxiproxy}`}\n`);
  }
  process.stderr.write(
    `chaos: ${names.length} scenarios × ${duration} s, in parallel, on ${chosen.num_writers} writers at ${chosen.writer_rate}/s, overlap ${chosen.key_overlap_ratio}, ${chosen.num_readers} readers at ${chosen.reader_rate}/s${argv.from === undefined ? '' : ` (best of ${argv.from})`}\n`,
  );
  const outcomes = await inParallel(
    names.map((name) => {
      const sc = scenario(name);
      if (sc === undefined) throw new Error(`unknown scenario ${name}`);
      return {
        name,
        definition: {
          name: `chaos-${name}`,
          seed: argv['chaos-seed'],
          fixed,
          axes: {},
          replicas,
          min_write_attempts: minWriteAttempts,
          max_replicas: Math.max(DEFAULT_MAX_REPLICAS, replicas),
        },
        plan: scenarioPlan(() => sc.plan(duration, argv['chaos-seed']), name, 'Raise --chaos-duration-s or leave this scenario out.'),
      };
    }),
    out,
    { backend, ...(argv.toxiproxy === undefined ? {} : { toxiproxyUrl: argv.toxiproxy }) },
  );
  const results: ScenarioResult[] = outcomes.flatMap(({ name, outcome }) => {
    const summary = outcome.summaries[0];
    const sc = scenario(name);
    return summary === undefined || sc === undefined ? [] : [{ scenario: name, description: sc.description, summary }];
  });
  await writeFileAtomic(join(out, CHAOS_CSV), chaosCsv(results));
  process.stdout.write(`\n${chaosTable(results)}\nresults: ${join(out, CHAOS_CSV)}, one sweep directory per scenario in ${out}/\n`);
}

/** Each hazard scenario on its own workload, under one profile: see `hazardResults`. */
async function runHazards(argv: ArgumentsCamelCase<ChaosArgs>, hazards: readonly HazardScenario[], profile: string | undefined): Promise<void> {
  const out = argv.out ?? 'results/hazards';
  await ensureWritableDir(out, '--out');
  const results = await runHazardScenarios({ ...hazardOptions(argv), hazards, profile, out });
  process.stdout.write(`\n${hazardsTable(results, out, profile ?? 'fusio-0.5')}\n`);
}

/** The seeds of a hazard run, from the flags. */
function hazardOptions(argv: ArgumentsCamelCase<ChaosArgs>): { seeds: number; replay?: number; chaosSeed: number } {
  const replay = argv['replay-seed'];
  if (replay !== undefined) requireWholeNumber('--replay-seed', replay, 0);
  const seeds = argv['hazard-seeds'] ?? DEFAULT_HAZARD_SEEDS;
  requireWholeNumber('--hazard-seeds', seeds, 1);
  return { seeds, ...(replay === undefined ? {} : { replay }), chaosSeed: argv['chaos-seed'] };
}

/** `--all-profiles`: the same hazard runs under every profile, `<out>/<profile>/` each, then side by side. */
async function runHazardsByProfile(argv: ArgumentsCamelCase<ChaosArgs>, hazards: readonly HazardScenario[]): Promise<void> {
  const out = argv.out ?? 'results/hazards';
  await ensureWritableDir(out, '--out');
  const byProfile: { profile: string; results: HazardResult[] }[] = [];
  for (const profile of PROFILES) {
    const dir = join(out, profile);
    await ensureWritableDir(dir, '--out');
    byProfile.push({ profile, results: await runHazardScenarios({ ...hazardOptions(argv), hazards, profile, out: dir }) });
  }
  process.stdout.write(`\n${hazardsByProfileTable(byProfile, out)}\n`);
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
