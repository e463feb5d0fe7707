/**
 * Scenario sweeps side by side — the fault scenarios of `chaos` and the hazard scenarios of
 * `chaos --scenarios hazards` and of a sweep file's `"hazards"` block.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type FaultPlan, FaultPlanError, type HazardScenario, hazard } from '@manifest-lab/chaos';
import type { Backend } from './backend.js';
import { writeFileAtomic } from './files.js';
import { type HazardResult, hazardsCsv } from './hazard-report.js';
import { interruptSignal } from './interrupt.js';
import { runSweep, type SweepOutcome } from './sweep-runner.js';
import { UserError } from './user-error.js';

export const HAZARDS_CSV = 'hazards.csv';
export const DEFAULT_HAZARD_SEEDS = 8;

export interface HazardRunOptions {
  readonly hazards: readonly HazardScenario[];
  /** The manifest profile (undefined: the scenarios' own, fusio-0.5). */
  readonly profile: string | undefined;
  readonly out: string;
  /** Seeds (runs) per hazard… */
  readonly seeds: number;
  /** …or exactly this one seed, once. */
  readonly replay?: number;
  /** The seed of the hazard sweeps (their replicas' seeds derive from it). */
  readonly chaosSeed: number;
}

/**
 * Each hazard scenario on its own workload, over `seeds` seeds (or one `replay` seed), under
 * `profile`; writes `<out>/hazards.csv` and one sweep directory per hazard.
 */
export async function runHazardScenarios(o: HazardRunOptions): Promise<HazardResult[]> {
  const { hazards, profile, replay } = o;
  const seeds = replay === undefined ? o.seeds : 1;
  process.stderr.write(`hazards: ${hazards.length} scenario${hazards.length > 1 ? 's' : ''} × ${replay === undefined ? `${seeds} seeds` : `seed ${replay}`}, in parallel, in virtual time under ${profile ?? 'fusio-0.5'}\n`);
  const outcomes = await inParallel(
    hazards.map((h) => {
      const fixed = { ...h.config, ...(profile === undefined ? {} : { profile }), ...(replay === undefined ? {} : { seed: replay }) };
      const plan = scenarioPlan(() => h.plan(Number((fixed as { duration_s?: number }).duration_s ?? 120)), h.name, 'The hazard definition is broken: report it.');
      return {
        name: h.name,
        definition: { name: `hazard-${h.name}`, seed: o.chaosSeed, fixed, axes: {}, replicas: seeds, min_write_attempts: 0, max_replicas: seeds },
        plan,
      };
    }),
    o.out,
  );
  const results: HazardResult[] = outcomes.map(({ name, outcome }) => {
    const h = hazard(name);
    if (h === undefined) throw new Error(`unknown hazard ${name}`);
    return { hazard: h, docs: outcome.docs };
  });
  await writeFileAtomic(join(o.out, HAZARDS_CSV), hazardsCsv(results));
  return results;
}

/** A scenario's plan, or the plan's own one-paragraph complaint (e.g. outages that do not fit the run) as a user error. */
export function scenarioPlan(make: () => FaultPlan, name: string, fix: string): FaultPlan {
  try {
    return make();
  } catch (err) {
    if (err instanceof FaultPlanError) throw new UserError(`Scenario ${name}: ${err.message} ${fix}`);
    throw err;
  }
}

/**
 * Run scenario sweeps side by side (the reference ran its seven in parallel): as many at once
 * as there are cores, one worker thread each, so they share the machine without oversubscribing
 * it. In real time they run one after another instead: a scenario burning CPU, or loading the
 * same endpoint, would otherwise be measured into the baseline's numbers. The first failure
 * stops the rest.
 */
export async function inParallel(
  jobs: readonly { name: string; definition: Parameters<typeof runSweep>[0]['definition']; plan: FaultPlan }[],
  out: string,
  where: { backend?: Backend; toxiproxyUrl?: string } = {},
): Promise<{ name: string; outcome: SweepOutcome }[]> {
  const interrupt = interruptSignal();
  // Stops every lane: on Ctrl-C, or on the first failure.
  const failed = new AbortController();
  interrupt.signal.addEventListener('abort', () => failed.abort(interrupt.signal.reason), { once: true });
  const signal = failed.signal;
  const results: { name: string; outcome: SweepOutcome }[] = new Array(jobs.length);
  let next = 0;
  const realTime = where.backend !== undefined && where.backend.kind !== 'memory';
  const lanes = realTime ? 1 : Math.max(1, Math.min(jobs.length, availableParallelism()));
  let firstError: unknown;
  try {
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let i = next++; i < jobs.length && !signal.aborted; i = next++) {
          const job = jobs[i] as (typeof jobs)[number];
          const outcome = await runSweep({
            definition: job.definition,
            source: `scenario ${job.name}`,
            outDir: join(out, job.name),
            faultPlan: job.plan,
            ...where,
            // Scenarios share a configuration (so their runs' ids) and run at once: each gets its own prefix.
            ...(where.backend === undefined || where.backend.kind === 'memory' ? {} : { backend: { ...where.backend, prefix: `${where.backend.prefix}/${job.name}` } }),
            concurrency: 1,
            progress: false,
            signal,
          }).catch((err: unknown) => {
            // Keep the first error (the cause), not the interruptions it causes in other lanes.
            if (!signal.aborted) {
              firstError = err;
              failed.abort(err);
            }
            throw err;
          });
          results[i] = { name: job.name, outcome };
          process.stderr.write(`  ${job.name}: ${outcome.docs.length} run${outcome.docs.length === 1 ? '' : 's'} done\n`);
        }
      }),
    ).catch((err: unknown) => {
      throw firstError ?? err;
    });
  } finally {
    interrupt.dispose();
  }
  return results;
}

