import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveSeed } from '@manifest-lab/manifest-core';
import { parseWorkloadConfig, runWorkload } from '@manifest-lab/workload';
import { describe, expect, it } from 'vitest';
import { summariesCsv } from './csv.js';
import { verifyRun } from './isolation.js';
import { poolReplicas } from './pool.js';
import { type RunDocument, runDocument } from './run-output.js';
import { canonicalJson, expandSweep, parseSweepDefinition, readSweepFile } from './sweep-file.js';

const SWEEPS = new URL('../../../sweeps/', import.meta.url).pathname;
const RESEARCH = ['gc', 'lease-expiry', 'multi-region', 'memory-pressure', 'segment-size', 'orphan-recovery', 'reader-writer', 'head-cache'];

describe('sweeps/*.json', () => {
  it('every shipped sweep parses, expands to valid configs and says what it is for', async () => {
    const files = (await readdir(SWEEPS)).filter((f) => f.endsWith('.json')).sort();
    for (const name of RESEARCH) expect(files).toContain(`${name}.json`);
    for (const f of files) {
      const def = await readSweepFile(join(SWEEPS, f));
      expect(def.name).toBe(f.replace(/\.json$/, ''));
      const points = expandSweep(def);
      expect(points.length).toBeGreaterThan(0);
      const json = JSON.parse(await readFile(join(SWEEPS, f), 'utf8'));
      if (RESEARCH.includes(def.name)) {
        expect(typeof json.description).toBe('string');
        expect(json.description.length).toBeGreaterThan(80);
        expect(def.min_write_attempts).toBeGreaterThanOrEqual(200);
      }
    }
  });

  it('a knob at its default leaves seeds and directories as they were before the knob existed', () => {
    const fixed = { duration_s: 60, num_writers: 3 };
    const plain = expandSweep(parseSweepDefinition({ name: 't', seed: 9, fixed, axes: { writer_rate: [0.1, 0.2] } }, 't'));
    const spelled = expandSweep(
      parseSweepDefinition({ name: 't', seed: 9, fixed: { ...fixed, head_cache_ms: 0, compact_gc: 'none', orphan_recovery_every: 1, max_clock_skew_ms: 1000 }, axes: { writer_rate: [0.1, 0.2] } }, 't'),
    );
    expect(spelled.map((p) => [p.id, p.config.seed])).toEqual(plain.map((p) => [p.id, p.config.seed]));
    // …which is the seed derived from the config's fields of before (no research knobs in the key).
    const { seed: _s, compact_gc: _g, remote_writers: _r, remote_latency_ms: _l, orphan_recovery_every: _o, writer_crash_prob: _c, head_cache_ms: _h, max_clock_skew_ms: _m, ...old } =
      parseWorkloadConfig({ ...fixed, writer_rate: 0.1 });
    expect(plain[0]?.config.seed).toBe(deriveSeed(9, `${canonicalJson(old)}#0`));
    const cached = expandSweep(parseSweepDefinition({ name: 't', seed: 9, fixed: { ...fixed, head_cache_ms: 500 }, axes: { writer_rate: [0.1] } }, 't'));
    expect(cached[0]?.config.seed).not.toBe(plain[0]?.config.seed);
  });
});

describe('results.csv research columns', () => {
  it('carry wasted requests per commit and, with remote writers, each group’s CAS-failure rate with its interval', async () => {
    const config = parseWorkloadConfig({ duration_s: 30, warmup_s: 2, num_writers: 3, num_readers: 0, writer_rate: 0.5, remote_writers: 1, remote_latency_ms: 80 });
    const docs: RunDocument[] = [];
    for (const seed of [1, 2]) {
      const run = await runWorkload({ ...config, seed });
      docs.push(runDocument(run, { sweep: 's', id: `000-x/r00${seed - 1}`, backend: 'memory' }, (await verifyRun(run)).summary));
    }
    const [header, row] = summariesCsv([poolReplicas('s', '000-x', ['r000', 'r001'], docs)]).split('\n');
    const cells = Object.fromEntries((header as string).split(',').map((h, i) => [h, (row as string).split(',')[i]]));
    const sum = (f: (d: RunDocument) => number) => docs.reduce((a, d) => a + f(d), 0);
    const commits = sum((d) => d.metrics.write.counters.successes);
    expect(Number(cells.wasted_requests_per_commit)).toBeCloseTo(sum((d) => d.metrics.write.counters.wasted_requests) / commits, 5);
    expect(Number(cells.wasted_requests_per_commit)).toBeLessThan(Number(cells.requests_per_commit));
    const remote = sum((d) => d.metrics.groups?.remote.attempts ?? 0);
    expect(Number(cells.remote_write_attempts)).toBe(remote);
    expect(Number(cells.local_write_attempts) + remote).toBe(Number(cells.write_attempts));
    expect(Number(cells.remote_precondition_failure_rate)).toBeCloseTo(sum((d) => d.metrics.groups?.remote.precondition_failures ?? 0) / remote, 5);
    expect(Number(cells.remote_precondition_failure_rate_lo)).toBeLessThanOrEqual(Number(cells.remote_precondition_failure_rate));
    expect(Number(cells.local_precondition_failure_rate_hi)).toBeGreaterThanOrEqual(Number(cells.local_precondition_failure_rate));
  });

  it('leave the group columns empty without remote writers', async () => {
    const run = await runWorkload(parseWorkloadConfig({ duration_s: 10, warmup_s: 1, num_readers: 0 }));
    const doc = runDocument(run, { sweep: 's', id: '000-y/r000', backend: 'memory' }, (await verifyRun(run)).summary);
    const [header, row] = summariesCsv([poolReplicas('s', '000-y', ['r000'], [doc])]).split('\n');
    const cells = Object.fromEntries((header as string).split(',').map((h, i) => [h, (row as string).split(',')[i]]));
    expect(cells.remote_write_attempts).toBe('');
    expect(cells.local_precondition_failure_rate_lo).toBe('');
    expect(cells.wasted_requests_per_commit).not.toBe('');
  });
});
