import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandSweep, parseSweepDefinition, readSweepFile } from './sweep-file.js';
import { UserError } from './user-error.js';

const def = (axes: Record<string, unknown[]>, fixed: Record<string, unknown> = {}) =>
  parseSweepDefinition({ name: 't', seed: 5, fixed, axes }, 'test.json');

describe('sweep files', () => {
  it('expand to the cartesian product, first axis slowest', () => {
    const points = expandSweep(def({ num_writers: [2, 3], writer_rate: [0.1, 0.2, 0.3] }, { duration_s: 10, warmup_s: 1 }));
    expect(points).toHaveLength(6);
    expect(points.map((p) => [p.config.num_writers, p.config.writer_rate])).toEqual([
      [2, 0.1], [2, 0.2], [2, 0.3], [3, 0.1], [3, 0.2], [3, 0.3],
    ]);
    expect(points.every((p) => p.config.duration_s === 10)).toBe(true);
    expect(new Set(points.map((p) => p.config.seed)).size).toBe(6);
    expect(points[0]?.id).toMatch(/^000-[0-9a-f]{8}$/);
  });

  it('derive each seed from the sweep seed and the axis values, so adding a value leaves the others alone', () => {
    const a = expandSweep(def({ writer_rate: [0.1, 0.2] }));
    const b = expandSweep(def({ writer_rate: [0.1, 0.15, 0.2] }));
    expect(b[0]?.config.seed).toBe(a[0]?.config.seed);
    expect(b[2]?.config.seed).toBe(a[1]?.config.seed);
    expect(b[2]?.id.slice(4)).toBe(a[1]?.id.slice(4)); // same config, same hash
    const other = expandSweep(parseSweepDefinition({ name: 't', seed: 6, axes: { writer_rate: [0.1] } }, 'x'));
    expect(other[0]?.config.seed).not.toBe(a[0]?.config.seed);
  });

  it('uses explicit seeds when seed is an axis (replications)', () => {
    expect(expandSweep(def({ seed: [1, 2, 3] })).map((p) => p.config.seed)).toEqual([1, 2, 3]);
  });

  it('no axes: one config', () => {
    expect(expandSweep(def({}))).toHaveLength(1);
  });

  it('reject malformed definitions with a message naming the problem and the fix', () => {
    const bad = (json: unknown) => () => parseSweepDefinition(json, 'bad.json');
    expect(bad({ name: 'x', axes: { num_writers: 3 } })).toThrow(/`axes.num_writers`: .*array.*A sweep file is/);
    expect(bad({ name: 'has space' })).toThrow(/`name`: use letters/);
    expect(bad({ name: 'x', axes: { writers: [1] } })).toThrow(/unknown config field `writers`.*Known fields: num_writers/);
    expect(bad({ name: 'x', fixed: { seed: 1 }, axes: { seed: [2] } })).toThrow(/both in "fixed" and in "axes"/);
    expect(bad({ name: 'x', extra: 1 })).toThrow(UserError);
    expect(bad({ name: 'x', hazards: { seeds: 0 } })).toThrow(/`hazards.seeds`/);
    expect(bad({ name: 'x', hazards: { seeds: 2, scenarios: ['no-such-hazard'] } })).toThrow(/`hazards.scenarios.0`.*lost-head-cas/);
    expect(parseSweepDefinition({ name: 'x', hazards: { seeds: 2, scenarios: ['lost-head-cas'] } }, 'ok.json').hazards).toEqual({
      seeds: 2,
      scenarios: ['lost-head-cas'],
    });
    expect(() => expandSweep(def({ key_overlap_ratio: [0.5, 2] }))).toThrow(/config #1 \{"key_overlap_ratio":2\} of sweep t.*`key_overlap_ratio`: Too big/);
  });

  it('report unreadable and invalid JSON files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ml-sweep-'));
    await expect(readSweepFile(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read sweep file .*missing\.json: ENOENT/);
    await writeFile(join(dir, 'broken.json'), '{"name": "x",');
    await expect(readSweepFile(join(dir, 'broken.json'))).rejects.toThrow(/is not valid JSON/);
  });

  it('the shipped sweeps parse: baseline is one config, comprehensive the 96-config reference grid', async () => {
    const root = new URL('../../../sweeps/', import.meta.url).pathname;
    const baseline = expandSweep(await readSweepFile(join(root, 'baseline.json')));
    expect(baseline).toHaveLength(1);
    expect(baseline[0]?.config).toMatchObject({ num_writers: 2, num_readers: 10, duration_s: 120, key_overlap_ratio: 0.2 });
    const grid = expandSweep(await readSweepFile(join(root, 'comprehensive.json')));
    expect(grid).toHaveLength(96);
    expect(new Set(grid.map((p) => p.config.num_writers))).toEqual(new Set([2, 3, 4]));
    expect(new Set(grid.map((p) => p.config.writer_rate))).toEqual(new Set([0.05, 0.1, 0.15, 0.2]));
    expect(new Set(grid.map((p) => p.config.key_overlap_ratio))).toEqual(new Set([0.1, 0.2, 0.3, 0.4]));
    expect(new Set(grid.map((p) => p.config.reader_rate))).toEqual(new Set([5, 6]));
    expect(grid.every((p) => p.config.num_readers === 4 && p.config.duration_s === 60)).toBe(true);
  });
});
