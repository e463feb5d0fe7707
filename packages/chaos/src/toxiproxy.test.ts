/**
 * The Toxiproxy mapping, and the driver against a stand-in server. No Toxiproxy server can be
 * installed on the machines this project's tests run on, so an in-test HTTP server on 127.0.0.1
 * implements the few API endpoints the client calls (create a proxy, add and remove a toxic,
 * delete the proxy) and records the calls.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealClock } from '@manifest-lab/manifest-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultWindow } from './fault-plan.js';
import { toxicsForWindow, ToxiproxyFaults } from './toxiproxy.js';

const clock = new RealClock();

/** Poll until `done()` holds (the driver acts on its own timers; a busy CI machine runs them late). */
async function waitFor(done: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const t0 = clock.now();
  while (!done()) {
    if (clock.now() - t0 > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await clock.sleep(10);
  }
}
const window = (fault: FaultWindow['fault'], start_s = 0, end_s = 10, label = 'w'): FaultWindow => ({ label, start_s, end_s, fault });

describe('toxicsForWindow', () => {
  it('latency: one upstream latency toxic, no jitter without p99', () => {
    expect(toxicsForWindow(window({ kind: 'latency', ms: 120 }, 0, 10, 'slow s3'))).toEqual([
      { name: 'slow_s3-upstream', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 120, jitter: 0 } },
    ]);
  });

  it('latency with p99: the median stays, the jitter reaches toward p99 but never below zero', () => {
    expect(toxicsForWindow(window({ kind: 'latency', ms: 100, p99_ms: 150 }))[0]?.attributes).toEqual({ latency: 100, jitter: 50 });
    expect(toxicsForWindow(window({ kind: 'latency', ms: 20, p99_ms: 500 }))[0]?.attributes).toEqual({ latency: 20, jitter: 20 });
    expect(toxicsForWindow(window({ kind: 'latency', ms: 10.6, p99_ms: 12.2 }))[0]?.attributes).toEqual({ latency: 11, jitter: 2 });
  });

  it('bandwidth: both directions, in whole KB/s of 1000 bytes, at least 1', () => {
    const toxics = toxicsForWindow(window({ kind: 'bandwidth', bytes_per_s: 250_000 }, 0, 10, 'thin'));
    expect(toxics.map((t) => [t.name, t.type, t.stream, t.attributes.rate])).toEqual([
      ['thin-upstream', 'bandwidth', 'upstream', 250],
      ['thin-downstream', 'bandwidth', 'downstream', 250],
    ]);
    expect(toxicsForWindow(window({ kind: 'bandwidth', bytes_per_s: 300 }))[0]?.attributes).toEqual({ rate: 1 });
  });

  it('outages: reset → reset_peer, blackhole → timeout (held until removed), both directions', () => {
    const reset = toxicsForWindow(window({ kind: 'outage', mode: 'reset' }));
    expect(reset.map((t) => [t.type, t.stream, t.attributes])).toEqual([
      ['reset_peer', 'upstream', { timeout: 0 }],
      ['reset_peer', 'downstream', { timeout: 0 }],
    ]);
    const hole = toxicsForWindow(window({ kind: 'outage', mode: 'blackhole' }));
    expect(hole.map((t) => [t.type, t.stream, t.attributes])).toEqual([
      ['timeout', 'upstream', { timeout: 0 }],
      ['timeout', 'downstream', { timeout: 0 }],
    ]);
    expect(new Set(hole.map((t) => t.name)).size).toBe(2);
  });

  it('nothing for faults Toxiproxy cannot apply, or windows targeted at clients, kinds or keys', () => {
    for (const fault of [
      { kind: 'errors', rate: 0.5, error: 'slowdown' },
      { kind: 'ambiguous', rate: 0.5 },
      { kind: 'cpu', threads: 2, duty: 0.5, cores: 2, work_ms: 1 },
      { kind: 'pause', ms: 10 },
      { kind: 'crash', when: 'after', restart_ms: 10 },
      { kind: 'skew', ms: 10 },
    ] as const) {
      expect(toxicsForWindow(window(fault)), fault.kind).toEqual([]);
    }
    const latency = window({ kind: 'latency', ms: 10 });
    expect(toxicsForWindow({ ...latency, target: { clients: ['writer-0'] } })).toEqual([]);
    expect(toxicsForWindow({ ...latency, target: { kinds: ['GET'] } })).toEqual([]);
    expect(toxicsForWindow({ ...latency, target: { key_contains: 'HEAD' } })).toEqual([]);
    expect(toxicsForWindow({ ...latency, target: {} })).toHaveLength(1);
  });

  it('names toxics from the label (or the name given), safe for a URL path', () => {
    expect(toxicsForWindow(window({ kind: 'latency', ms: 1 }, 0, 1, 'outage 1 (reset)/x'))[0]?.name).toBe('outage_1_reset_x-upstream');
    expect(toxicsForWindow(window({ kind: 'latency', ms: 1 }, 0, 1, '???'))[0]?.name).toBe('fault-upstream');
    expect(toxicsForWindow(window({ kind: 'latency', ms: 1 }), 'w3-x')[0]?.name).toBe('w3-x-upstream');
  });
});

interface Call {
  readonly atMs: number;
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown> | undefined;
}

/** Just enough of Toxiproxy's HTTP API for the client: proxies and their toxics, in memory. */
function fakeToxiproxy() {
  const calls: Call[] = [];
  const proxies = new Map<string, { name: string; listen: string; upstream: string; enabled: boolean; toxics: Map<string, unknown> }>();
  const t0 = clock.now();
  let refuseToxics = false;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString();
    });
    req.on('end', () => {
      const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      const path = decodeURI(req.url ?? '');
      calls.push({ atMs: clock.now() - t0, method: req.method ?? '', path, body });
      const json = (status: number, value?: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      const view = (p: NonNullable<ReturnType<typeof proxies.get>>) => ({ ...p, toxics: [...p.toxics.values()] });
      const m = /^\/proxies(?:\/([^/]+))?(?:\/toxics(?:\/([^/]+))?)?$/.exec(path);
      const proxy = m?.[1] === undefined ? undefined : proxies.get(m[1]);
      if (req.method === 'POST' && path === '/proxies' && body !== undefined) {
        const name = String(body.name);
        if (proxies.has(name)) return json(409, { error: 'proxy already exists' });
        // Like the real server: port 0 becomes the port it listens on.
        const p = { name, listen: String(body.listen).replace(/:0$/, ':40123'), upstream: String(body.upstream), enabled: true, toxics: new Map() };
        proxies.set(name, p);
        return json(201, view(p));
      }
      if (proxy === undefined) return json(404, { error: 'proxy not found' });
      if (req.method === 'POST' && m?.[2] === undefined && path.endsWith('/toxics') && body !== undefined) {
        if (refuseToxics) return json(500, { error: 'refused by the test' });
        if (proxy.toxics.has(String(body.name))) return json(409, { error: 'toxic already exists' });
        proxy.toxics.set(String(body.name), body);
        return json(200, body);
      }
      if (req.method === 'DELETE' && m?.[2] !== undefined) {
        if (!proxy.toxics.delete(m[2])) return json(404, { error: 'toxic not found' });
        return json(204);
      }
      if (req.method === 'DELETE' && !path.includes('/toxics')) {
        proxies.delete(proxy.name);
        return json(204);
      }
      return json(405, { error: 'not implemented by the stand-in' });
    });
  });
  return {
    server,
    calls,
    proxies,
    set refuseToxics(v: boolean) {
      refuseToxics = v;
    },
  };
}

describe('ToxiproxyFaults (against a stand-in Toxiproxy API)', () => {
  let fake: ReturnType<typeof fakeToxiproxy>;
  let url: string;
  beforeEach(async () => {
    fake = fakeToxiproxy();
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
  });

  it('creates the proxy, adds each window’s toxics at its start, removes them at its end, deletes the proxy on stop', async () => {
    const faults = new ToxiproxyFaults(
      {
        url,
        upstream: 'http://127.0.0.1:7480',
        name: 'lab',
        plan: {
          name: 'p',
          windows: [
            window({ kind: 'latency', ms: 80 }, 0.1, 0.4, 'slow'),
            window({ kind: 'outage', mode: 'reset' }, 0.3, 0.5, 'cut'),
            window({ kind: 'errors', rate: 1, error: 'internal' }, 0, 1, 'store only'),
          ],
        },
      },
      clock,
    );
    await faults.start();
    expect(faults.listen).toBe('127.0.0.1:40123');
    expect(faults.endpoint).toBe('http://127.0.0.1:40123');
    expect(fake.calls[0]).toMatchObject({ method: 'POST', path: '/proxies', body: { name: 'lab', listen: '127.0.0.1:0', upstream: '127.0.0.1:7480', enabled: true } });
    await waitFor(() => faults.events.length >= 6, 'every window to be applied and lifted');
    await faults.stop();

    const toxicCalls = fake.calls.filter((c) => c.path.includes('/toxics'));
    const t0 = (fake.calls[0] as Call).atMs;
    const at = (method: string, name: string) => {
      const c = toxicCalls.find((x) => x.method === method && (method === 'POST' ? x.body?.name === name : x.path.endsWith(`/${name}`)));
      expect(c, `${method} ${name}`).toBeDefined();
      return (c as Call).atMs - t0;
    };
    expect(toxicCalls).toHaveLength(6); // 1 latency + 2 reset_peer toxics, each added then removed
    expect(at('POST', 'w0-slow-upstream')).toBeGreaterThanOrEqual(90);
    expect(at('DELETE', 'w0-slow-upstream')).toBeGreaterThanOrEqual(390);
    expect(at('POST', 'w1-cut-upstream')).toBeGreaterThanOrEqual(290);
    expect(at('POST', 'w1-cut-downstream')).toBeLessThan(at('DELETE', 'w1-cut-downstream'));
    expect(at('DELETE', 'w1-cut-upstream')).toBeGreaterThanOrEqual(490);
    expect(toxicCalls.find((c) => c.body?.name === 'w1-cut-upstream')?.body).toEqual({
      name: 'w1-cut-upstream',
      type: 'reset_peer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    expect(fake.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/proxies/lab' });
    expect(fake.proxies.size).toBe(0);
    expect(faults.events.map((e) => `${e.action} ${e.toxic}`)).toEqual([
      'added w0-slow-upstream',
      'added w1-cut-upstream',
      'added w1-cut-downstream',
      'removed w0-slow-upstream',
      'removed w1-cut-upstream',
      'removed w1-cut-downstream',
    ]);
  });

  it('stopping mid-window removes the active toxics, cancels later windows and deletes the proxy', async () => {
    const faults = new ToxiproxyFaults(
      {
        url,
        upstream: '127.0.0.1:7480',
        name: 'early',
        plan: { name: 'p', windows: [window({ kind: 'bandwidth', bytes_per_s: 5000 }, 0, 30, 'bw'), window({ kind: 'latency', ms: 5 }, 20, 30, 'later')] },
      },
      clock,
    );
    await faults.start();
    await waitFor(() => (fake.proxies.get('early')?.toxics.size ?? 0) >= 2, 'the first window\'s toxics');
    expect(fake.proxies.get('early')?.toxics.size).toBe(2);
    await faults.stop();
    expect(fake.proxies.size).toBe(0);
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /proxies',
      'POST /proxies/early/toxics',
      'POST /proxies/early/toxics',
      'DELETE /proxies/early/toxics/w0-bw-upstream',
      'DELETE /proxies/early/toxics/w0-bw-downstream',
      'DELETE /proxies/early',
    ]);
  });

  it('calm() removes the active toxics and keeps the proxy; stop() then deletes it', async () => {
    const faults = new ToxiproxyFaults(
      { url, upstream: '127.0.0.1:7480', name: 'calm', plan: { name: 'p', windows: [window({ kind: 'outage', mode: 'blackhole' }, 0, 30, 'hole')] } },
      clock,
    );
    await faults.start();
    await waitFor(() => (fake.proxies.get('calm')?.toxics.size ?? 0) >= 2, 'the blackhole\'s toxics');
    expect([...(fake.proxies.get('calm')?.toxics.keys() ?? [])]).toEqual(['w0-hole-upstream', 'w0-hole-downstream']);
    await faults.calm();
    expect(fake.proxies.get('calm')?.toxics.size).toBe(0);
    await faults.stop();
    expect(fake.proxies.size).toBe(0);
  });

  it('stop() reports what Toxiproxy refused, after deleting the proxy', async () => {
    fake.refuseToxics = true;
    const faults = new ToxiproxyFaults({ url, upstream: '127.0.0.1:7480', name: 'refused', plan: { name: 'p', windows: [window({ kind: 'latency', ms: 5 }, 0, 1, 'x')] } }, clock);
    await faults.start();
    await waitFor(() => faults.errors.length > 0, 'the refused toxic');
    await expect(faults.stop()).rejects.toThrow(/^Toxiproxy at http:\/\/127\.0\.0\.1:\d+: adding toxic w0-x-upstream \(window "x"\): Request failed with status code 500$/);
    expect(fake.proxies.size).toBe(0);
  });

  it('fails clearly when no Toxiproxy answers', async () => {
    const faults = new ToxiproxyFaults({ url: 'http://127.0.0.1:9', upstream: '127.0.0.1:7480', plan: { name: 'p', windows: [] } }, clock);
    await expect(faults.start()).rejects.toThrow();
  });
});
