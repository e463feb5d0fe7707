/**
 * A writer crash as a real `kill -9` of a separate writer process, then a restart (hazard §6.2),
 * on a local directory and on the Ceph RGW the project's script started: the kill lands between
 * segment PUT and HEAD CAS, the other writers are blocked for about the lease TTL, one of them
 * adopts the orphan segment, and the merged history verifies black- and white-box. Runs the
 * built writer (dist/crash/writer-process.js) and the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestBucket } from '@manifest-lab/manifest-core/test';
import { type Op, pairHistory, parseHistory } from '@manifest-lab/verify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CrashOutcome, mergeStreams, pidAlive, runCrashExperiment } from './crash-experiment.js';
import type { WriterHistoryLine } from './protocol.js';

const BIN = new URL('../../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-crash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TTL = 2000;
const SEED = 11;

/** Everything the experiment promises, checked from its report, its files and the OS. */
function expectRecovered(outcome: CrashOutcome, outDir: string): void {
  const r = outcome.report;
  const why = `seed ${SEED}, ${outDir}`;
  // A real kill -9 of a process that no longer exists, parked between segment PUT and HEAD CAS.
  expect(r.killed.signal, why).toBe('SIGKILL');
  expect(r.killed.pid_gone, why).toBe(true);
  expect(pidAlive(r.killed.pid), why).toBe(false);
  const victim = r.processes.find((p) => p.writer === r.killed.writer && p.incarnation === 0);
  expect(victim?.exit, why).toEqual({ code: null, signal: 'SIGKILL' });
  expect(r.killed.segment_seq, why).not.toBeNull();
  expect(r.killed.segment_txn_id, why).toBe(r.killed.segment_seq);
  expect(r.killed.head_seq_after_kill ?? 0, why).toBe((r.killed.segment_seq as number) - 1);
  expect(r.killed.lease_expires_ms, why).not.toBeNull();

  // Its own history ends with the invoke in flight; the merged history completes it as info.
  const own = readFileSync(join(outDir, victim?.history ?? ''), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as WriterHistoryLine);
  const last = own[own.length - 1];
  expect(last?.type, why).toBe('invoke');
  expect(last?.process, why).toBe(r.killed.process);
  expect(r.killed.history_ended_with_invoke, why).toBe(true);
  const history = parseHistory(readFileSync(join(outDir, 'history.jsonl'), 'utf8'));
  const crashed = history.txns.filter((t) => t.op.process === r.killed.process);
  expect(crashed.at(-1)?.op.type, why).toBe('info');
  expect(outcome.history.some((e) => e.process === r.killed.process && e.type === 'info' && e.error?.class === 'crashed'), why).toBe(true);
  expect(history.ops.some((o: Op) => o.process === r.killed.process && o.index > (crashed.at(-1)?.invokeIndex ?? 0) && o.type === 'invoke'), why).toBe(false);

  // The replacement ran the killed writer's remaining transactions under new process ids.
  const replacement = r.processes.find((p) => p.writer === r.killed.writer && p.incarnation === 1);
  expect(replacement?.exit, why).toEqual({ code: 0, signal: null });
  expect(replacement?.pid, why).not.toBe(r.killed.pid);
  expect(r.replacement.commits, why).toBeGreaterThan(0);
  expect(r.replacement.txns[0], why).toBe(r.killed.txn + 1);
  for (const p of r.processes) if (p !== victim) expect(p.exit.code, `${why}: writer ${p.writer}`).toBe(0);

  // Valid black-box and white-box; the crashed attempt landed (adopted), nothing else went missing.
  expect(r.verdict, `${why}: ${JSON.stringify(r.isolation)}`).toBe('valid');
  expect(outcome.verify.blackBox.valid, why).toBe(true);
  expect(outcome.verify.whiteBox?.valid, why).toBe(true);
  expect(outcome.verify.whiteBox?.stats.infoLanded, why).toBe(1);
  expect(pairHistory(outcome.history).txns.length, why).toBe(r.isolation.txns);

  // The orphan was adopted after its lease expired: its appends are in the final state.
  expect(r.orphan, why).toMatchObject({ adopted: true, elements_visible: 2, elements: 2, published: true });
  // A survivor's (or the replacement's) orphan recovery published it, once the lease had expired.
  expect(r.orphan.adopted_by?.process, why).not.toBe(r.killed.process);
  expect(r.orphan.adopted_ms as number, why).toBeGreaterThanOrEqual(r.killed.lease_expires_ms as number);
  // The others were blocked for about the TTL: not before the lease expired, and not for much longer.
  const blocked = r.blocking.blocked_ms as number;
  expect(blocked, why).toBeGreaterThanOrEqual(TTL * 0.8);
  expect(blocked, why).toBeLessThanOrEqual(TTL + 5000);
  expect(r.blocking.first_commit_after_lease_expiry_ms as number, why).toBeGreaterThanOrEqual(0);
  expect(r.blocking.failed_attempts_while_blocked, why).toBeGreaterThan(0);
  // Every other original writer was still at work, and failing, while the lease held (the
  // replacement too, unless its start-up outlasted the lease).
  const survivors = r.processes.filter((p) => p.incarnation === 0 && p !== victim).map((p) => ({ writer: p.writer, incarnation: 0 }));
  expect(r.blocking.blocked_writers, why).toEqual(expect.arrayContaining(survivors));
  expect(r.blocking.blocked_writers, why).not.toContainEqual({ writer: r.killed.writer, incarnation: 0 });
  expect(r.commits, why).toBe(r.processes.reduce((n, p) => n + p.commits, 0));
  expect(r.failures_by_class.crashed, why).toBe(1);
  process.stdout.write(
    `crash on ${r.backend}: blocked ${blocked} ms (TTL ${TTL}), adoption ${r.blocking.first_commit_after_lease_expiry_ms} ms after expiry, ${r.commits} commits / ${r.attempts} attempts, runtime ${r.runtime_ms} ms\n`,
  );
}

describe('kill -9 of a writer between segment PUT and HEAD CAS', () => {
  it('on a local directory: the others wait out the lease, one adopts the orphan, the run verifies', async () => {
    const outDir = join(work, 'fs-out');
    const outcome = await runCrashExperiment({
      backend: { kind: 'fs', dir: join(work, 'fs-objects'), prefix: 'crash-fs' },
      writers: 3,
      txnsPerWriter: 4,
      leaseTtlMs: TTL,
      seed: SEED,
      crashWriter: 1,
      crashAtTxn: 2,
      outDir,
      // Below the test's timeout: the experiment kills its writers itself when it gives up.
      timeoutMs: 60_000,
    });
    expectRecovered(outcome, outDir);
  }, 90_000);

  describe('on S3 (Ceph RGW)', () => {
    const endpoint = inject('rgwEndpoint');
    const bucket = `crash-e2e-${process.pid}`;
    beforeAll(() => createTestBucket(endpoint, bucket));

    it('the same on real S3 conditional writes', async () => {
      const outDir = join(work, 's3-out');
      const outcome = await runCrashExperiment({
        backend: { kind: 's3', bucket, endpoint, region: 'us-east-1', pathStyle: true, prefix: 'crash-s3' },
        writers: 3,
        txnsPerWriter: 4,
        leaseTtlMs: TTL,
        seed: SEED,
        crashWriter: 0,
        crashAtTxn: 2,
        outDir,
        timeoutMs: 60_000,
      });
      expectRecovered(outcome, outDir);
    }, 90_000);
  });
});

describe('merging the processes\' histories', () => {
  it('orders by wall time, keeps each process\'s order, and puts invocations first on a tie', () => {
    const a = [
      { wall: 10, process: 0, type: 'invoke' as const, value: [] },
      { wall: 12, process: 0, type: 'ok' as const, value: [] },
      { wall: 12, process: 0, type: 'invoke' as const, value: [] },
    ];
    const b = [{ wall: 12, process: 1, type: 'invoke' as const, value: [] }];
    const merged = mergeStreams([a, b], 10);
    // b's invoke ties with a's ok: it goes first (no real-time edge the clock cannot prove); a keeps its own order.
    expect(merged.map((e) => `${e.process}:${e.type}`)).toEqual(['0:invoke', '1:invoke', '0:ok', '0:invoke']);
    expect(merged.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(merged[2]?.time).toBe(2e6);
    expect(() => pairHistory(merged)).not.toThrow();
  });
});

describe('manifest-lab crash', () => {
  function cli(...args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('--backend fs runs the crash, prints the summary and exits 0', () => {
    const r = cli('crash', '--backend', 'fs', '--dir', 'cli-objects', '--txns', '3', '--seed', String(SEED), '--out', 'cli-out');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/storage: directory cli-objects, prefix manifest-lab\/crash-\d{8}T\d{9}Z-\d+\//);
    expect(r.stdout).toMatch(/writer 1 killed \(SIGKILL, pid \d+, gone\) between segment PUT and HEAD CAS at \+\d+\.\d\d s/);
    expect(r.stdout).toMatch(/others blocked (\d+\.\d\d) s \(lease TTL 2\.00 s; \d+ failed attempts by [23] writer processes meanwhile\); orphan adopted: yes/);
    expect(r.stdout).toMatch(/isolation \(strict-serializable, list-append, \d+ transactions\): valid; white-box: stored objects agree with the history/);
    expect(r.stdout).toContain('results: cli-out/history.jsonl, cli-out/verify.json, cli-out/crash.json');
    const blocked = Number(/others blocked (\d+\.\d\d) s/.exec(r.stdout)?.[1]);
    expect(blocked).toBeGreaterThanOrEqual((TTL / 1000) * 0.8);
    const report = JSON.parse(readFileSync(join(work, 'cli-out', 'crash.json'), 'utf8'));
    expect(report).toMatchObject({ schema: 'manifest-lab/crash@1', verdict: 'valid', writers: 3, txns_per_writer: 3 });
    // The merged history is an ordinary history: `verify` accepts it.
    const v = cli('verify', '--history', join('cli-out', 'history.jsonl'));
    expect(v.code, v.stdout + v.stderr).toBe(0);
  }, 90_000);

  it('refuses the memory backend with one paragraph pointing at the virtual-time crash', () => {
    for (const r of [cli('crash'), cli('crash', '--backend', 'memory')]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/needs a real backend: add --backend fs --dir DIR, or --backend s3 --bucket NAME/);
      expect(r.stderr).toContain('manifest-lab chaos --scenarios hazards');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses a crash point outside the run', () => {
    const r = cli('crash', '--backend', 'fs', '--dir', 'x', '--txns', '3', '--crash-at-txn', '4');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--crash-at-txn 4 is past the last transaction \(--txns 3\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
