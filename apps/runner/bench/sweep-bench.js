// `pnpm bench` for the runner: the wall time of the replicated comprehensive sweep (every config
// run with as many seeds as it takes to reach the sweep's min_write_attempts, every run verified)
// on this machine, and how many simulated seconds the baseline covers per wall second. Prints one
// JSON document. (Timing uses the real clock on purpose: this file measures the code, it is not
// part of it.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWorkloadConfig, runWorkload } from '@manifest-lab/workload';
import { expandSweep, readSweepFile, runSweep } from '../dist/index.js';

const sweeps = new URL('../../../sweeps/', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'manifest-lab-bench-'));
try {
  const comprehensive = await readSweepFile(join(sweeps, 'comprehensive.json'));
  const configs = expandSweep(comprehensive).length;
  const t0 = performance.now();
  const outcome = await runSweep({ definition: comprehensive, source: 'comprehensive.json', outDir: out, progress: false });
  const sweepWall = (performance.now() - t0) / 1000;
  const simulated = outcome.docs.reduce((s, d) => s + d.elapsed_ms / 1000, 0);
  const attempts = outcome.summaries.map((s) => s.counts.write_attempts);

  // The reference's seven chaos scenarios, 5 simulated minutes each, on the sweep's best config.
  const bin = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
  const t2 = performance.now();
  const chaos = spawnSync(process.execPath, [bin, 'chaos', '--from', join(out, 'results.csv'), '--out', join(out, 'chaos')], { encoding: 'utf8' });
  const chaosWall = (performance.now() - t2) / 1000;
  if (chaos.status !== 0) throw new Error(`chaos failed: ${chaos.stderr}`);

  // Every fusio-0.5 hazard scenario, 8 seeds each (the CLI default), verified.
  const t3 = performance.now();
  const hazards = spawnSync(process.execPath, [bin, 'chaos', '--scenarios', 'hazards', '--out', join(out, 'hazards')], { encoding: 'utf8' });
  const hazardsWall = (performance.now() - t3) / 1000;
  if (hazards.status !== 0) throw new Error(`hazards failed: ${hazards.stderr}`);
  const reproduced = hazards.stdout.match(/Every hazard reproduced/) !== null;

  const baselineDef = await readSweepFile(join(sweeps, 'baseline.json'));
  const baselineConfig = expandSweep(baselineDef)[0].config;
  const t1 = performance.now();
  const run = await runWorkload(parseWorkloadConfig(baselineConfig));
  const baselineWall = (performance.now() - t1) / 1000;

  const round = (x) => Math.round(x * 100) / 100;
  process.stdout.write(
    `${JSON.stringify(
      {
        node: process.version,
        cores: availableParallelism(),
        comprehensiveSweep: {
          configs,
          runs: outcome.docs.length,
          minWriteAttemptsGoal: comprehensive.min_write_attempts,
          configsBelowGoal: attempts.filter((a) => a < comprehensive.min_write_attempts).length,
          fewestWriteAttempts: Math.min(...attempts),
          wallSeconds: round(sweepWall),
          goalSeconds: 60,
          simulatedSeconds: round(simulated),
          simulatedPerWallSecond: round(simulated / sweepWall),
          // The reference framework needed 20–25 minutes of real S3 time for the same grid.
          speedupVsReference20min: round((20 * 60) / sweepWall),
        },
        chaosReferenceScenarios: {
          scenarios: 7,
          simulatedSecondsEach: 300,
          wallSeconds: round(chaosWall),
          goalSeconds: 30,
        },
        hazards: {
          scenarios: (hazards.stdout.match(/§\d/g) ?? []).length,
          seedsEach: 8,
          everyHazardReproduced: reproduced,
          wallSeconds: round(hazardsWall),
          goalSeconds: 30,
        },
        baseline: {
          simulatedSeconds: round(run.elapsedMs / 1000),
          wallSeconds: round(baselineWall),
          simulatedPerWallSecond: round(run.elapsedMs / 1000 / baselineWall),
          historyEvents: run.history.length,
        },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
