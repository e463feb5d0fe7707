/** End-to-end: the built `manifest-lab` binary, as a user runs it. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user error: non-zero, one paragraph on stderr, no stack trace. */
function expectUserError(r: ReturnType<typeof cli>, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const tinySweep = {
  name: 'tiny',
  seed: 3,
  fixed: { duration_s: 10, warmup_s: 2, num_readers: 2 },
  axes: { num_writers: [2, 3], key_overlap_ratio: [0.1, 0.9] },
};

describe('manifest-lab CLI', () => {
  it('baseline runs in virtual time and writes run.json, history.jsonl and results.csv', () => {
    const r = cli('baseline', '--duration-s', '20', '--num-readers', '3', '--seed', '9', '--out', 'b1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/baseline: 2 writers, 3 readers, 20 s virtual time, seed 9/);
    expect(r.stdout).toMatch(/precondition failures/);
    const doc = JSON.parse(readFileSync(join(work, 'b1', 'run.json'), 'utf8'));
    expect(doc.config).toMatchObject({ num_writers: 2, num_readers: 3, duration_s: 20, seed: 9 });
    expect(doc.isolation).toMatchObject({ model: 'strict-serializable', valid: true, anomaly_types: [] });
    expect(r.stdout).toMatch(/isolation \(strict-serializable\): valid/);
    expect(doc.history.events).toBe(readFileSync(join(work, 'b1', 'history.jsonl'), 'utf8').trim().split('\n').length);
    expect(readFileSync(join(work, 'b1', 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
    // Same seed, same bytes.
    expect(cli('baseline', '--duration-s', '20', '--num-readers', '3', '--seed', '9', '--out', 'b2').code).toBe(0);
    for (const f of ['run.json', 'history.jsonl']) {
      expect(readFileSync(join(work, 'b2', f), 'utf8')).toBe(readFileSync(join(work, 'b1', f), 'utf8'));
    }
  });

  it('baseline --dump-store writes the store, and verify replays it white-box', () => {
    const r = cli('baseline', '--duration-s', '20', '--num-readers', '2', '--dump-store', '--out', 'wb');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/white-box: stored objects agree with the history/);
    const v = cli('verify', '--history', join(work, 'wb', 'history.jsonl'), '--store-dump', join(work, 'wb', 'store.jsonl'));
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/white-box replay of .*store\.jsonl: storage agrees with the history \(\d+ published segments, 0 orphans, 0 failed commits visible\)/);
    const wrongPrefix = cli('verify', '--history', join(work, 'wb', 'history.jsonl'), '--store-dump', join(work, 'wb', 'store.jsonl'), '--prefix', 'nope', '--out', join(work, 'x.json'));
    expect(wrongPrefix.code).toBe(1);
    expect(wrongPrefix.stdout).toMatch(/white-box .*INVALID: lost-commit/);
  });

  it('rejects bad option values with one paragraph naming the flag, and writes nothing', () => {
    expectUserError(cli('baseline', '--num-writers', '-1', '--out', 'bad1'), /Invalid options: --num-writers: Too small.*--help/);
    expect(existsSync(join(work, 'bad1'))).toBe(false);
    expectUserError(cli('baseline', '--latency-profile', 'fast', '--out', 'bad2'), /Invalid values:.*latency-profile.*Choices/s);
    expectUserError(cli('baseline', '--no-such-flag', '1'), /Unknown arguments: such-flag/);
    expectUserError(cli('frobnicate'), /Unknown argument: frobnicate/);
    expectUserError(cli(), /Name a command/);
  });

  it('rejects a missing or malformed sweep file before running anything', () => {
    expectUserError(cli('sweep', '--config', 'nope.json'), /Cannot read sweep file nope\.json: ENOENT/);
    writeFileSync(join(work, 'bad.json'), JSON.stringify({ name: 'bad', axes: { num_writers: [2, -1] } }));
    expectUserError(cli('sweep', '--config', 'bad.json', '--out', 'badsweep'), /config #1 .* `num_writers`: Too small/);
    expect(existsSync(join(work, 'badsweep'))).toBe(false);
  });

  it('sweeps in parallel, prints the best/worst table, and resumes without rerunning', () => {
    writeFileSync(join(work, 'tiny.json'), JSON.stringify(tinySweep));
    const first = cli('sweep', '--config', 'tiny.json', '--out', 'tiny', '--concurrency', '2');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sweep tiny: 4 configs \(4 run, 0 already done\)/);
    expect(first.stdout).toMatch(/Best 4 by precondition-failure rate/);
    expect(first.stdout).toMatch(/isolation \(strict-serializable\): 4 of 4 runs valid/);
    expect(first.stdout).toMatch(/Worst 4 by precondition-failure rate/);
    expect(first.stderr).toMatch(/tiny: 4\/4 configs \(100%\)/); // plain progress lines off a TTY
    const csv = readFileSync(join(work, 'tiny', 'results.csv'), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(5);
    const runs = readdirSync(join(work, 'tiny')).filter((d) => /^\d{3}-/.test(d));
    expect(runs).toHaveLength(4);

    // Resume: nothing to do; then lose one run and only that one reruns, to the same bytes.
    const again = cli('sweep', '--config', 'tiny.json', '--out', 'tiny');
    expect(again.stdout).toMatch(/4 configs \(0 run, 4 already done\)/);
    rmSync(join(work, 'tiny', runs[2] as string), { recursive: true });
    const third = cli('sweep', '--config', 'tiny.json', '--out', 'tiny');
    expect(third.stdout).toMatch(/4 configs \(1 run, 3 already done\)/);
    expect(readFileSync(join(work, 'tiny', 'results.csv'), 'utf8')).toBe(csv);
  });

  it('verify: exit 0 on a valid history, 1 with anomalies, 2 on bad input, and writes verify.json', () => {
    const cases = new URL('../../../../shared/reference/elle-cases/', import.meta.url).pathname;
    const ok = cli('verify', '--history', join(work, 'b1', 'history.jsonl'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid: no anomalies/);
    expect(JSON.parse(readFileSync(join(work, 'b1', 'verify.json'), 'utf8')).blackBox.valid).toBe(true);
    const bad = cli('verify', '--history', join(cases, 'la-g1b.jsonl'), '--out', join(work, 'g1b.json'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/INVALID: G-single-item, G1b/);
    expect(bad.stdout).toMatch(/- G1b \(1\): Intermediate read/);
    expect(JSON.parse(readFileSync(join(work, 'g1b.json'), 'utf8')).blackBox.anomalyTypes).toEqual(['G-single-item', 'G1b']);
    const unknown = cli('verify', '--history', join(cases, 'rw-internal.jsonl'), '--workload', 'rw-register', '--model', 'read-committed', '--out', join(work, 'u.json'));
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toMatch(/UNKNOWN: empty-transaction-graph/);
    writeFileSync(join(work, 'broken.jsonl'), '{"index":0,"process":0,"type":"invoke","f":"txn","value":[]}\n{"index":1,"process":0,"type":"nope","value":[]}\n');
    expectUserError(cli('verify', '--history', 'broken.jsonl'), /not a valid list-append history: line 2: `type` must be one of invoke, ok, fail, info/);
    expectUserError(cli('verify', '--history', 'missing.jsonl'), /Cannot read history missing\.jsonl: ENOENT/);
    expectUserError(cli('verify', '--history', 'broken.jsonl', '--model', 'linearish'), /Unknown consistency model "linearish"/);
  });

  it('refuses --out with several sweep files, and a bad --concurrency', () => {
    expectUserError(cli('sweep', '--config', 'a.json', '--config', 'b.json', '--out', 'x'), /--out names one output directory/);
    expectUserError(cli('sweep', '--config', 'tiny.json', '--concurrency', '0'), /--concurrency must be a whole number/);
  });
});
