/**
 * The TCP fault proxy on real loopback sockets, in real time: against a local HTTP server
 * (latency, reset, blackhole, bandwidth), and with S3 requests through it to the test Ceph RGW.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { createTestBucket } from '@manifest-lab/manifest-core/test';
import { RealClock, S3ObjectStore } from '@manifest-lab/manifest-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FaultPlan, FaultWindow } from './fault-plan.js';
import { networkWindows, storeWindows } from './network-windows.js';
import { TcpFaultProxy } from './tcp-fault-proxy.js';

const clock = new RealClock();

/** GET /bytes/N answers N bytes; anything else answers `got <body length>`. */
let server: Server;
let hits = 0;
let serverUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    const size = /^\/bytes\/(\d+)$/.exec(req.url ?? '')?.[1];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
    });
    req.on('end', () => res.end(size === undefined ? `got ${received}` : Buffer.alloc(Number(size), 7)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const proxies: TcpFaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function proxy(windows: FaultWindow[], target = serverUrl): Promise<TcpFaultProxy> {
  const p = new TcpFaultProxy({ target, plan: { name: 'test', windows }, seed: 3 }, clock);
  proxies.push(p);
  await p.start();
  return p;
}

/** One HTTP request on a fresh connection: the status, the body's length, and short bodies as text. */
function http(url: string, body?: Uint8Array): Promise<{ status: number; text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: body === undefined ? 'GET' : 'POST', agent: false }, (res: IncomingMessage) => {
      let bytes = 0;
      let text = '';
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        text += c.toString();
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: bytes < 100 ? text : '', bytes }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value?: T; error?: NodeJS.ErrnoException }> {
  const t0 = clock.now();
  try {
    const value = await f();
    return { ms: clock.now() - t0, value };
  } catch (err) {
    return { ms: clock.now() - t0, error: err as NodeJS.ErrnoException };
  }
}

/** Sleep until the proxy's run time reaches `ms`. */
const until = (p: TcpFaultProxy, ms: number) => clock.sleep(Math.max(0, ms - p.elapsedMs()));

const window = (fault: FaultWindow['fault'], start_s: number, end_s: number, label: string = fault.kind): FaultWindow => ({ label, start_s, end_s, fault });

describe('networkWindows / storeWindows', () => {
  it('give the proxy the untargeted latency, bandwidth and outage windows, and the store the rest', () => {
    const plan: FaultPlan = {
      name: 'mixed',
      windows: [
        window({ kind: 'latency', ms: 50 }, 0, 10, 'lat'),
        { ...window({ kind: 'latency', ms: 50 }, 0, 10, 'lat-w0'), target: { clients: ['writer-0'] } },
        window({ kind: 'bandwidth', bytes_per_s: 1000 }, 0, 10, 'bw'),
        window({ kind: 'outage', mode: 'reset' }, 1, 2, 'reset'),
        { ...window({ kind: 'outage', mode: 'blackhole' }, 3, 4, 'heads'), target: { key_contains: 'HEAD' } },
        window({ kind: 'errors', rate: 0.1, error: 'internal' }, 0, 10, 'err'),
        window({ kind: 'cpu', threads: 1, duty: 0.5, cores: 1, work_ms: 1 }, 0, 10, 'cpu'),
        window({ kind: 'pause', ms: 100 }, 0, 10, 'pause'),
      ],
    };
    expect(networkWindows(plan).windows.map((w) => w.label)).toEqual(['lat', 'bw', 'reset']);
    expect(storeWindows(plan).windows.map((w) => w.label)).toEqual(['lat-w0', 'heads', 'err', 'cpu', 'pause']);
    expect(networkWindows(plan).name).toBe('mixed');
  });
});

describe('TcpFaultProxy (local HTTP server)', () => {
  it('forwards both ways and counts connections and bytes', async () => {
    const p = await proxy([]);
    const r = await http(`${p.url}/echo`, new Uint8Array(1234));
    expect(r).toMatchObject({ status: 200, text: 'got 1234' });
    expect(p.counts.connections).toBe(1);
    expect(p.counts.bytesUp).toBeGreaterThan(1234);
    expect(p.counts.bytesDown).toBeGreaterThan(8);
  });

  it('latency: a round trip takes at least the added delay', async () => {
    const direct = await timed(() => http(`${serverUrl}/x`));
    expect(direct.error).toBeUndefined();
    const p = await proxy([window({ kind: 'latency', ms: 150 }, 0, 60)]);
    const slow = await timed(() => http(`${p.url}/x`));
    expect(slow.error).toBeUndefined();
    expect(slow.value?.text).toBe('got 0');
    expect(slow.ms).toBeGreaterThanOrEqual(150);
    expect(p.counts.delayedChunks).toBeGreaterThan(0);
  });

  it('latency with p99: delays are drawn from the seed', async () => {
    const lognormal = [window({ kind: 'latency', ms: 20, p99_ms: 200 }, 0, 60)];
    const a = await proxy(lognormal);
    const b = await proxy(lognormal);
    const draws = (p: TcpFaultProxy) => Array.from({ length: 20 }, () => p.latencyFor(1000));
    const da = draws(a);
    expect(da).toEqual(draws(b));
    expect(new Set(da).size).toBeGreaterThan(1);
    expect(a.latencyFor(60_000)).toBe(0); // after the window
  });

  it('reset: open connections are reset at the start, requests fail during the window and succeed after it', async () => {
    const p = await proxy([window({ kind: 'outage', mode: 'reset' }, 0.3, 0.9)]);
    expect((await http(`${p.url}/before`)).text).toBe('got 0');
    const idle = connect(p.port, '127.0.0.1');
    const idleError = new Promise<string | undefined>((resolve) => {
      idle.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
      idle.on('close', () => resolve(undefined));
    });
    await once(idle, 'connect');
    await until(p, 400);
    expect(await idleError).toBe('ECONNRESET');
    const during = await timed(() => http(`${p.url}/during`));
    expect(during.error?.code).toBe('ECONNRESET');
    await until(p, 950);
    expect((await http(`${p.url}/after`)).text).toBe('got 0');
    expect(p.counts.resets).toBeGreaterThanOrEqual(1);
    expect(p.counts.refused).toBeGreaterThanOrEqual(1);
  });

  it('blackhole: a request hangs until the window ends, then its connection is dropped; after it requests work', async () => {
    const p = await proxy([window({ kind: 'outage', mode: 'blackhole' }, 0.2, 0.8)]);
    await until(p, 250);
    const before = hits;
    const sent = p.elapsedMs();
    const hung = await timed(() => http(`${p.url}/lost`));
    expect(hung.error?.message ?? '').toMatch(/socket hang up|ECONNRESET/);
    // It hung until the end of the window (a timer may fire a millisecond early).
    expect(sent + hung.ms).toBeGreaterThanOrEqual(795);
    expect(hits).toBe(before); // nothing reached the server
    expect(p.counts.blackholedChunks).toBeGreaterThan(0);
    expect(p.counts.dropped).toBeGreaterThanOrEqual(1);
    expect((await http(`${p.url}/after`)).text).toBe('got 0');
  });

  it('bandwidth: limits throughput each way', async () => {
    const rate = 200_000;
    const n = 100_000;
    const p = await proxy([window({ kind: 'bandwidth', bytes_per_s: rate }, 0, 60)]);
    const up = await timed(() => http(`${p.url}/up`, new Uint8Array(n)));
    expect(up.value?.text).toBe(`got ${n}`);
    const down = await timed(() => http(`${p.url}/bytes/${n}`));
    expect(down.value?.bytes).toBe(n);
    // n bytes at `rate` take n/rate s (500 ms) less one ~50 ms slice of budget; be generous.
    expect(up.ms).toBeGreaterThanOrEqual(350);
    expect(down.ms).toBeGreaterThanOrEqual(350);
    expect(p.counts.throttledChunks).toBeGreaterThan(0);
    // Unthrottled, the same transfers are fast.
    const fast = await timed(() => http(`${serverUrl}/bytes/${n}`));
    expect(fast.ms).toBeLessThan(up.ms);
  });

  it('calm(): ends a blackhole early (held connections dropped) and forwards without faults from then on', async () => {
    const p = await proxy([window({ kind: 'outage', mode: 'blackhole' }, 0, 60), window({ kind: 'latency', ms: 3000 }, 0, 60)]);
    const hung = timed(() => http(`${p.url}/held`));
    await until(p, 200);
    p.calm();
    const r = await hung;
    expect(r.error?.message ?? '').toMatch(/socket hang up|ECONNRESET/);
    expect(r.ms).toBeLessThan(10_000); // not the window's 60 s (bounds are loose: CI machines are busy)
    const after = await timed(() => http(`${p.url}/after`));
    expect(after.value?.text).toBe('got 0');
    expect(after.ms).toBeLessThan(3000); // the 3 s latency window no longer applies
  });

  it('ignores windows a proxy cannot see, and refuses connections once closed', async () => {
    const p = await proxy([
      { ...window({ kind: 'outage', mode: 'reset' }, 0, 60), target: { clients: ['writer-0'] } },
      window({ kind: 'errors', rate: 1, error: 'internal' }, 0, 60),
    ]);
    expect(p.windows).toHaveLength(0);
    expect((await http(`${p.url}/x`)).status).toBe(200);
    const port = p.port;
    const open = connect(port, '127.0.0.1');
    await once(open, 'connect');
    const closed = once(open, 'close');
    await p.close();
    await closed;
    const after = await timed(() => http(`http://127.0.0.1:${port}/x`));
    expect(after.error?.code).toBe('ECONNREFUSED');
  });
});

describe('TcpFaultProxy in front of S3 (Ceph RGW)', () => {
  const endpoint = inject('rgwEndpoint');
  const bucket = `chaos-proxy-${process.pid}`;
  beforeAll(() => createTestBucket(endpoint, bucket));

  it('carries put/get, fails a request during a reset window, and works again after it', async () => {
    // The window starts late enough that the first round trip (client start-up included) is
    // before it even on a busy machine.
    const p = await proxy([window({ kind: 'outage', mode: 'reset' }, 5, 6.5)], endpoint);
    // No SDK retries: a request during the window must fail, not wait it out.
    const store = new S3ObjectStore({ bucket, endpoint: p.url, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1 });
    try {
      const body = new TextEncoder().encode('through the proxy');
      const etag = await store.put('k', body);
      expect((await store.get('k'))?.etag).toBe(etag);
      expect(p.elapsedMs()).toBeLessThan(5000); // the round trip happened before the window
      await until(p, 5200);
      await expect(store.get('k')).rejects.toThrow(/k on bucket/);
      expect(p.counts.resets + p.counts.refused).toBeGreaterThan(0);
      await until(p, 6600);
      expect(new TextDecoder().decode((await store.get('k'))?.body)).toBe('through the proxy');
      await store.put('k2', body);
      expect(await store.head('k2')).not.toBeNull();
    } finally {
      store.close();
    }
  }, 30_000);
});
