/** End-to-end: the built `manifest-lab` binary, as a user runs it. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '@manifest-lab/manifest-core';
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
  it('baseline runs in virtual time, writes its run files, and one seed means one result', () => {
    const r = cli('baseline', '--duration-s', '20', '--num-readers', '3', '--seed', '9', '--out', 'b1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/baseline: 2 writers at 0\.1\/s, 3 readers at 5\/s, 20 s virtual time, seed 9/);
    expect(r.stdout).toMatch(/transaction failure rate \d+\.\d% \[95% CI \d+\.\d%–\d+\.\d%\] \(\d+ of \d+\); precondition failures/);
    expect(r.stdout).toMatch(/failures by class: /);
    const dir = runDir(join(work, 'b1'));
    const doc = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(doc.config).toMatchObject({ num_writers: 2, num_readers: 3, duration_s: 20 });
    expect(doc.isolation).toMatchObject({ model: 'strict-serializable', valid: true, anomaly_types: [] });
    expect(r.stdout).toMatch(/isolation \(strict-serializable\): valid \(1 of 1 runs valid\)/);
    expect(doc.history.events).toBe(readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').length);
    expect(readFileSync(join(work, 'b1', 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
    // Same seed, same bytes — from the baseline command or from a sweep file with that seed.
    expect(cli('baseline', '--duration-s', '20', '--num-readers', '3', '--seed', '9', '--out', 'b2').code).toBe(0);
    writeFileSync(join(work, 'same.json'), JSON.stringify({ name: 'baseline', seed: 9, fixed: { duration_s: 20, num_readers: 3 } }));
    expect(cli('sweep', '--config', 'same.json', '--out', 'b3', '--no-progress').code).toBe(0);
    for (const other of ['b2', 'b3']) {
      for (const f of ['run.json', 'history.jsonl']) {
        expect(readFileSync(join(runDir(join(work, other)), f), 'utf8'), `${other}/${f}`).toBe(readFileSync(join(dir, f), 'utf8'));
      }
      expect(readFileSync(join(work, other, 'results.csv'), 'utf8')).toBe(readFileSync(join(work, 'b1', 'results.csv'), 'utf8'));
    }
  });

  it('baseline --dump-store writes the store, and verify replays it white-box', () => {
    const r = cli('baseline', '--duration-s', '20', '--num-readers', '2', '--dump-store', '--out', 'wb');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/white-box: stored objects agree with the history/);
    const wb = runDir(join(work, 'wb'));
    const v = cli('verify', '--history', join(wb, 'history.jsonl'), '--store-dump', join(wb, 'store.jsonl'));
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/white-box replay of .*store\.jsonl: storage agrees with the history \(\d+ published segments, 0 orphans, 0 failed commits visible\)/);
    const wrongPrefix = cli('verify', '--history', join(wb, 'history.jsonl'), '--store-dump', join(wb, 'store.jsonl'), '--prefix', 'nope', '--out', join(work, 'x.json'));
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

  it('sweeps in parallel, prints every config and the best/worst table, and resumes without rerunning', () => {
    writeFileSync(join(work, 'tiny.json'), JSON.stringify(tinySweep));
    const first = cli('sweep', '--config', 'tiny.json', '--out', 'tiny', '--concurrency', '2');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sweep tiny: 4 configs, 4 runs \(4 run now, 0 already done\)/);
    expect(first.stdout).toMatch(/Best 4 by transaction failure rate \(lowest first\); \d of the 3 other configs are indistinguishable/);
    expect(first.stdout).toMatch(/isolation \(strict-serializable\): 4 of 4 runs valid, 4 of 4 configs/);
    expect(first.stdout).toMatch(/Worst 4 by transaction failure rate/);
    expect(first.stdout).toMatch(/Legend: txn_fail = /);
    expect(first.stdout).toMatch(/txn_fail \[95% CI\]/);
    expect(first.stderr).toMatch(/tiny: 4\/4 runs \(100%\)/); // plain progress lines off a TTY
    const csv = readFileSync(join(work, 'tiny', 'results.csv'), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(5);
    const configs = readdirSync(join(work, 'tiny')).filter((d) => /^\d{3}-/.test(d));
    expect(configs).toHaveLength(4);

    // Resume: nothing to do; then lose one run and only that one reruns, to the same bytes.
    const again = cli('sweep', '--config', 'tiny.json', '--out', 'tiny');
    expect(again.stdout).toMatch(/4 configs, 4 runs \(0 run now, 4 already done\)/);
    rmSync(join(work, 'tiny', configs[2] as string), { recursive: true });
    const third = cli('sweep', '--config', 'tiny.json', '--out', 'tiny');
    expect(third.stdout).toMatch(/4 configs, 4 runs \(1 run now, 3 already done\)/);
    expect(readFileSync(join(work, 'tiny', 'results.csv'), 'utf8')).toBe(csv);
  });

  it('chaos runs fault scenarios on the best config of a sweep and reports degradation against the baseline', () => {
    expect(existsSync(join(work, 'tiny', 'results.csv'))).toBe(true);
    const r = cli('chaos', '--from', 'tiny/results.csv', '--scenarios', 'latency-200,blocking', '--chaos-duration-s', '40', '--min-write-attempts', '0', '--out', 'ch');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/chaos: 3 scenarios × 40 s, in parallel, on \d writers .*\(best of tiny\/results\.csv\)/);
    const rows = readFileSync(join(work, 'ch', 'chaos.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const header = rows[0] as string[];
    const col = (row: string[], name: string) => row[header.indexOf(name)] as string;
    expect(rows.slice(1).map((row) => row[0])).toEqual(['baseline', 'latency-200', 'blocking']);
    const [base, slow] = rows.slice(1) as [string[], string[]];
    expect(col(base, 'write_tps_ratio')).toBe('1');
    expect(Number(col(slow, 'write_p50_ratio'))).toBeGreaterThan(1.5);
    for (const row of rows.slice(1)) expect(col(row, 'isolation_valid')).toBe('true');
    expect(r.stdout).toMatch(/Chaos scenarios/);
    expectUserError(cli('chaos', '--scenarios', 'meteor', '--out', 'ch2'), /Unknown scenario "meteor"; --scenarios takes a comma-separated list of: baseline, latency-100/);
    expect(existsSync(join(work, 'ch2'))).toBe(false);
  });

  it('adds replicas until each config has enough write attempts, and pools them with intervals', () => {
    writeFileSync(
      join(work, 'reps.json'),
      JSON.stringify({ name: 'reps', seed: 4, min_write_attempts: 30, fixed: { duration_s: 20, warmup_s: 2, num_readers: 1, writer_rate: 0.3 }, axes: { num_writers: [0, 1, 3] } }),
    );
    const r = cli('sweep', '--config', 'reps.json', '--out', 'reps', '--no-progress');
    expect(r.code).toBe(0);
    const rows = readFileSync(join(work, 'reps', 'results.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const header = rows[0] as string[];
    const col = (row: string[], name: string) => row[header.indexOf(name)] as string;
    // A config with no writers can never reach the goal: it stops at its first replica, and its
    // failure rates are empty, not 0.
    const none = rows[1] as string[];
    expect(col(none, 'num_writers')).toBe('0');
    expect(col(none, 'replicas')).toBe('1');
    expect(col(none, 'txn_failure_rate')).toBe('');
    for (const row of rows.slice(2)) {
      expect(Number(col(row, 'write_attempts'))).toBeGreaterThanOrEqual(30);
      const reps = Number(col(row, 'replicas'));
      const id = col(row, 'config_id');
      expect(readdirSync(join(work, 'reps', id)).filter((d) => /^r\d{3}$/.test(d))).toHaveLength(reps);
      const lo = Number(col(row, 'txn_failure_rate_lo'));
      const hi = Number(col(row, 'txn_failure_rate_hi'));
      expect(lo).toBeLessThanOrEqual(Number(col(row, 'txn_failure_rate')));
      expect(hi).toBeGreaterThanOrEqual(Number(col(row, 'txn_failure_rate')));
      // Replicas have distinct seeds.
      const summary = JSON.parse(readFileSync(join(work, 'reps', id, 'summary.json'), 'utf8'));
      expect(new Set(summary.seeds).size).toBe(reps);
      if (reps > 1) expect(col(row, 'write_tps_lo')).not.toBe('');
    }
    // One writer at 0.3/s offers ~5 attempts per 18 s run: several replicas.
    expect(Number(col(rows[2] as string[], 'replicas'))).toBeGreaterThan(3);
    expect(readFileSync(join(work, 'reps', 'runs.csv'), 'utf8').trim().split('\n').length).toBe(
      rows.slice(1).reduce((a, row) => a + Number(col(row, 'replicas')), 0) + 1,
    );
  });

  it('writes a Chrome trace with --trace', () => {
    const r = cli('baseline', '--duration-s', '10', '--num-readers', '1', '--out', 'tr', '--trace', 'tr/trace.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trace: tr\/trace\.json/);
    const trace = JSON.parse(readFileSync(join(work, 'tr', 'trace.json'), 'utf8'));
    const cats = new Set(trace.traceEvents.filter((e: { ph: string }) => e.ph === 'X').map((e: { cat: string }) => e.cat));
    expect([...cats].sort()).toEqual(['phase', 'request', 'txn']);
  });

  it('stops on Ctrl-C with a resume hint and exit 130, keeping finished runs', async () => {
    writeFileSync(join(work, 'long.json'), JSON.stringify({ name: 'long', seed: 1, replicas: 40, fixed: { duration_s: 120, num_readers: 10 } }));
    const child = spawn(process.execPath, [BIN, 'sweep', '--config', 'long.json', '--out', 'long', '--concurrency', '1'], { cwd: work });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    // Wait for the first finished run, then interrupt.
    const clock = new RealClock();
    while (!(existsSync(join(work, 'long')) && runDir(join(work, 'long')) !== '')) await clock.sleep(100);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: \d+ of 40 runs of sweep long are saved in long; rerun the same command to resume\./);
    expect(existsSync(join(work, 'long', 'results.csv'))).toBe(false);
  });

  /** The first run directory (one holding run.json) at or under `dir`, whatever the output layout. */
  function runDir(dir: string): string {
    if (existsSync(join(dir, 'run.json'))) return dir;
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!e.isDirectory()) continue;
      const found = runDir(join(dir, e.name));
      if (found !== '') return found;
    }
    return '';
  }

  /** Every file directly in `dir`, by name, with its content. */
  const filesIn = (dir: string) =>
    Object.fromEntries(
      readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => [e.name, readFileSync(join(dir, e.name), 'utf8')]),
    );

  it('verify: exit 0 on a valid history, 1 with anomalies, 2 on bad input; writes only with --out', () => {
    const cases = new URL('../../../packages/verify/test-fixtures/elle-cases/', import.meta.url).pathname;
    const ok = cli('verify', '--history', join(runDir(join(work, 'b1')), 'history.jsonl'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid: no anomalies/);
    expect(ok.stdout).toMatch(/details: not saved \(add --out FILE/);
    const bad = cli('verify', '--history', join(cases, 'la-g1b.jsonl'), '--out', join(work, 'g1b.json'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/INVALID: G-single-item, G1b/);
    expect(bad.stdout).toMatch(/- G1b \(1\): Intermediate read/);
    expect(bad.stdout).toMatch(/rules out: .*\(and the stronger .*strict-serializable/);
    expect(JSON.parse(readFileSync(join(work, 'g1b.json'), 'utf8')).blackBox.anomalyTypes).toEqual(['G-single-item', 'G1b']);
    const unknown = cli('verify', '--history', join(cases, 'rw-internal.jsonl'), '--workload', 'rw-register', '--model', 'read-committed', '--out', join(work, 'u.json'));
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toMatch(/UNKNOWN: empty-transaction-graph/);
    writeFileSync(join(work, 'broken.jsonl'), '{"index":0,"process":0,"type":"invoke","f":"txn","value":[]}\n{"index":1,"process":0,"type":"nope","value":[]}\n');
    expectUserError(cli('verify', '--history', 'broken.jsonl'), /not a valid list-append history: line 2: `type` must be one of invoke, ok, fail, info/);
    expectUserError(cli('verify', '--history', 'missing.jsonl'), /Cannot read history missing\.jsonl: ENOENT/);
    expectUserError(cli('verify', '--history', 'broken.jsonl', '--model', 'linearish'), /Invalid values:.*model.*"linearish".*Choices: "strict-serializable", .*"strong-snapshot-isolation"/);
    expectUserError(cli('verify', '--history', 'broken.jsonl', '--search-budget', '0'), /--search-budget must be a whole number of at least 1/);
  });

  it("verify never changes a run's files: prints by default, refuses --out onto them", () => {
    expect(cli('baseline', '--duration-s', '10', '--out', 'vr').code).toBe(0);
    const run = runDir(join(work, 'vr'));
    const before = filesIn(run);
    expect(before['verify.json']).toBeDefined();
    expect(cli('verify', '--history', join(run, 'history.jsonl')).code).toBe(0);
    expectUserError(cli('verify', '--history', join(run, 'history.jsonl'), '--out', join(run, 'verify.json')), /already exists in a run directory .*never overwrites a run's files/);
    expectUserError(cli('verify', '--history', join(work, 'broken.jsonl'), '--out', join(work, 'broken.jsonl')), /is one of this command's inputs/);
    expect(filesIn(run)).toEqual(before);
    // A new file in the run directory is fine.
    const fresh = cli('verify', '--history', join(run, 'history.jsonl'), '--model', 'serializable', '--out', join(run, 'verify-serializable.json'));
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(run, 'verify-serializable.json'), 'utf8')).blackBox.model).toBe('serializable');
    rmSync(join(run, 'verify-serializable.json'));
  });

  it('verify: the issue history fails strong snapshot isolation, and a search out of budget exits 2', () => {
    const stale = [
      [0, 'invoke', [['r', 'q', null], ['append', 'k', 1]]],
      [0, 'ok', [['r', 'q', null], ['append', 'k', 1]]],
      [1, 'invoke', [['append', 'q', 2]]],
      [1, 'ok', [['append', 'q', 2]]],
      [2, 'invoke', [['r', 'k', null]]],
      [2, 'ok', [['r', 'k', null]]],
    ].map(([process, type, value], index) => JSON.stringify({ index, process, type, f: 'txn', value, time: index }));
    writeFileSync(join(work, 'stale.jsonl'), `${stale.join('\n')}\n`);
    const si = cli('verify', '--history', 'stale.jsonl', '--model', 'strong-snapshot-isolation');
    expect(si.code).toBe(1);
    expect(si.stdout).toMatch(/INVALID: G-single-item-realtime\n/);
    const ss = cli('verify', '--history', 'stale.jsonl');
    expect(ss.stdout).toMatch(/rules out: strong-snapshot-isolation \(and the stronger strict-serializable\)/);
    // Write skew is allowed by snapshot isolation; with a one-step budget the search cannot show it.
    const skew = [
      { index: 0, process: 0, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['append', 'y', 1]] },
      { index: 1, process: 1, type: 'invoke', f: 'txn', value: [['r', 'y', null], ['append', 'x', 1]] },
      { index: 2, process: 0, type: 'ok', f: 'txn', value: [['r', 'x', null], ['append', 'y', 1]] },
      { index: 3, process: 1, type: 'ok', f: 'txn', value: [['r', 'y', null], ['append', 'x', 1]] },
      { index: 4, process: 2, type: 'invoke', f: 'txn', value: [['r', 'x', null], ['r', 'y', null]] },
      { index: 5, process: 2, type: 'ok', f: 'txn', value: [['r', 'x', [1]], ['r', 'y', [1]]] },
    ];
    writeFileSync(join(work, 'skew.jsonl'), `${skew.map((o) => JSON.stringify(o)).join('\n')}\n`);
    expect(cli('verify', '--history', 'skew.jsonl', '--model', 'snapshot-isolation').code).toBe(0);
    const timeout = cli('verify', '--history', 'skew.jsonl', '--model', 'snapshot-isolation', '--search-budget', '1');
    expect(timeout.code).toBe(2);
    expect(timeout.stdout).toMatch(/UNKNOWN: cycle-search-timeout/);
  });

  it('refuses --out with several sweep files, and a bad --concurrency', () => {
    expectUserError(cli('sweep', '--config', 'a.json', '--config', 'b.json', '--out', 'x'), /--out names one output directory/);
    expectUserError(cli('sweep', '--config', 'tiny.json', '--concurrency', '0'), /--concurrency must be a whole number/);
  });
});
