/** `--metrics-port`: the registry on its own, the server, and a real-time baseline scraped while it runs. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '@manifest-lab/manifest-core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMetricsPort, LiveMetrics, serveMetrics } from './live-metrics.js';
import { bufferedObserver, type Observation } from './observations.js';
import { UserError } from './user-error.js';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'manifest-lab-metrics-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const clock = new RealClock();

/** `name{labels} value` samples of the exposition text, keyed by `name{labels}`. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m !== null) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

/** The sum of a metric's samples whose key contains every one of `labels`. */
function total(s: Map<string, number>, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const [k, v] of s) if ((k === name || k.startsWith(`${name}{`)) && labels.every((l) => k.includes(l))) sum += v;
  return sum;
}

/** Whether a fresh TCP connection to the URL's port is refused (nothing listens any more). */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('LiveMetrics', () => {
  it('turns observations into the Prometheus exposition', async () => {
    const live = new LiveMetrics({ processMetrics: false });
    const batch: Observation[] = [
      ['r', 'GET', 4, true],
      ['r', 'GET', 30, true],
      ['r', 'CPUT', 12, false],
      ['t', 'writer', 'committed', 200, 1],
      ['t', 'writer', 'conflict', 900, 3],
      ['t', 'reader', 'read_ok', 40, 1],
    ];
    live.record(batch);
    const text = await live.registry.metrics();
    expect(text).toContain('# TYPE manifest_lab_request_duration_seconds histogram');
    expect(text).toContain('# TYPE manifest_lab_transactions_total counter');
    const s = samples(text);
    expect(s.get('manifest_lab_requests_total{kind="GET",outcome="ok"}')).toBe(2);
    expect(s.get('manifest_lab_requests_total{kind="CPUT",outcome="error"}')).toBe(1);
    expect(s.get('manifest_lab_request_duration_seconds_count{kind="GET"}')).toBe(2);
    expect(s.get('manifest_lab_request_duration_seconds_sum{kind="GET"}')).toBeCloseTo(0.034, 9);
    expect(s.get('manifest_lab_request_duration_seconds_bucket{le="0.005",kind="GET"}')).toBe(1);
    expect(s.get('manifest_lab_request_duration_seconds_bucket{le="0.05",kind="GET"}')).toBe(2);
    expect(s.get('manifest_lab_transactions_total{role="writer",outcome="conflict"}')).toBe(1);
    expect(s.get('manifest_lab_transactions_total{role="reader",outcome="read_ok"}')).toBe(1);
    expect(s.get('manifest_lab_transaction_duration_seconds_sum{role="writer",outcome="conflict"}')).toBeCloseTo(0.9, 9);
    expect(s.get('manifest_lab_attempts_total{role="writer"}')).toBe(4);
    expect(s.get('manifest_lab_attempts_total{role="reader"}')).toBe(1);
    expect(text).not.toContain('process_cpu'); // a registry of its own, nothing from the global one
  });

  it('the Grafana dashboard queries only metrics the registry serves', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../../deploy/grafana/manifest-lab-dashboard.json', import.meta.url), 'utf8')) as {
      templating: { list: { name: string; type: string }[] };
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.templating.list.find((v) => v.type === 'datasource')?.name).toBe('datasource');
    const live = new LiveMetrics({ processMetrics: false });
    live.record([
      ['r', 'GET', 1, true],
      ['t', 'writer', 'committed', 1, 1],
    ]);
    const served = new Set([...samples(await live.registry.metrics()).keys()].map((k) => k.replace(/\{.*$/, '')));
    const queried = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/manifest_lab_\w+/g) ?? []));
    expect(queried.length).toBeGreaterThan(0);
    for (const name of queried) expect(served, name).toContain(name);
    expect(dashboard.panels.map((p) => p.title)).toEqual(expect.arrayContaining(['Transactions/s by outcome', 'Request latency p50 / p99 by kind', 'Transaction latency p99']));
  });

  it('a worker-side observer batches what it sees', () => {
    const sent: Observation[][] = [];
    const b = bufferedObserver((batch) => sent.push(batch));
    b.observer.request?.('GET', 3, true);
    b.observer.transaction?.('writer', 'timeout', 50, 2);
    expect(sent).toEqual([]);
    b.flush();
    b.flush();
    expect(sent).toEqual([
      [
        ['r', 'GET', 3, true],
        ['t', 'writer', 'timeout', 50, 2],
      ],
    ]);
    for (let i = 0; i < 600; i++) b.observer.request?.('LIST', 1, true);
    expect(sent.map((x) => x.length)).toEqual([2, 512]);
  });

  it('serves /metrics on 127.0.0.1 (404 elsewhere) until stopped', async () => {
    const live = new LiveMetrics();
    live.record([['r', 'LIST', 2, true]]);
    const server = await serveMetrics(live.registry, 0);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(live.registry.contentType);
      const text = await res.text();
      expect(text).toContain('manifest_lab_requests_total{kind="LIST",outcome="ok"} 1');
      expect(text).toContain('process_cpu_seconds_total'); // collectDefaultMetrics, into this registry
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.stop();
    }
    expect(await refused(server.url)).toBe(true);
  });

  it('refuses a bad port, or a virtual-time run (it would end before any scrape)', () => {
    expect(() => checkMetricsPort(undefined, false)).not.toThrow();
    expect(() => checkMetricsPort(0, true)).not.toThrow();
    expect(() => checkMetricsPort(70000, true)).toThrow(UserError);
    expect(() => checkMetricsPort(1.5, true)).toThrow(/0 to 65535/);
    expect(() => checkMetricsPort(9464, false)).toThrow(/virtual time.*--time real/);
  });
});

// The two spawn the CLI; concurrently, to keep the file quick.
describe.concurrent('manifest-lab baseline --metrics-port', () => {
  it('is refused in virtual time, as one paragraph', async () => {
    const child = spawn(process.execPath, [BIN, 'baseline', '--metrics-port', '0', '--out', 'v'], { cwd: work });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--metrics-port serves live metrics .* virtual time/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('serves live metrics during a real-time run, growing, and closes the port when the run ends', async () => {
    // `local` latencies: with the default s3-standard ones, 2 writers at 2/s fall behind and the run overruns by ~10 s.
    const args = ['baseline', '--time', 'real', '--duration-s', '4', '--num-writers', '2', '--writer-rate', '2', '--num-readers', '1', '--reader-rate', '2', '--latency-profile', 'local'];
    const child = spawn(process.execPath, [BIN, ...args, '--metrics-port', '0', '--out', 'live'], { cwd: work, env: { ...process.env, FORCE_COLOR: '0' } });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The URL is printed on stderr before the run starts.
    const printed = new Promise<string | undefined>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr);
        if (m !== null) resolve(m[1]);
      });
      void exited.then(() => resolve(undefined));
    });
    try {
      const url = await printed;
      expect(url, stderr).toBeDefined();
      const scrape = async () => {
        const res = await fetch(url as string);
        expect(res.status).toBe(200);
        return samples(await res.text());
      };
      const txns = (s: Map<string, number>) => total(s, 'manifest_lab_transactions_total');
      // Poll (while the run goes on) until the first transactions have ended; then until more have
      // and every family shows the expected label values (arrivals are random: a reader may wait).
      const running = () => child.exitCode === null;
      let first = await scrape();
      while (txns(first) === 0 && running()) first = await clock.sleep(100).then(scrape);
      expect(txns(first)).toBeGreaterThan(0);
      const expected: [string, ...string[]][] = [
        ['manifest_lab_requests_total', 'kind="GET"', 'outcome="ok"'],
        ['manifest_lab_requests_total', 'kind="CPUT"', 'outcome="ok"'],
        ['manifest_lab_requests_total', 'kind="LIST"', 'outcome="ok"'],
        ['manifest_lab_request_duration_seconds_count', 'kind="GET"'],
        ['manifest_lab_transactions_total', 'role="writer"', 'outcome="committed"'],
        ['manifest_lab_transactions_total', 'role="reader"', 'outcome="read_ok"'],
        ['manifest_lab_transaction_duration_seconds_count', 'role="writer"', 'outcome="committed"'],
        ['manifest_lab_transaction_duration_seconds_count', 'role="reader"', 'outcome="read_ok"'],
        ['manifest_lab_attempts_total', 'role="writer"'],
        ['manifest_lab_attempts_total', 'role="reader"'],
      ];
      const ready = (s: Map<string, number>) => txns(s) > txns(first) && expected.every(([name, ...labels]) => total(s, name, ...labels) > 0);
      let second = await scrape();
      while (!ready(second) && running()) second = await clock.sleep(100).then(scrape);
      expect(txns(second)).toBeGreaterThan(txns(first));
      expect(total(second, 'manifest_lab_requests_total')).toBeGreaterThan(total(first, 'manifest_lab_requests_total'));
      for (const [name, ...labels] of expected) expect(total(second, name, ...labels), `${name} ${labels.join(',')}`).toBeGreaterThan(0);
      expect(total(second, 'manifest_lab_attempts_total', 'role="writer"')).toBeGreaterThanOrEqual(total(second, 'manifest_lab_transactions_total', 'role="writer"'));
      expect(total(second, 'process_cpu_seconds_total')).toBeGreaterThan(0);

      expect(await exited).toBe(0);
      expect(stdout).toMatch(/baseline: 2 writers at 2\/s, 1 readers at 2\/s, 4 s real time/);
      expect(await refused(url as string)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
