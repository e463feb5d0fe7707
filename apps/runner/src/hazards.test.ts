/**
 * Each hazard scenario, run in virtual time under fusio-0.5, shows its hazard; the causes are
 * what the scenarios say they are (take the cause away and the hazard goes); and a reported
 * seed replays its run byte for byte through the CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosEnvironment, type FaultPlan, HAZARDS, type HazardScenario, hazard } from '@manifest-lab/chaos';
import { parseWorkloadConfig, runWorkload } from '@manifest-lab/workload';
import { afterAll, describe, expect, it } from 'vitest';
import { chaosEnvironmentParts, chaosRecord } from './chaos-record.js';
import { verifyRun } from './isolation.js';

/** Seeds tried per hazard: each must reproduce within them (the CLI reports the rate over more). */
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

async function runHazard(h: HazardScenario, seed: number, plan: FaultPlan = h.plan(Number(h.config.duration_s))) {
  const config = parseWorkloadConfig({ ...h.config, seed });
  const env = chaosEnvironment(plan);
  const run = await runWorkload(config, { ...chaosEnvironmentParts(env), readFinalState: true });
  const verified = await verifyRun(run);
  const record = chaosRecord(plan, env, run, verified.document, verified.objectKeys);
  return { config, record, shown: h.reproduced(record.findings, config) };
}

describe('every hazard scenario reproduces its hazard under fusio-0.5', () => {
  for (const h of HAZARDS) {
    it(`§${h.section} ${h.name}`, async () => {
      const tried: string[] = [];
      for (const seed of SEEDS) {
        const { config, record, shown } = await runHazard(h, seed);
        tried.push(`seed ${seed}: ${h.evidence(record.findings, config)}`);
        if (shown) return;
      }
      expect.fail(`${h.name} did not reproduce in seeds ${SEEDS.join(', ')}:\n${tried.join('\n')}`);
    });
  }

  it('the findings say what each hazard does: §6.5 loses commits, §6.2 blocks writers past the TTL, §6.6 installs one GC plan', async () => {
    const twoCompactors = hazard('two-compactors') as HazardScenario;
    const lost = await Promise.all([1, 2, 3].map((s) => runHazard(twoCompactors, s)));
    expect(lost.some((r) => r.record.findings.lost_commits > 0), 'seeds 1-3 of two-compactors lose no commit').toBe(true);

    const crashed = hazard('crashed-writer') as HazardScenario;
    const c = await runHazard(crashed, 1);
    expect(c.record.findings.crashed).toBe(1);
    expect(c.record.fault_counts['writer-0 crashes after segment PUT']?.crashed).toBe(1);
    expect(c.record.findings.max_commit_gap_s * 1000).toBeGreaterThanOrEqual(c.config.lease_ttl_ms);

    const gc = await runHazard(hazard('gc-plan-once') as HazardScenario, 1);
    expect(gc.record.findings.compaction.gc_plans).toBe(1);
    expect(gc.record.findings.compaction.gc_skipped).toBeGreaterThan(3);
  });
});

describe('the causes are the ones named', () => {
  const without = (h: HazardScenario, label: string): FaultPlan => {
    const full = h.plan(Number(h.config.duration_s));
    const windows = full.windows.filter((w) => !w.label.includes(label));
    expect(windows.length).toBe(full.windows.length - 1);
    return { ...full, windows };
  };

  it('§6.7 without the clock skew, the same slow writers show no anomaly', async () => {
    const h = hazard('skewed-clock') as HazardScenario;
    for (const seed of [1, 2, 3, 4]) {
      const { record, shown } = await runHazard(h, seed, without(h, 'clocks'));
      expect(shown, `seed ${seed}: ${h.evidence(record.findings, { lease_ttl_ms: 10_000 })}`).toBe(false);
    }
  });

  it('§6.1 pause: the same workload with no pause shows no anomaly', async () => {
    const h = hazard('pause-past-ttl') as HazardScenario;
    for (const seed of [1, 2]) {
      const { shown } = await runHazard(h, seed, { name: 'none', windows: [] });
      expect(shown, `seed ${seed}`).toBe(false);
    }
  });
});

describe('manifest-lab chaos --scenarios <hazard>', () => {
  const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
  const work = mkdtempSync(join(tmpdir(), 'manifest-lab-hazards-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'chaos', ...args], { cwd: work, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const historyOf = (dir: string) => {
    const [config] = readdirSync(dir).filter((d) => /^\d{3}-/.test(d));
    return (replica: string) => readFileSync(join(dir, config as string, replica, 'history.jsonl'), 'utf8');
  };

  it('writes hazards.csv with the rate and a replay seed, and the seed replays the run byte for byte', () => {
    const first = cli('--scenarios', 'lost-head-cas', '--hazard-seeds', '2', '--out', 'h');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/lost-head-cas\s+§6\.1\s+2\/2/);
    const [header, row] = readFileSync(join(work, 'h', 'hazards.csv'), 'utf8').trim().split('\n');
    const cols = (header as string).split(',');
    const cell = (name: string) => (row as string).split(',')[cols.indexOf(name)];
    expect(cell('reproduced')).toBe('2');
    const seed = cell('replay_seed') as string;
    expect(seed).toMatch(/^\d+$/);

    const replay = cli('--scenarios', 'lost-head-cas', '--replay-seed', seed, '--out', 'r');
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/1\/1/);
    // The first reproducing run is replica 0 (both reproduced); its history and the replay's are the same bytes.
    expect(historyOf(join(work, 'r', 'lost-head-cas'))('r000')).toBe(historyOf(join(work, 'h', 'lost-head-cas'))('r000'));
  });

  it('runs a hazard under another profile with --profile: the same seeds reproduce nothing under strict', () => {
    const strict = cli('--scenarios', 'lost-head-cas', '--hazard-seeds', '2', '--profile', 'strict', '--out', 'hs');
    expect(strict.code, strict.stderr).toBe(0);
    expect(strict.stderr).toMatch(/under strict/);
    expect(strict.stdout).toMatch(/lost-head-cas\s+§6\.1\s+0\/2/);
    const csv = readFileSync(join(work, 'hs', 'hazards.csv'), 'utf8').trim().split('\n');
    expect(csv[1]?.split(',')[csv[0]?.split(',').indexOf('reproduced') ?? -1]).toBe('0');
    // The runs really ran under strict: their config says so.
    const runs = readFileSync(join(work, 'hs', 'lost-head-cas', 'runs.csv'), 'utf8').trim().split('\n');
    const profileCol = runs[0]?.split(',').indexOf('profile') ?? -1;
    expect(runs.slice(1).map((r) => r.split(',')[profileCol])).toEqual(['strict', 'strict']);
  });

  it('--all-profiles runs the same hazard seeds under every profile, side by side, one directory each', () => {
    const all = cli('--scenarios', 'lost-head-cas,two-compactors', '--hazard-seeds', '2', '--all-profiles', '--out', 'ha');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/hazard\s+§\s+fusio-0\.5 \[95 % CI\]\s+strict \[95 % CI\]\s+strict-rebase \[95 % CI\]/);
    expect(all.stdout).toMatch(/lost-head-cas\s+§6\.1\s+2\/2 \[\S+\]\s+0\/2 \[\S+\]\s+0\/2/);
    expect(all.stdout).toMatch(/two-compactors\s+§6\.5\s+2\/2 \[\S+\]\s+0\/2 \[\S+\]\s+0\/2/);
    expect(all.stdout).toMatch(/Under strict and strict-rebase: no hazard reproduced in any seed/);
    for (const profile of ['fusio-0.5', 'strict', 'strict-rebase']) {
      const csv = readFileSync(join(work, 'ha', profile, 'hazards.csv'), 'utf8').trim().split('\n');
      expect(csv).toHaveLength(3);
    }
    const both = cli('--scenarios', 'lost-head-cas', '--all-profiles', '--profile', 'strict', '--out', 'hb');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/drop --profile/);
    const faults = cli('--scenarios', 'latency-100', '--all-profiles');
    expect(faults.code).not.toBe(0);
    expect(faults.stderr).toMatch(/--all-profiles applies to hazard scenarios/);
  });

  it('a sweep file\'s "hazards" block runs the hazards under each profile of the sweep, the same runs as --all-profiles', () => {
    const sweep = {
      name: 'with-hazards',
      seed: 3,
      fixed: { duration_s: 10, warmup_s: 1, num_writers: 2, num_readers: 1 },
      axes: { profile: ['fusio-0.5', 'strict'] },
      hazards: { seeds: 2, scenarios: ['lost-head-cas'] },
    };
    writeFileSync(join(work, 'with-hazards.json'), JSON.stringify(sweep));
    const r = spawnSync(process.execPath, [BIN, 'sweep', '--config', 'with-hazards.json', '--out', 'sw', '--no-progress'], { cwd: work, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/hazard scenarios, 2 seeds each/);
    expect(r.stdout).toMatch(/lost-head-cas\s+§6\.1\s+2\/2 \[\S+\]\s+0\/2/);
    // The same rows, byte for byte, as `chaos --scenarios … --all-profiles --hazard-seeds 2` wrote.
    const rows = (dir: string) => readFileSync(join(work, dir, 'hazards.csv'), 'utf8').split('\n').filter((l) => l.startsWith('hazard,') || l.startsWith('lost-head-cas,'));
    for (const profile of ['fusio-0.5', 'strict']) {
      expect(rows(join('sw', 'hazards', profile))).toEqual(rows(join('ha', profile)));
      expect(rows(join('sw', 'hazards', profile))).toHaveLength(2);
    }
  });

  it('refuses a mix of hazards and fault scenarios, and --replay-seed without a hazard', () => {
    const mixed = cli('--scenarios', 'hazards,latency-100');
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/separately/);
    expect(mixed.stderr).not.toMatch(/\n\s+at /);
    const replay = cli('--scenarios', 'latency-100', '--replay-seed', '3');
    expect(replay.code).not.toBe(0);
    expect(replay.stderr).toMatch(/--replay-seed applies to hazard scenarios/);
    const ignored = cli('--scenarios', 'hazards', '--num-writers', '7', '--chaos-duration-s', '5');
    expect(ignored.code).not.toBe(0);
    expect(ignored.stderr).toMatch(/--chaos-duration-s, --num-writers would be ignored/);
    const seeds = cli('--scenarios', 'latency-100', '--hazard-seeds', '3');
    expect(seeds.code).not.toBe(0);
    expect(seeds.stderr).toMatch(/--hazard-seeds applies to hazard scenarios/);
    const onFs = cli('--scenarios', 'hazards', '--backend', 'fs', '--dir', 'objects');
    expect(onFs.code).not.toBe(0);
    expect(onFs.stderr).toMatch(/virtual time on the embedded store.*manifest-lab crash/s);
    const toxi = cli('--scenarios', 'latency-100', '--toxiproxy', 'http://127.0.0.1:8474');
    expect(toxi.code).not.toBe(0);
    expect(toxi.stderr).toMatch(/--toxiproxy .* add --backend s3 --endpoint http:/);
  });
});
