import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rowsOf } from './csv.js';
import { ReportInputError } from './errors.js';
import { FIXTURES, fixtures, scratchCopy, sweepNamed } from './fixtures.test-helper.js';
import { loadResults } from './load.js';
import { wilson } from './stats.js';

const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function copy(sub: string): Promise<string> {
  const d = await scratchCopy(sub);
  scratch.push(d);
  return d;
}

describe('loadResults on the fixtures', () => {
  it('finds every kind of result set, nested ones too', async () => {
    const r = await fixtures();
    expect(r.sweeps.map((s) => s.dir)).toEqual(['baseline', 'tiny']);
    expect(r.chaos.map((c) => [c.dir, c.name, c.scenarios.map((s) => s.name)])).toEqual([['nested/chaos', 'chaos', ['baseline', 'latency-200', 'blocking']]]);
    expect(r.hazards.map((h) => [h.dir, h.hazards.map((x) => x.name)])).toEqual([['hazards', ['two-compactors']]]);
    expect(r.crashes.map((c) => [c.dir, c.report.schema])).toEqual([['crash', 'manifest-lab/crash@1']]);
    expect(r.skipped).toEqual([]);
  });

  it("finds a sweep's own hazard runs below it (<sweep>/hazards/<profile>/), and nothing else below a sweep", async () => {
    const root = await copy('tiny');
    await cp(join(FIXTURES, 'hazards'), join(root, 'tiny', 'hazards', 'strict'), { recursive: true });
    await cp(join(FIXTURES, 'hazards'), join(root, 'tiny', 'other', 'strict'), { recursive: true });
    const r = await loadResults(root);
    expect(r.sweeps.map((s) => s.dir)).toEqual(['tiny']);
    expect(r.hazards.map((h) => h.dir)).toEqual(['tiny/hazards/strict']);
  });

  it('counts configs and runs and finds the varying axes', async () => {
    const tiny = await sweepNamed('tiny');
    expect(tiny.configs).toHaveLength(8);
    expect(tiny.rows.numRows()).toBe(8);
    expect(tiny.runs.numRows()).toBe(8);
    expect(tiny.configs.flatMap((c) => c.runs)).toHaveLength(8);
    expect(tiny.axes).toEqual(['num_writers', 'writer_rate', 'key_overlap_ratio']);
    const base = await sweepNamed('baseline');
    expect(base.axes).toEqual([]);
    expect(base.configs[0]!.runs.map((r) => r.id)).toEqual(['r000', 'r001']);
    const chaos = (await fixtures()).chaos[0]!;
    expect(chaos.scenarios.every((s) => s.sweep.configs.length === 1)).toBe(true);
    expect((await fixtures()).hazards[0]!.hazards[0]!.sweep.configs[0]!.runs).toHaveLength(2);
  });

  it('gives paths relative to the root, / separated', async () => {
    const run = (await sweepNamed('tiny')).configs[0]!.runs[0]!;
    expect(run.dir).toMatch(/^tiny\/000-[0-9a-f]{8}\/r000$/);
    expect(run.files).toEqual({ run: `${run.dir}/run.json`, history: `${run.dir}/history.jsonl`, verify: `${run.dir}/verify.json` });
    const text = await readFile(join(FIXTURES, ...run.files.run.split('/')), 'utf8');
    expect(JSON.parse(text).id).toBe(run.run.id);
  });

  it('parses numbers and reads empty cells as null', async () => {
    const tiny = await sweepNamed('tiny');
    const row = tiny.configs[0]!.row;
    expect(typeof row.write_txns).toBe('number');
    expect(row.config_id).toBe(tiny.configs[0]!.id);
    // One replica: no bootstrap interval, so the runner left these empty.
    expect(row.write_tps_lo).toBeNull();
    expect(row.write_tps_hi).toBeNull();
    expect(tiny.rows.array('anomaly_types')).toEqual(Array(8).fill(null));
    expect(tiny.rows.array('isolation_valid')).toEqual(Array(8).fill('true'));
    expect(typeof rowsOf(tiny.runs)[0]!.write_tps).toBe('number');
  });

  it('its counts agree with the intervals the runner wrote', async () => {
    for (const c of (await sweepNamed('tiny')).configs) {
      const w = wilson(Number(c.row.write_txns) - Number(c.row.commits), Number(c.row.write_txns));
      expect(w.lo).toBeCloseTo(Number(c.row.txn_failure_rate_lo), 5);
      expect(w.hi).toBeCloseTo(Number(c.row.txn_failure_rate_hi), 5);
    }
  });
});

describe('loadResults on bad input', () => {
  it('refuses a missing directory', async () => {
    await expect(loadResults(join(FIXTURES, 'no-such-dir'))).rejects.toThrow(/is not a directory\. Pass the directory/);
  });

  it('names a run.json that is not JSON', async () => {
    const root = await copy('baseline');
    const run = (await sweepNamed('baseline')).configs[0]!.runs[1]!;
    await writeFile(join(root, ...run.files.run.split('/')), '{"schema": ');
    const err = await loadResults(root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportInputError);
    expect((err as ReportInputError).file).toBe(run.files.run);
    expect((err as Error).message).toMatch(/is not valid JSON.*Rerun the manifest-lab command/);
  });

  it('names a run.json of another schema', async () => {
    const root = await copy('baseline');
    const run = (await sweepNamed('baseline')).configs[0]!.runs[0]!;
    await writeFile(join(root, ...run.files.run.split('/')), JSON.stringify({ schema: 'manifest-lab/run@1', metrics: {}, config: {} }));
    await expect(loadResults(root)).rejects.toThrow(/has schema "manifest-lab\/run@1", but this report reads manifest-lab\/run@2/);
  });

  it('names a missing summary.json and a truncated results.csv', async () => {
    const root = await copy('baseline');
    const config = (await sweepNamed('baseline')).configs[0]!;
    await rm(join(root, config.dir, 'summary.json'));
    await expect(loadResults(root)).rejects.toThrow(`${config.dir}/summary.json: is missing`);
    const root2 = await copy('baseline');
    const csv = await readFile(join(root2, 'baseline', 'results.csv'), 'utf8');
    await writeFile(join(root2, 'baseline', 'results.csv'), csv.slice(0, csv.length - 40));
    await expect(loadResults(root2)).rejects.toThrow(/baseline\/results\.csv: line 2 has \d+ fields/);
  });

  it('names a chaos.csv whose scenario directory is missing', async () => {
    const root = await copy('nested');
    await rm(join(root, 'nested', 'chaos', 'blocking'), { recursive: true });
    await expect(loadResults(root)).rejects.toThrow(/nested\/chaos\/chaos\.csv: lists scenario blocking, but nested\/chaos\/blocking\/ holds no finished sweep/);
  });

  it('skips an unfinished sweep and says why', async () => {
    const root = await copy('baseline');
    await rm(join(root, 'baseline', 'results.csv'));
    const r = await loadResults(root);
    expect(r.sweeps).toEqual([]);
    expect(r.skipped).toEqual([{ dir: 'baseline', reason: expect.stringMatching(/unfinished sweep/) }]);
  });
});
