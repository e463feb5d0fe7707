/** `boundary`: the bisection on a fake probe, and one real run of the built CLI on a tiny cell. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wilson } from '@manifest-lab/workload';
import { afterAll, describe, expect, it } from 'vitest';
import { atLevel, bisectBoundary, lookZ, maxLooks, type ProbeResult, roundRate, verdictOf } from './boundary.js';

const THRESHOLD = 0.1;

/** A probe of a monotone failure curve with `n` samples per probe; `undecidedAt` forces undecided. */
function fakeProbe(curve: (rate: number) => number, n = 10_000_000, undecidedAt: (rate: number) => boolean = () => false) {
  const calls: number[] = [];
  const probe = async (rate: number): Promise<ProbeResult> => {
    calls.push(rate);
    const k = Math.round(curve(rate) * n);
    const iv = wilson(k, n);
    const estimate = { k, n, value: k / n, lo: iv?.lo ?? null, hi: iv?.hi ?? null };
    const verdict = undecidedAt(rate) ? 'undecided' : verdictOf(estimate, THRESHOLD);
    return { rate, verdict, estimate, replicas: 4, achieved: 1 };
  };
  return { probe, calls };
}

/** Failure rate rising linearly through the threshold at `cross`. */
const linear = (cross: number) => (rate: number) => Math.min(1, (THRESHOLD * rate) / cross);

describe('bisectBoundary', () => {
  it('converges on a known crossing, whose bracket has a decided probe at each end', async () => {
    const { probe, calls } = fakeProbe(linear(0.13));
    const r = await bisectBoundary({ rateLo: 0.05, rateHi: 0.2, steps: 6, expand: 2, probe });
    expect(r.status).toBe('bracketed');
    expect(r.below?.verdict).toBe('below');
    expect(r.above?.verdict).toBe('above');
    expect(r.below?.rate).toBeLessThan(0.13);
    expect(r.above?.rate).toBeGreaterThan(0.13);
    // Six halvings of log(0.2/0.05), (n is large enough to decide that close).
    expect((r.above?.rate ?? 0) / (r.below?.rate ?? 1)).toBeLessThan(1.1);
    expect(new Set(calls).size).toBe(calls.length);
    expect(r.probes.length).toBe(calls.length);
    expect(r.near).toBeNull();
  });

  it('stops narrowing at an undecided probe and keeps the decided bracket', async () => {
    const { probe } = fakeProbe(linear(0.13), 10_000, (rate) => rate === roundRate(Math.sqrt(0.05 * 0.2)));
    const r = await bisectBoundary({ rateLo: 0.05, rateHi: 0.2, steps: 6, expand: 2, probe });
    expect(r.status).toBe('undecided');
    expect([r.below?.rate, r.above?.rate]).toEqual([0.05, 0.2]);
    expect(r.probes.map((p) => p.verdict)).toEqual(['below', 'above', 'undecided']);
    // The undecided probe inside the bracket is where the crossing statistically lies.
    expect(r.near?.rate).toBe(roundRate(Math.sqrt(0.05 * 0.2)));
  });

  it('expands the range to bracket the threshold, and reports it when it cannot', async () => {
    const expanded = await bisectBoundary({ rateLo: 0.05, rateHi: 0.2, steps: 3, expand: 2, probe: fakeProbe(linear(0.5)).probe });
    expect(expanded.status).toBe('bracketed');
    expect(expanded.probes.map((p) => p.rate).slice(0, 3)).toEqual([0.05, 0.2, 0.4]);
    expect(expanded.below?.rate).toBeLessThan(0.5);
    expect(expanded.above?.rate).toBeGreaterThan(0.5);

    const high = fakeProbe(linear(5));
    const above = await bisectBoundary({ rateLo: 0.05, rateHi: 0.2, steps: 6, expand: 2, probe: high.probe });
    expect(above.status).toBe('above_range');
    expect(above.above).toBeNull();
    expect(above.below?.rate).toBe(0.8);
    expect(high.calls).toEqual([0.05, 0.2, 0.4, 0.8]);

    const low = fakeProbe(linear(0.001));
    const below = await bisectBoundary({ rateLo: 0.05, rateHi: 0.2, steps: 6, expand: 2, probe: low.probe });
    expect(below.status).toBe('below_range');
    expect(below.below).toBeNull();
    expect(below.above?.rate).toBe(0.0125);
    expect(low.calls).toEqual([0.05, 0.025, 0.0125]);

    // Nothing decided at the low end: not "below range", just undecided.
    const vague = await bisectBoundary({ rateLo: 0.05, rateHi: 0.2, steps: 6, expand: 1, probe: fakeProbe(linear(0.13), 10_000, (rate) => rate < 0.1).probe });
    expect(vague.status).toBe('undecided');
    expect(vague.above?.rate).toBe(0.2);
  });
});

describe('looks of a probe', () => {
  it('bounds the looks by doubling replicas up to the budget', () => {
    expect(maxLooks(1)).toBe(1);
    expect(maxLooks(2)).toBe(2);
    expect(maxLooks(32)).toBe(6); // 1, 2, 4, 8, 16, 32
    expect(maxLooks(33)).toBe(7);
  });

  it('widens each look\'s interval so the probe keeps 95 % over all its looks (Bonferroni)', () => {
    expect(lookZ(1)).toBeCloseTo(1.96, 2);
    expect(lookZ(32)).toBeCloseTo(2.635, 2); // z at 1 - 0.05 / (2 * 6)
    const nominal = { value: 0.07, lo: 0.048, hi: 0.1, k: 28, n: 400 };
    const wide = atLevel(nominal, lookZ(32));
    expect(wide.k).toBe(28);
    expect(wide.n).toBe(400);
    expect(wide.lo).toBeLessThan(0.048);
    expect(wide.hi).toBeGreaterThan(0.1);
    // A rate the nominal 95 % interval would call below 10 % stays undecided at the corrected level.
    expect(verdictOf({ lo: 0.048, hi: 0.0999 }, 0.1)).toBe('below');
    expect(verdictOf(wide, 0.1)).toBe('undecided');
  });
});

describe('manifest-lab boundary', () => {
  const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
  const work = mkdtempSync(join(tmpdir(), 'manifest-lab-boundary-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const tiny = ['boundary', '--num-writers', '3', '--key-overlap-ratio', '0.1', '--num-readers', '0', '--duration-s', '30'];
  const search = ['--metric', 'attempt', '--threshold', '0.2', '--steps', '2', '--budget', '16', '--min-write-attempts', '40', '--no-progress'];

  it('writes boundary.csv with a bracket and intervals, and the runs behind it, deterministically', () => {
    const r = cli(...tiny, ...search, '--out', 'b1');
    expect(r.status, r.stderr).toBe(0);
    // Both ends are decided; with 2 steps the narrowing may stop early at an undecided midpoint.
    expect(r.stdout).toMatch(/c00-w3-o0\.1-nr0-rr5\s+(bracketed|undecided)\s+0\.\d+ – 0\.\d+/);
    const [header, row, ...rest] = readFileSync(join(work, 'b1', 'boundary.csv'), 'utf8').trim().split('\n');
    expect(rest).toEqual([]);
    const cols = (header ?? '').split(',');
    const got = Object.fromEntries((row ?? '').split(',').map((v, i) => [cols[i], v]));
    expect(got).toMatchObject({ num_writers: '3', key_overlap_ratio: '0.1', num_readers: '0', metric: 'attempt', threshold: '0.2' });
    expect(got.decided).toBe(String(got.status === 'bracketed'));
    const lo = Number(got.boundary_lo);
    const hi = Number(got.boundary_hi);
    expect(lo).toBeGreaterThanOrEqual(0.05);
    expect(hi).toBeLessThanOrEqual(0.2);
    expect(lo).toBeLessThan(hi);
    expect(Number(got.lo_ci_hi)).toBeLessThan(0.2);
    expect(Number(got.hi_ci_lo)).toBeGreaterThan(0.2);
    expect(Number(got.midpoint)).toBeCloseTo(Math.sqrt(lo * hi), 3);
    // Achieved / offered write load at each end: a share, recorded so saturation is visible.
    for (const end of ['lo', 'hi']) {
      expect(Number(got[`${end}_achieved`])).toBeGreaterThan(0.5);
      expect(Number(got[`${end}_achieved`])).toBeLessThanOrEqual(1);
    }
    expect(Number(got.probes)).toBeGreaterThanOrEqual(2);
    expect(Number(got.probes)).toBeLessThanOrEqual(4);
    expect(existsSync(join(work, 'b1', 'c00-w3-o0.1-nr0-rr5', `rate-${lo}`, 'results.csv'))).toBe(true);
    expect(readFileSync(join(work, 'b1', 'probes.csv'), 'utf8').trim().split('\n')).toHaveLength(Number(got.probes) + 1);

    // Rerun into the same directory: the runs are reused (resume) and the CSVs come out byte-identical.
    const before = ['boundary.csv', 'probes.csv'].map((f) => readFileSync(join(work, 'b1', f), 'utf8'));
    expect(cli(...tiny, ...search, '--out', 'b1').status).toBe(0);
    expect(['boundary.csv', 'probes.csv'].map((f) => readFileSync(join(work, 'b1', f), 'utf8'))).toEqual(before);
  });

  it('refuses --writer-rate, which is what it searches', () => {
    const r = cli(...tiny, '--writer-rate', '0.1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--writer-rate is what boundary searches/);
  });
});
