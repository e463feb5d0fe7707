/** How a plan splits in real time: network windows to the proxy (S3 over http only), cpu windows burned, the rest to the store. */
import { once } from 'node:events';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultPlan } from '@manifest-lab/chaos';
import { RealClock } from '@manifest-lab/manifest-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { startRealTimeFaults } from './real-faults.js';

const clock = new RealClock();
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const plan: FaultPlan = {
  name: 'mixed',
  windows: [
    { label: 'slow', start_s: 0, end_s: 60, fault: { kind: 'latency', ms: 1500 } },
    { label: 'cut', start_s: 50, end_s: 51, fault: { kind: 'outage', mode: 'reset' } },
    { label: 'burn', start_s: 0.05, end_s: 60, fault: { kind: 'cpu', threads: 1, duty: 0.2, cores: 2, work_ms: 1 } },
    { label: 'burn w0', start_s: 0, end_s: 60, fault: { kind: 'cpu', threads: 1, duty: 0.2, cores: 2, work_ms: 1 }, target: { clients: ['writer-0'] } },
    { label: '503s', start_s: 0, end_s: 60, fault: { kind: 'errors', rate: 0.1, error: 'slowdown' } },
  ],
};
const s3 = (): Backend => ({ kind: 's3', bucket: 'b', endpoint, pathStyle: true, prefix: 'p' });
const labels = (p: FaultPlan) => p.windows.map((w) => w.label);

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

describe('startRealTimeFaults', () => {
  it('S3 over http: the endpoint goes through the proxy, which carries the network windows; cpu windows burn', async () => {
    const real = await startRealTimeFaults(plan, s3(), { seed: 5 });
    try {
      const b = real.backend;
      expect(b.kind === 's3' && b.endpoint).toBe(real.proxy?.url);
      expect(b.kind === 's3' && b.endpoint).not.toBe(endpoint);
      expect(labels(real.storePlan)).toEqual(['burn w0', '503s']);
      expect(real.faultWindows.map((w) => w.label)).toEqual(['503s', 'burn w0', 'slow', 'burn', 'cut']);
      const t0 = clock.now();
      expect(await fetchText(`${real.proxy?.url}/`)).toBe('ok');
      expect(clock.now() - t0).toBeGreaterThanOrEqual(1500); // the latency window
      expect(real.proxyCounts()?.delayedChunks).toBeGreaterThan(0);
      // The burn starts at 0.05 s, once its thread is up (seconds, on a busy CI machine).
      for (let i = 0; i < 500 && real.cpuBurns() === 0; i++) await clock.sleep(20);
      expect(real.cpuBurns()).toBe(1);
      await real.calm();
      const t1 = clock.now();
      expect(await fetchText(`${real.proxy?.url}/`)).toBe('ok');
      expect(clock.now() - t1).toBeLessThan(1500); // calm: no more latency (and not a hang)
    } finally {
      await real.stop();
    }
    await expect(fetchText(`${real.proxy?.url}/`)).rejects.toThrow(/ECONNREFUSED/);
    await real.stop(); // idempotent
  });

  it('other backends (or https): network windows stay with the store model; cpu windows still burn', async () => {
    for (const backend of [{ kind: 'memory' }, { ...s3(), endpoint: 'https://s3.example.com' }, { kind: 'fs', dir: 'd', prefix: 'p' }] as Backend[]) {
      const real = await startRealTimeFaults(plan, backend);
      expect(real.backend).toEqual(backend);
      expect(real.proxy).toBeUndefined();
      expect(labels(real.storePlan)).toEqual(['slow', 'cut', 'burn w0', '503s']);
      await real.stop();
    }
  });

  it('a plan without network windows leaves the endpoint alone', async () => {
    const real = await startRealTimeFaults({ name: 'only errors', windows: [plan.windows[4] as FaultPlan['windows'][number]] }, s3());
    expect(real.backend).toEqual(s3());
    expect(labels(real.storePlan)).toEqual(['503s']);
    await real.stop();
  });

  it('--toxiproxy needs S3 at an http endpoint', async () => {
    await expect(startRealTimeFaults(plan, { kind: 'memory' }, { toxiproxyUrl: 'http://127.0.0.1:8474' })).rejects.toThrow(/--toxiproxy needs --backend s3/);
  });
});
