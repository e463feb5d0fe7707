import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { table } from 'arquero';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../csv.js';
import { fixtures, scratchCopy } from '../fixtures.test-helper.js';
import { loadResults } from '../load.js';
import { tQuantile975, wilson } from '../stats.js';
import type { ConfigEntry, ResultSets, Row, SweepResult } from '../types.js';
import { readiness, sweepRole } from './readiness.js';
import { renderReadinessMarkdown } from './readiness-markdown.js';
import { MITIGATIONS } from './readiness-mitigations.js';
import { rank, replicaMean, retrySweep } from './readiness-retry.js';

/** A hand-made retry sweep: per setting, txns/commits, TPS with interval, p99 with interval. */
function retryFixture(configs: { retries: number; txns: number; commits: number; tps: [number, number, number]; p99: [number, number, number] }[]): SweepResult {
  const entries: ConfigEntry[] = configs.map((c, i) => {
    const row: Row = {
      max_retry_count: c.retries,
      config_id: `c${i}`,
      replicas: 3,
      write_txns: c.txns,
      commits: c.commits,
      write_tps: c.tps[0],
      write_tps_lo: c.tps[1],
      write_tps_hi: c.tps[2],
      write_p99_ms: c.p99[0],
      write_p99_ms_lo: c.p99[1],
      write_p99_ms_hi: c.p99[2],
    };
    const runs = [0, 1, 2].map((r) => ({ id: `r00${r}`, dir: `retry/c${i}/r00${r}`, run: {} as never, files: { run: `retry/c${i}/r00${r}/run.json`, history: '' } }));
    return { id: `c${i}`, dir: `retry/c${i}`, row, summary: { schema: 'x', id: `c${i}`, config: {}, replicas: 3, runs: [], counts: {}, rates: {} }, runs };
  });
  const col = (k: string) => entries.map((e) => e.row[k]);
  const rows = table(Object.fromEntries(Object.keys(entries[0]!.row).map((k) => [k, col(k)])));
  const runs = table({ run_id: entries.flatMap((e) => e.runs.map((r) => `${e.id}/${r.id}`)), requests_per_commit: entries.flatMap((_, i) => [10 + i, 11 + i, 12 + i]) });
  return { kind: 'sweep', name: 'retry', dir: 'retry', definition: { definition: { name: 'retry' }, configs: [] }, rows, runs, axes: ['max_retry_count'], configs: entries };
}

/**
 * A hand-made sweep: each configuration's results.csv row (with write_txns and commits) and its
 * runs' config and isolation verdict. `axes` are the fields that vary.
 */
function sweepFixture(
  name: string,
  axes: string[],
  configs: { row: Row; runs: { anomalies?: string[] }[] }[],
  description?: string,
): SweepResult {
  const entries: ConfigEntry[] = configs.map((c, i) => {
    const id = `c${i}`;
    const runs = c.runs.map((r, j) => ({
      id: `r00${j}`,
      dir: `${name}/${id}/r00${j}`,
      run: { config: c.row, isolation: { valid: (r.anomalies ?? []).length === 0, anomaly_types: r.anomalies ?? [] } } as never,
      files: { run: `${name}/${id}/r00${j}/run.json`, history: '' },
    }));
    return { id, dir: `${name}/${id}`, row: { ...c.row, config_id: id, replicas: c.runs.length }, summary: { schema: 'x', id, config: {}, replicas: c.runs.length, runs: [], counts: {}, rates: {} }, runs };
  });
  const keys = Object.keys(entries[0]!.row);
  const rows = table(Object.fromEntries(keys.map((k) => [k, entries.map((e) => e.row[k])])));
  const runs = table({ run_id: entries.flatMap((e) => e.runs.map((r) => `${e.id}/${r.id}`)) });
  return { kind: 'sweep', name, dir: name, definition: { definition: { name, ...(description === undefined ? {} : { description }) }, configs: [] }, rows, runs, axes, configs: entries };
}

/** The research knobs at their defaults, as a results.csv of this version writes them. */
const KNOBS = { compact_gc: 'none', remote_writers: 0, remote_latency_ms: 0, orphan_recovery_every: 1, writer_crash_prob: 0, head_cache_ms: 0 };
const base = (extra: Row): Row => ({ num_writers: 3, writer_rate: 0.2, key_overlap_ratio: 0.2, compact_interval_s: 0, write_txns: 500, commits: 495, ...KNOBS, ...extra });
const clean = [{}, {}];

function researchResults(): ResultSets {
  const envelope = sweepFixture('env', ['writer_rate'], [{ row: base({ writer_rate: 0.1 }), runs: clean }, { row: base({ writer_rate: 0.2 }), runs: clean }]);
  const headCache = sweepFixture(
    'head-cache',
    ['head_cache_ms'],
    [
      { row: base({ head_cache_ms: 0 }), runs: clean },
      { row: base({ head_cache_ms: 1000 }), runs: [{ anomalies: ['G-single-item-realtime', 'stale-read'] }, {}] },
    ],
    'The effect of a HEAD cache.',
  );
  const crash = sweepFixture('lease-expiry', ['lease_ttl_ms'], [{ row: base({ lease_ttl_ms: 1000, writer_crash_prob: 0.05 }), runs: clean }, { row: base({ lease_ttl_ms: 5000, writer_crash_prob: 0.05 }), runs: clean }]);
  const gc = sweepFixture(
    'gc',
    ['compact_gc', 'num_readers'],
    ['none', 'inline', 'three-phase'].flatMap((mode, i) =>
      [0, 4].map((readers) => ({ row: base({ compact_interval_s: 10, compact_gc: mode, num_readers: readers, commits: 495 - 40 * i }), runs: clean })),
    ),
    'GC during the workload.',
  );
  return { root: 'lab', sweeps: [envelope, headCache, crash, gc], chaos: [], hazards: [], crashes: [], boundaries: [], skipped: [] };
}

describe('research sweeps', () => {
  it('keeps sweeps that vary or fix a research knob out of the envelope and lists them with their questions', () => {
    const results = researchResults();
    expect(results.sweeps.map(sweepRole)).toEqual(['envelope', 'research', 'research', 'compaction']);
    const doc = readiness(results);
    expect(doc.envelope.sweeps.map((s) => s.name)).toEqual(['env']);
    expect(doc.research.map((r) => [r.name, r.knobs.varied, r.knobs.fixed, r.usedIn])).toEqual([
      ['head-cache', ['head_cache_ms'], {}, null],
      ['lease-expiry', [], { writer_crash_prob: 0.05 }, null],
      ['gc', ['compact_gc'], {}, 'compaction'],
    ]);
    expect(doc.research[0]!.question).toBe('The effect of a HEAD cache.');
    const md = renderReadinessMarkdown(doc, { resultsHref: '' });
    const section = md.slice(md.indexOf('## 6. Research sweeps'), md.indexOf('## 7.'));
    expect(section).toContain('| head-cache (`head-cache`) | `head_cache_ms` (0, 1000) | — | The effect of a HEAD cache. | 2 / 4 | — | [results.csv](head-cache/results.csv) |');
    expect(section).toContain('| lease-expiry (`lease-expiry`) | — | writer_crash_prob=0.05 | not recorded in its sweep.json; see docs/research.md |');
  });

  it('states the research knobs an envelope is conditional on', () => {
    const doc = readiness(researchResults());
    expect(doc.envelope.sweeps[0]!.conditions).toMatchObject(KNOBS);
    // A sweep that held writer_crash_prob at 0.05 would otherwise read as unconditional.
    const crashed = sweepFixture('env-crash', ['writer_rate'], [{ row: base({ writer_rate: 0.1, writer_crash_prob: 0.05 }), runs: clean }, { row: base({ writer_rate: 0.2, writer_crash_prob: 0.05 }), runs: clean }]);
    const retry = retrySweep({ ...crashed, axes: ['max_retry_count'] });
    expect(retry.conditions).toMatchObject({ writer_crash_prob: 0.05, head_cache_ms: 0 });
  });

  it('puts HEAD-cache runs in their own isolation group, so the other groups show no anomalies', () => {
    const doc = readiness(researchResults());
    const group = (g: string) => doc.isolation.find((x) => x.group === g);
    expect(group('head-cache')).toMatchObject({ runs: 2, verified: 2, types: { 'G-single-item-realtime': 1, 'stale-read': 1 }, dirs: ['head-cache'] });
    expect(group('head-cache')!.anomalous.k).toBe(1);
    expect(group('workload')!.anomalous.k).toBe(0);
    expect(group('workload')!.dirs).toEqual(['env', 'gc']);
    expect(group('research')).toMatchObject({ runs: 6, dirs: ['head-cache', 'lease-expiry'] });
    expect(group('research')!.anomalous.k).toBe(0);
    const isolation = doc.summary.find((i) => i.topic === 'isolation')!;
    expect(isolation.text).toContain('runs with anomalies outside hazard reproductions and HEAD-cache runs: 0.0 % [0.0–');
    expect(isolation.text).toContain('HEAD-cache runs 1/2');
  });

  it('groups the compaction section by compact_gc, pooled over the other axes', () => {
    const doc = readiness(researchResults());
    const [gc] = doc.compaction.sweeps;
    expect(gc).toMatchObject({ name: 'gc', by: ['compact_gc'], pooled: ['num_readers'] });
    expect(gc!.levels.map((l) => [l.gc, l.interval_s, l.k, l.n, l.configs])).toEqual([
      ['inline', 10, 90, 1000, 2],
      ['none', 10, 10, 1000, 2],
      ['three-phase', 10, 170, 1000, 2],
    ]);
    // Research sweeps other than GC-mode ones do not feed the compaction section.
    expect(doc.compaction.withCompactor).toEqual([]);
    const md = renderReadinessMarkdown(doc, { resultsHref: '' });
    expect(md).toContain('### gc (`gc`): transaction failure by compact_gc');
    expect(md).toMatch(/\| 10 \| three-phase \| 2 \| 17\.0 % \[[^|]*\(170\/1000\) \| \[c4\]/);
  });
});

describe('the summary', () => {
  it('sums the envelope, counts hazards and isolation, and links every line', async () => {
    const results = await fixtures();
    const doc = readiness(results);
    const env = doc.summary.find((i) => i.topic === 'envelope')!;
    const total = doc.envelope.sweeps.reduce((a, s) => a + s.configs.length, 0);
    const safe = doc.envelope.sweeps.reduce((a, s) => a + s.counts.safe, 0);
    expect(env.text).toMatch(new RegExp(`^${safe} safe, \\d+ maybe, \\d+ over of ${total} configurations`));
    const hz = doc.summary.find((i) => i.topic === 'hazards')!;
    expect(hz.text).toMatch(new RegExp(`^${doc.hazards.hazards.filter((h) => h.reproduced.k > 0).length} of ${doc.hazards.hazards.length} hazards reproduced`));
    for (const i of doc.summary) expect(i.links.length + i.runs.length, i.topic).toBeGreaterThan(0);
    const md = renderReadinessMarkdown(doc, { resultsHref: '../lab' });
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## 1.'));
    expect(summary.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(doc.summary.length);
    expect(summary).toContain('No data for: boundary, retry — see [What is missing](#7-what-is-missing).');
    // Section links resolve to the headings as Markdown renderers anchor them.
    expect(summary).toContain('(#1-safe-operating-envelope-transaction-failure-rate-under-100-)');
    expect(md).toContain('## 1. Safe operating envelope (transaction failure rate under 10.0 %)');
  });

  it('counts hazards per profile when several ran, names the profile, and replays under it', async () => {
    const root = await scratchCopy('hazards');
    const strictDir = join(root, 'hazards-strict');
    await cp(join(root, 'hazards'), strictDir, { recursive: true });
    // The same hazard under strict: its runs name the profile, and it did not reproduce.
    const csv = join(strictDir, 'two-compactors', 'results.csv');
    const [header, ...rows] = (await readFile(csv, 'utf8')).trim().split('\n');
    const col = (header as string).split(',').indexOf('profile');
    await writeFile(csv, [header, ...rows.map((r) => r.split(',').map((c, i) => (i === col ? 'strict' : c)).join(','))].join('\n') + '\n');
    const hz = join(strictDir, 'hazards.csv');
    const [hh, ...hrows] = (await readFile(hz, 'utf8')).trim().split('\n');
    const at = (name: string) => (hh as string).split(',').indexOf(name);
    await writeFile(hz, [hh, ...hrows.map((r) => r.split(',').map((c, i) => (i === at('reproduced') ? '0' : i === at('replay_seed') ? '' : c)).join(','))].join('\n') + '\n');
    const doc = readiness(await loadResults(root));
    expect(doc.hazards.hazards.map((h) => h.profile).sort()).toEqual(['fusio-0.5', 'strict']);
    const text = doc.summary.find((i) => i.topic === 'hazards')?.text;
    expect(text).toMatch(/^fusio-0\.5: 1 of 1 hazards reproduced in at least one seed \(two-compactors\); strict: 0 of 1 hazards reproduced in at least one seed\.$/);
    const md = renderReadinessMarkdown(doc, { resultsHref: '' });
    expect(md).toContain('# Production readiness: fusio-manifest 0.5 manifest and the strict profile on object storage');
    expect(md).toMatch(/\| `two-compactors` \(strict\) \| 6\.5 \| 0\.0 % \[[^|]*\(0\/2\) \|/);
    await rm(root, { recursive: true, force: true });
  });

  it('gives, per writers, the range of boundary ends', () => {
    const rows = table({
      cell: ['a', 'b', 'c'],
      num_writers: [2, 2, 4],
      metric: ['txn', 'txn', 'txn'],
      threshold: [0.1, 0.1, 0.1],
      status: ['bracketed', 'bracketed', 'below_range'],
      boundary_lo: [0.2, 0.3, 0.4],
      boundary_hi: [0.4, 0.5, null],
      near_rate: [null, null, null],
      probes: [2, 2, 1],
      runs: [10, 10, 5],
    });
    const probes = table({ cell: ['a', 'a', 'b', 'b', 'c'], writer_rate: [0.2, 0.4, 0.3, 0.5, 0.4], k: [1, 60, 1, 60, 1], n: [100, 100, 100, 100, 100], dir: ['a/1', 'a/2', 'b/1', 'b/2', 'c/1'] });
    const doc = readiness({ root: 'r', sweeps: [], chaos: [], hazards: [], crashes: [], boundaries: [{ kind: 'boundary', name: 'b', dir: 'b', rows, probes }], skipped: [] });
    const item = doc.summary.find((i) => i.topic === 'boundary')!;
    expect(item.text).toBe('writers=2: safe up to 0.2–0.3, over from 0.4–0.5 txn/s each (2 cells); writers=4: safe up to 0.4, over from none decided txn/s each (1 cell).');
    expect(item.links).toEqual([{ label: 'b/boundary.csv', file: 'b/boundary.csv' }]);
  });
});

describe('readiness on the fixtures', () => {
  it('classifies every envelope configuration by its own Wilson interval against the threshold', async () => {
    const results = await fixtures();
    const doc = readiness(results, { threshold: 0.1 });
    const tiny = doc.envelope.sweeps.find((s) => s.name !== 'baseline' && s.axes.includes('writer_rate'));
    expect(tiny).toBeDefined();
    const sweep = results.sweeps.find((s) => s.dir === tiny!.dir)!;
    expect(tiny!.configs).toHaveLength(sweep.configs.length);
    for (const c of tiny!.configs) {
      const row = sweep.configs.find((x) => x.id === c.id)!.row;
      const expected = wilson((row.write_txns as number) - (row.commits as number), row.write_txns as number);
      expect(c.failure).toEqual(expected);
      expect(c.verdict).toBe(expected.hi! < 0.1 ? 'safe' : expected.value! < 0.1 ? 'maybe' : 'over');
      expect(c.evidence.runs.length).toBeGreaterThan(0);
      for (const r of c.evidence.runs) expect(r.file).toMatch(new RegExp(`^${tiny!.dir}/${c.id}/r\\d{3}/run\\.json$`));
    }
    expect(tiny!.counts.safe + tiny!.counts.maybe + tiny!.counts.over).toBe(tiny!.configs.length);
    // A tighter budget can only move configurations out of "safe".
    const strict = readiness(results, { threshold: 0.01 }).envelope.sweeps.find((s) => s.dir === tiny!.dir)!;
    expect(strict.counts.safe).toBeLessThanOrEqual(tiny!.counts.safe);
    // Per cell, maxSafe is safe and every lower tested rate is too.
    for (const cell of tiny!.cells) {
      if (cell.maxSafe === null) continue;
      const rate = cell.maxSafe.setting.writer_rate as number;
      for (const c of cell.configs) if ((c.setting.writer_rate as number) <= rate) expect(c.verdict).toBe('safe');
    }
  });

  it('reports every hazard with k/n seeds, a Wilson interval recomputed from counts, the replay command and a mitigation', async () => {
    const results = await fixtures();
    const doc = readiness(results);
    const csv = rowsOf(results.hazards[0]!.rows);
    expect(doc.hazards.hazards).toHaveLength(csv.length);
    const h = doc.hazards.hazards.find((x) => x.hazard === 'two-compactors')!;
    const row = csv.find((r) => r.hazard === 'two-compactors')!;
    expect(h.reproduced).toEqual(wilson(row.reproduced as number, row.runs as number));
    expect(h.replay).toBe(`manifest-lab chaos --scenarios two-compactors --replay-seed ${row.replay_seed}`);
    expect(h.mitigation).toBe(MITIGATIONS['two-compactors']);
    expect(h.findings.find((f) => f.column === 'lost_commits')?.value).toBe(row.lost_commits);
    expect(h.firstRun).toBe(`hazards/two-compactors/${row.run}/run.json`);
    expect(h.evidence.some((e) => e.kind === 'config' && e.runs.length === (row.runs as number))).toBe(true);
    // A compactor hazard shows up under compaction too.
    expect(doc.compaction.hazards.map((x) => x.hazard)).toContain('two-compactors');
    expect(doc.hazards.crashes).toHaveLength(results.crashes.length);
  });

  it('counts verified runs and anomalies per group, hazard reproductions apart from workload runs', async () => {
    const results = await fixtures();
    const doc = readiness(results);
    const workload = doc.isolation.find((g) => g.group === 'workload')!;
    const runs = results.sweeps.reduce((a, s) => a + s.configs.reduce((b, c) => b + c.runs.length, 0), 0);
    expect(workload.runs).toBe(runs);
    expect(workload.anomalous.n).toBe(workload.verified);
    expect(doc.isolation.map((g) => g.group)).toEqual(expect.arrayContaining(['workload', 'chaos', 'hazards']));
    const hazards = doc.isolation.find((g) => g.group === 'hazards')!;
    expect(hazards.anomalous.k).toBeGreaterThan(0);
    expect(Object.keys(hazards.types).length).toBeGreaterThan(0);
  });

  it('says what is missing and which command produces it', async () => {
    const doc = readiness(await fixtures());
    const sections = doc.missing.map((m) => m.section);
    expect(sections).toContain('retry');
    expect(sections).toContain('boundary');
    expect(doc.missing.find((m) => m.section === 'retry')?.command).toBe('manifest-lab sweep --config sweeps/retry.json');
    expect(doc.usable).toBe(true);
    const empty: ResultSets = { root: 'x', sweeps: [], chaos: [], hazards: [], crashes: [], boundaries: [], skipped: [] };
    const none = readiness(empty);
    expect(none.usable).toBe(false);
    expect(none.missing.map((m) => m.section)).toEqual(expect.arrayContaining(['envelope', 'retry', 'hazards', 'isolation']));
  });

  it('refuses a threshold outside (0, 1)', async () => {
    const results = await fixtures();
    expect(() => readiness(results, { threshold: 1.5 })).toThrow(/threshold/);
  });
});

describe('retry settings', () => {
  it('marks the best by its conservative end and those whose intervals overlap it as indistinguishable', () => {
    const sweep = retryFixture([
      { retries: 0, txns: 400, commits: 220, tps: [0.4, 0.38, 0.42], p99: [8000, 7000, 9000] },
      { retries: 5, txns: 400, commits: 380, tps: [0.52, 0.5, 0.54], p99: [90000, 80000, 95000] },
      { retries: 10, txns: 400, commits: 388, tps: [0.5, 0.47, 0.53], p99: [110000, 100000, 115000] },
    ]);
    const r = retrySweep(sweep);
    const success = r.metrics.find((m) => m.id === 'success')!;
    expect(success.scores[0]!.id).toBe('c2');
    expect(success.scores.find((s) => s.id === 'c1')!.standing).toBe('tied'); // 95 % vs 97 %: intervals overlap
    expect(success.scores.find((s) => s.id === 'c0')!.standing).toBe('worse');
    const p99 = r.metrics.find((m) => m.id === 'p99')!;
    expect(p99.scores[0]!.id).toBe('c0');
    // Success decides first; within the tied group, c1 beats c2 on p99 (intervals apart).
    expect(r.candidates.map((s) => s.id).sort()).toEqual(['c1', 'c2']);
    expect(r.recommended.map((s) => s.id)).toEqual(['c1']);
    // requests_per_commit comes per replica from runs.csv, with an interval; the other column is absent.
    const rpc = r.metrics.find((m) => m.id === 'requests_per_commit')!;
    expect(rpc.scores.find((s) => s.id === 'c0')!.estimate).toMatchObject({ value: 11, n: 3 });
    expect(rpc.scores[0]!.estimate.lo).not.toBeNull();
    expect(r.absent.map((a) => a.metric)).toEqual(['wasted_requests_per_commit']);
  });

  it('uses wasted_requests_per_commit when the results have it, and calls values without interval unknown', () => {
    const sweep = retryFixture([
      { retries: 0, txns: 100, commits: 90, tps: [1, 0.9, 1.1], p99: [10, 9, 11] },
      { retries: 3, txns: 100, commits: 95, tps: [1, 0.9, 1.1], p99: [10, 9, 11] },
    ]);
    const rows = sweep.rows.derive({ wasted_requests_per_commit: (d: { max_retry_count: number }) => d.max_retry_count * 2 });
    const r = retrySweep({ ...sweep, rows, configs: sweep.configs.map((c) => ({ ...c, row: { ...c.row, wasted_requests_per_commit: (c.row.max_retry_count as number) * 2 } })) });
    const wasted = r.metrics.find((m) => m.id === 'wasted_requests_per_commit')!;
    expect(wasted.scores.map((s) => [s.id, s.standing])).toEqual([
      ['c0', 'best'],
      ['c1', 'unknown'],
    ]);
    expect(r.absent).toEqual([]);
  });

  it('judges each metric against the candidates\' best on its own and recommends the intersection', () => {
    // All tied on success. Throughput keeps c0 and c1; p99 keeps only c2 (c0 and c1 are far
    // slower). Narrowing metric by metric would re-rank p99 inside {c0, c1} and keep both.
    const sweep = retryFixture([
      { retries: 1, txns: 400, commits: 396, tps: [1, 0.95, 1.05], p99: [100, 90, 110] },
      { retries: 2, txns: 400, commits: 396, tps: [1, 0.95, 1.05], p99: [100, 90, 110] },
      { retries: 3, txns: 400, commits: 396, tps: [0.5, 0.45, 0.55], p99: [10, 9, 11] },
    ]);
    const r = retrySweep(sweep);
    expect(r.candidates.map((s) => s.id).sort()).toEqual(['c0', 'c1', 'c2']);
    expect(r.recommended).toEqual([]);
    const md = renderReadinessMarkdown({ ...readiness({ root: 'r', sweeps: [], chaos: [], hazards: [], crashes: [], boundaries: [], skipped: [] }), retry: [r] }, { resultsHref: '' });
    expect(md).toContain('- None of those is best or indistinguishable from their best on every other metric');
  });

  it('gives replica means a Student-t interval on n - 1 df', () => {
    expect(replicaMean([10, 12])).toMatchObject({ value: 11, lo: 0, n: 2 });
    expect(replicaMean([10, 12]).hi).toBeCloseTo(11 + 12.7062047, 6);
    const three = replicaMean([10, 11, 12]);
    expect(three.lo).toBeCloseTo(11 - 4.3026527 / Math.sqrt(3), 6);
    expect(three.hi).toBeCloseTo(11 + tQuantile975(2) / Math.sqrt(3), 12);
    expect(replicaMean([5])).toEqual({ value: 5, lo: null, hi: null, n: 1 });
  });

  it('ranks no-data settings last', () => {
    const ranked = rank(
      [
        { id: 'a', setting: {}, estimate: { value: null, lo: null, hi: null, n: 0 }, evidence: { kind: 'config', label: 'a', file: 'a', runs: [] } },
        { id: 'b', setting: {}, estimate: { value: 1, lo: 0.5, hi: 1.5, n: 2 }, evidence: { kind: 'config', label: 'b', file: 'b', runs: [] } },
      ],
      'higher',
    );
    expect(ranked.map((s) => [s.id, s.standing])).toEqual([
      ['b', 'best'],
      ['a', 'unknown'],
    ]);
  });
});

describe('the Markdown document', () => {
  it('puts a link on every claim line, and every rate with its k/n', async () => {
    const doc = readiness(await fixtures());
    const md = renderReadinessMarkdown(doc, { resultsHref: '../lab' });
    const body = md.slice(0, md.indexOf('## 7. What is missing'));
    const claims = body.split('\n').filter((l) => (l.startsWith('|') && !/^\|( --- \|)+$/.test(l) && !l.startsWith('| hazard |')) || l.startsWith('- '));
    // Header rows are the first row of each table: drop them by position.
    const lines = body.split('\n');
    const headers = new Set(lines.filter((l, i) => l.startsWith('|') && !lines[i - 1]?.startsWith('|')));
    const checked = claims.filter((l) => !headers.has(l));
    expect(checked.length).toBeGreaterThan(10);
    for (const l of checked) expect(l, l).toMatch(/\]\(\.\.\/lab\/[^)]+\)/);
    // Never a bare rate: every percentage in a claim is followed by an interval or a k/n.
    for (const l of checked) for (const m of l.matchAll(/\d+\.\d+ % \[/g)) expect(l.slice(m.index)).toMatch(/^[^|]*\(\d+\/\d+\)/);
    expect(md).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/); // no wall-clock timestamp of its own
    expect(md).toContain('## 7. What is missing');
    expect(md).toContain('`manifest-lab sweep --config sweeps/retry.json`');
  });

  it('is the same for the same results (no clock, stable order)', async () => {
    const results = await fixtures();
    expect(renderReadinessMarkdown(readiness(results), { resultsHref: '.' })).toBe(renderReadinessMarkdown(readiness(results), { resultsHref: '.' }));
  });
});

describe('boundary cells', () => {
  // One cell as `manifest-lab boundary` writes it: decided ends, an undecided probe between them,
  // intervals widened for the probe's looks (wider than the nominal Wilson of the same k/n).
  const rows = table({
    cell: ['c00-w3'],
    num_writers: [3],
    metric: ['txn'],
    threshold: [0.1],
    status: ['undecided'],
    boundary_lo: [0.2],
    boundary_hi: [0.4],
    near_rate: [0.2828],
    probes: [3],
    runs: [56],
  });
  const probes = table({
    cell: ['c00-w3', 'c00-w3', 'c00-w3'],
    writer_rate: [0.2, 0.4, 0.2828],
    verdict: ['below', 'above', 'undecided'],
    value: [0.053, 0.147, 0.105],
    ci_lo: [0.03, 0.11, 0.086],
    ci_hi: [0.091, 0.194, 0.128],
    k: [28, 72, 157],
    n: [529, 489, 1497],
    achieved: [0.99, 0.97, 0.62],
    dir: ['c00-w3/rate-0.2', 'c00-w3/rate-0.4', 'c00-w3/rate-0.2828'],
  });
  const results: ResultSets = {
    root: 'r',
    sweeps: [],
    chaos: [],
    hazards: [],
    crashes: [],
    boundaries: [{ kind: 'boundary', name: 'b', dir: 'b', rows, probes }],
    skipped: [],
  };

  it('keeps the look-corrected intervals, the near probe and saturation from the boundary files', () => {
    const [cell] = readiness(results).envelope.boundaries;
    expect(cell?.below?.failure).toMatchObject({ k: 28, n: 529, lo: 0.03, hi: 0.091 });
    expect(cell?.below?.failure.hi).toBeGreaterThan(wilson(28, 529).hi ?? 1);
    expect(cell?.near?.rate).toBe(0.2828);
    expect(cell?.near?.achieved).toBe(0.62);
    expect(cell?.above?.rate).toBe(0.4);
    const md = renderReadinessMarkdown(readiness(results), { resultsHref: '' });
    const line = md.split('\n').find((l) => l.startsWith('| c00-w3 '));
    expect(line).toContain('0.2828: 10.5 % [8.6–12.8 %] (157/1497) (62.0 % achieved)');
    expect(line).not.toMatch(/0\.4: [^|]*achieved/);
    expect(line).toContain('[boundary.csv](b/boundary.csv)');
  });
});
