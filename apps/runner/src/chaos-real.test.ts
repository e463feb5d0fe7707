/**
 * Real-time chaos end to end on the test Ceph RGW: a short run through `runSweep` (as
 * `manifest-lab chaos` runs its scenarios) with a latency window and a reset outage, which the
 * worker puts on the TCP fault proxy in front of the S3 endpoint; and `manifest-lab chaos
 * --backend s3` running two scenarios side by side in real time through the proxy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestBucket } from '@manifest-lab/manifest-core/test';
import type { FaultPlan } from '@manifest-lab/chaos';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Backend } from './backend.js';
import type { RunDocument } from './run-output.js';
import { runSweep } from './sweep-runner.js';

const endpoint = inject('rgwEndpoint');
const bucket = `chaos-real-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-chaos-real-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => createTestBucket(endpoint, bucket));

/** Sockets and servers keeping this process alive (Node ≥ 17; not in our @types/node), and its OS threads (Linux). */
async function liveResources(): Promise<{ handles: string[]; threads: number }> {
  // Start libuv's thread pool first, so the run's file writes do not add its threads.
  await readFile(new URL(import.meta.url));
  const info = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
  return { handles: info.filter((r) => r.startsWith('TCP')).sort(), threads: readdirSync('/proc/self/task').length };
}

describe('real-time chaos on S3 (Ceph RGW)', () => {
  it('applies latency and a reset outage on the wire; the run verifies and nothing is left running', async () => {
    const plan: FaultPlan = {
      name: 'wire',
      windows: [
        { label: 'slow wire', start_s: 1, end_s: 4.5, fault: { kind: 'latency', ms: 40 } },
        { label: 'reset', start_s: 2.5, end_s: 3.5, fault: { kind: 'outage', mode: 'reset' } },
      ],
    };
    const backend: Backend = { kind: 's3', bucket, endpoint, region: 'us-east-1', pathStyle: true, prefix: `chaos-real-${process.pid}` };
    const before = await liveResources();
    const outcome = await runSweep({
      definition: {
        name: 'chaos-real',
        seed: 11,
        fixed: { num_writers: 2, writer_rate: 4, num_readers: 1, reader_rate: 4, duration_s: 5, warmup_s: 0.5, time: 'real' },
        axes: {},
        replicas: 1,
        min_write_attempts: 0,
        max_replicas: 1,
      },
      source: 'test',
      outDir: join(work, 'out'),
      backend,
      faultPlan: plan,
      concurrency: 1,
      progress: false,
    });
    const doc = outcome.docs[0] as RunDocument;
    expect(doc.backend).toBe('s3');
    expect(doc.isolation.valid, JSON.stringify(doc.isolation.anomaly_types)).toBe(true);
    expect(doc.isolation.white_box?.valid).toBe(true);
    expect(doc.metrics.write.counters.successes).toBeGreaterThan(0);
    // The proxy's windows are the run's fault windows: nemesis entries and split metrics.
    const faults = doc.metrics.faults;
    expect(faults?.during.txns).toBeGreaterThan(0);
    expect(faults?.outside.txns).toBeGreaterThan(0);
    const history = readFileSync(join(work, 'out', doc.id, doc.history.file), 'utf8');
    expect(history).toContain('"value":"reset"');
    // The reset outage cut connections on the wire (the SDK's own retries may hide it from the
    // manifest, so run.json's record of the proxy is what shows it), and the latency window held chunks back.
    const proxy = doc.chaos?.real_time?.proxy;
    expect((proxy?.refused ?? 0) + (proxy?.resets ?? 0), JSON.stringify(proxy)).toBeGreaterThan(0);
    expect(proxy?.delayedChunks ?? 0).toBeGreaterThan(0);
    expect(doc.chaos?.real_time?.cpu_burns).toBe(0);
    // The added latency shows in the requests' latency (RGW on loopback answers in a few ms).
    expect(doc.metrics.request_latency.GET?.max_ms ?? 0).toBeGreaterThanOrEqual(40);
    // The worker threads (the sweep's, and the proxy inside one) and their sockets are gone.
    expect(await liveResources()).toEqual(before);
  }, 20_000);

  it('manifest-lab chaos --backend s3 runs the scenarios in real time through the proxy, verified', () => {
    const bin = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
    const args = ['chaos', '--scenarios', 'latency-100', '--chaos-duration-s', '4', '--min-write-attempts', '0', '--num-writers', '2', '--writer-rate', '3', '--num-readers', '1', '--reader-rate', '3'];
    const storage = ['--backend', 's3', '--endpoint', endpoint, '--path-style', '--bucket', bucket, '--prefix', `chaos-cli-${process.pid}`];
    const r = spawnSync(process.execPath, [bin, ...args, ...storage, '--out', 'cli'], { cwd: work, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/storage: s3/);
    const rows = readFileSync(join(work, 'cli', 'chaos.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const header = rows[0] as string[];
    const col = (row: string[], name: string) => row[header.indexOf(name)] as string;
    expect(rows.slice(1).map((row) => row[0])).toEqual(['baseline', 'latency-100']);
    for (const row of rows.slice(1)) {
      expect(col(row, 'time')).toBe('real');
      expect(col(row, 'isolation_valid')).toBe('true');
    }
    // +100 ms on every request, on the wire: write latency at least doubles against RGW on loopback.
    expect(Number(col(rows[2] as string[], 'write_p50_ratio'))).toBeGreaterThan(2);
  }, 30_000);
});
