/**
 * A loopback TCP proxy that applies a fault plan's network windows to real connections, in real
 * time since `start()`: put it in front of an S3 endpoint and the real client, its SDK retries
 * and its connection pool meet slow, throttled, reset or silent connections on the plan's
 * schedule. Windows it cannot see (other kinds, or targeted at clients, request kinds or keys)
 * are ignored: give those to `FaultyObjectStore` (see `storeWindows`).
 */
import { once, setMaxListeners } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { type Clock, deriveSeed, type Random, RealClock, SeededRandom, sampleLatency } from '@manifest-lab/manifest-core';
import type { FaultPlan } from './fault-plan.js';
import { httpEndpointAddress, type NetworkWindow, networkWindows } from './network-windows.js';

export interface TcpFaultProxyOptions {
  /** Where to forward: `host:port` parts, or an `http://` endpoint URL. */
  readonly target: { readonly host: string; readonly port: number } | string;
  readonly plan: FaultPlan;
  /** Port to listen on (127.0.0.1); default 0, an ephemeral one. */
  readonly port?: number;
  /** Seed of the sampled (lognormal) latencies; default 1. */
  readonly seed?: number;
}

/** What the proxy did, for the run's record and for tests. */
export interface TcpFaultProxyCounts {
  /** Client connections accepted. */
  connections: number;
  /** Connections reset as they arrived, during a reset outage. */
  refused: number;
  /** Open connections reset when a reset outage began. */
  resets: number;
  /** Connections closed when a blackhole ended. */
  dropped: number;
  /** Client→server chunks held back by a latency window. */
  delayedChunks: number;
  /** Chunks swallowed by a blackhole. */
  blackholedChunks: number;
  /** Chunks paced by a bandwidth window. */
  throttledChunks: number;
  /** Bytes forwarded client→server and server→client. */
  bytesUp: number;
  bytesDown: number;
}

/** Queued bytes per direction above which the sender is paused (backpressure through the proxy). */
const HIGH_WATER = 1 << 20;

export class TcpFaultProxy {
  readonly counts: TcpFaultProxyCounts = {
    connections: 0,
    refused: 0,
    resets: 0,
    dropped: 0,
    delayedChunks: 0,
    blackholedChunks: 0,
    throttledChunks: 0,
    bytesUp: 0,
    bytesDown: 0,
  };
  readonly windows: readonly NetworkWindow[];
  readonly #target: { readonly host: string; readonly port: number };
  readonly #listenPort: number;
  readonly #random: Random;
  readonly #connections = new Set<Connection>();
  readonly #stop = new AbortController();
  #calm = false;
  #server: Server | undefined;
  #t0: number | undefined;
  #port: number | undefined;

  constructor(
    options: TcpFaultProxyOptions,
    readonly clock: Clock = new RealClock(),
  ) {
    const target = typeof options.target === 'string' ? httpEndpointAddress(options.target) : options.target;
    if (target === undefined) throw new Error(`TcpFaultProxy forwards plain TCP: the target must be an http:// URL or host and port, got ${String(options.target)}`);
    this.#target = target;
    this.#listenPort = options.port ?? 0;
    this.#random = new SeededRandom(deriveSeed(options.seed ?? 1, 'tcp-fault-proxy'));
    this.windows = networkWindows(options.plan).windows;
    // One listener per scheduled boundary and per pending delay: more than Node's default ten.
    setMaxListeners(0, this.#stop.signal);
  }

  /** The listening port (after `start()`). */
  get port(): number {
    if (this.#port === undefined) throw new Error('TcpFaultProxy: not started');
    return this.#port;
  }

  /** `http://127.0.0.1:<port>`: the endpoint to give the client instead of the target. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Milliseconds since `start()`: the time the plan's windows are measured in. */
  elapsedMs(): number {
    return this.#t0 === undefined ? 0 : this.clock.now() - this.#t0;
  }

  /** Listen, and start the plan's clock. */
  async start(): Promise<void> {
    if (this.#server !== undefined) throw new Error('TcpFaultProxy: already started');
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
    this.#server = server;
    server.listen(this.#listenPort, '127.0.0.1');
    await once(server, 'listening');
    this.#port = (server.address() as AddressInfo).port;
    this.#t0 = this.clock.now();
    for (const w of this.windows) {
      if (w.fault.kind !== 'outage') continue;
      if (w.fault.mode === 'reset') void this.#at(w.start_s * 1000, () => this.#resetAll());
      else void this.#at(w.end_s * 1000, () => this.#endBlackhole(w));
    }
  }

  /**
   * End every fault now and from now on, but keep forwarding: for what follows a run (reading
   * the store back to check it). Connections a blackhole holds are dropped, as at its end.
   */
  calm(): void {
    if (this.#calm) return;
    const held = this.#blackholed(this.elapsedMs());
    this.#calm = true;
    if (held) for (const c of this.#connections) this.#drop(c);
  }

  /** Stop listening and close every connection; pending delays are cancelled. */
  async close(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    for (const c of this.#connections) c.destroy();
    const server = this.#server;
    if (server === undefined || !server.listening) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The windows active at `ms` since start. */
  activeAt(ms: number): NetworkWindow[] {
    if (this.#calm) return [];
    return this.windows.filter((w) => ms >= w.start_s * 1000 && ms < w.end_s * 1000);
  }

  async #at(ms: number, action: () => void): Promise<void> {
    try {
      // A timer may fire a fraction of a millisecond early: act only once the time has come.
      while (this.elapsedMs() < ms) await this.clock.sleep(Math.max(1, ms - this.elapsedMs()), this.#stop.signal);
    } catch {
      return; // closed
    }
    if (!this.#calm) action(); // after calm() no fault acts, scheduled ones included
  }

  #resetAll(): void {
    for (const c of this.#connections) {
      this.counts.resets++;
      c.reset();
    }
  }

  /** A blackhole ended: close what it held, so clients see the failure and reconnect. */
  #endBlackhole(ended: NetworkWindow): void {
    const now = this.elapsedMs();
    const other = this.activeAt(now).some((w) => w !== ended && w.fault.kind === 'outage' && w.fault.mode === 'blackhole');
    if (other) return; // another one still holds them, and drops them at its end
    for (const c of this.#connections) this.#drop(c);
  }

  #drop(c: Connection): void {
    this.counts.dropped++;
    c.destroy();
  }

  #blackholed(ms: number): boolean {
    return this.activeAt(ms).some((w) => w.fault.kind === 'outage' && w.fault.mode === 'blackhole');
  }

  #accept(client: Socket): void {
    this.counts.connections++;
    const ms = this.elapsedMs();
    if (this.#stop.signal.aborted) {
      client.destroy();
      return;
    }
    if (this.activeAt(ms).some((w) => w.fault.kind === 'outage' && w.fault.mode === 'reset')) {
      this.counts.refused++;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: this.#target.host, port: this.#target.port, allowHalfOpen: true });
    const conn = new Connection(client, upstream, this.#stop.signal, () => this.#connections.delete(conn));
    this.#connections.add(conn);
    new Pump(this, conn, client, upstream, 'up').attach();
    new Pump(this, conn, upstream, client, 'down').attach();
  }

  /** Delay for a chunk that arrived at `arrivedMs` (since start): the sum over its latency windows. */
  latencyFor(arrivedMs: number): number {
    let ms = 0;
    for (const w of this.activeAt(arrivedMs)) {
      const f = w.fault;
      if (f.kind !== 'latency') continue;
      ms += f.p99_ms === undefined ? f.ms : sampleLatency({ kind: 'lognormal', medianMs: f.ms, p99Ms: f.p99_ms }, this.#random);
    }
    return ms;
  }

  /** Bytes per second allowed now (the tightest active window), or undefined for no limit. */
  bandwidthAt(ms: number): number | undefined {
    let limit: number | undefined;
    for (const w of this.activeAt(ms)) if (w.fault.kind === 'bandwidth') limit = Math.min(limit ?? Number.POSITIVE_INFINITY, w.fault.bytes_per_s);
    return limit;
  }

  blackholedAt(ms: number): boolean {
    return this.#blackholed(ms);
  }
}

/** One client connection and its upstream twin. */
class Connection {
  closed = false;
  readonly #abort = new AbortController();

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
    stop: AbortSignal,
    private readonly onClose: () => void,
  ) {
    setMaxListeners(0, this.#abort.signal);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      // A peer's reset or refusal ends the pair; the other side just sees the close.
      s.on('error', () => this.destroy());
      s.on('close', () => this.destroy());
    }
    if (stop.aborted) this.destroy();
  }

  /** Aborted when the connection closes: cancels its pending delays and waits. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.#abort.abort();
    this.client.destroy();
    this.upstream.destroy();
    this.onClose();
  }

  /** Reset the client side (a TCP RST: it sees ECONNRESET) and close the upstream. */
  reset(): void {
    if (this.closed) return;
    if (!this.client.destroyed) this.client.resetAndDestroy();
    this.destroy();
  }
}

/** One direction of a connection: an ordered queue of chunks, each delayed, paced or swallowed. */
class Pump {
  readonly #queue: { chunk: Uint8Array; arrivedMs: number }[] = [];
  #queued = 0;
  #running = false;
  #ended = false;
  /** When the bandwidth budget lets the next byte go (proxy ms). */
  #nextFreeMs = 0;

  constructor(
    private readonly proxy: TcpFaultProxy,
    private readonly conn: Connection,
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly dir: 'up' | 'down',
  ) {}

  attach(): void {
    this.from.on('data', (data: Buffer) => {
      const chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      this.#queue.push({ chunk, arrivedMs: this.proxy.elapsedMs() });
      this.#queued += chunk.length;
      if (this.#queued > HIGH_WATER) this.from.pause();
      this.#kick();
    });
    this.from.on('end', () => {
      this.#ended = true;
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    this.#run().catch(() => this.conn.destroy());
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const item = this.#queue.shift();
        if (item === undefined || this.conn.closed) break;
        this.#queued -= item.chunk.length;
        if (this.#queued <= HIGH_WATER / 2 && this.from.isPaused()) this.from.resume();
        await this.#forward(item.chunk, item.arrivedMs);
      }
      // Everything before the end has gone: pass the half-close on.
      if (this.#ended && this.#queue.length === 0 && !this.conn.closed && !this.proxy.blackholedAt(this.proxy.elapsedMs())) this.to.end();
    } finally {
      this.#running = false;
    }
  }

  async #forward(chunk: Uint8Array, arrivedMs: number): Promise<void> {
    const { proxy, conn } = this;
    const clock = proxy.clock;
    if (this.dir === 'up') {
      const delay = proxy.latencyFor(arrivedMs);
      if (delay > 0) {
        proxy.counts.delayedChunks++;
        // From its arrival, not from when the previous chunk left: a request split into many
        // chunks is delayed once, and order is kept because the queue is served in order.
        const wait = arrivedMs + delay - proxy.elapsedMs();
        if (wait > 0) await clock.sleep(wait, conn.signal);
      }
    }
    let throttled = false;
    for (let off = 0; off < chunk.length; ) {
      if (conn.closed) return;
      const now = proxy.elapsedMs();
      if (proxy.blackholedAt(now)) {
        proxy.counts.blackholedChunks++;
        return;
      }
      const limit = proxy.bandwidthAt(now);
      let slice = chunk.subarray(off);
      if (limit !== undefined) {
        if (!throttled) proxy.counts.throttledChunks++;
        throttled = true;
        // Slices of about 50 ms of budget, each sent when the budget allows.
        slice = chunk.subarray(off, off + Math.max(1, Math.ceil(limit / 20)));
        if (this.#nextFreeMs > now) {
          await clock.sleep(this.#nextFreeMs - now, conn.signal);
          continue; // the window may have changed while we waited
        }
        this.#nextFreeMs = now + (slice.length / limit) * 1000;
      }
      off += slice.length;
      if (this.dir === 'up') proxy.counts.bytesUp += slice.length;
      else proxy.counts.bytesDown += slice.length;
      if (!this.to.write(slice)) await once(this.to, 'drain', { signal: conn.signal });
    }
  }
}
