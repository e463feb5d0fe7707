/**
 * The plan's network windows on a real Toxiproxy server (`--toxiproxy URL`): one proxy in front
 * of the S3 endpoint, and at each window's start the matching toxics, removed at its end. The
 * mapping (`toxicsForWindow`) is pure; `ToxiproxyFaults` drives the server over real time.
 */
import { setMaxListeners } from 'node:events';
import { threadId } from 'node:worker_threads';
import { type Clock, RealClock } from '@manifest-lab/manifest-core';
import { type Proxy as ToxiproxyProxy, type Toxic, Toxiproxy } from 'toxiproxy-node-client';
import type { FaultPlan, FaultWindow } from './fault-plan.js';
import { httpEndpointAddress, isNetworkWindow, type NetworkWindow, networkWindows } from './network-windows.js';

/** A toxic as Toxiproxy's API takes it (`POST /proxies/{proxy}/toxics`). */
export interface ToxicSpec {
  readonly name: string;
  readonly type: 'latency' | 'bandwidth' | 'reset_peer' | 'timeout';
  /** `upstream`: client→server; `downstream`: server→client. */
  readonly stream: 'upstream' | 'downstream';
  /** Share of connections affected; always 1 (the plan's windows touch every request). */
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
}

/**
 * The toxics that apply `window` on a Toxiproxy proxy; none for a window Toxiproxy cannot
 * apply (a non-network fault, or one targeted at clients, request kinds or keys). Names are
 * `<name>-<stream>`, unique per window if `name` is.
 */
export function toxicsForWindow(window: FaultWindow, name = toxicName(window.label)): ToxicSpec[] {
  if (!isNetworkWindow(window)) return [];
  const f = window.fault;
  const toxic = (type: ToxicSpec['type'], stream: ToxicSpec['stream'], attributes: Record<string, number>): ToxicSpec => ({
    name: `${name}-${stream}`,
    type,
    stream,
    toxicity: 1,
    attributes,
  });
  const both = (type: ToxicSpec['type'], attributes: Record<string, number>) => [toxic(type, 'upstream', attributes), toxic(type, 'downstream', attributes)];
  switch (f.kind) {
    case 'latency': {
      // Like the TCP fault proxy, delay the requests. Toxiproxy's jitter is uniform ±: keep the
      // median at `ms` and reach toward p99, never below zero.
      const jitter = f.p99_ms === undefined ? 0 : Math.round(Math.min(f.ms, f.p99_ms - f.ms));
      return [toxic('latency', 'upstream', { latency: Math.round(f.ms), jitter })];
    }
    case 'bandwidth':
      // Toxiproxy's rate is in KB/s of 1000 bytes, whole numbers; 0 would mean unlimited.
      return both('bandwidth', { rate: Math.max(1, Math.round(f.bytes_per_s / 1000)) });
    case 'outage':
      // reset_peer with timeout 0 resets a connection at its next byte; timeout with timeout 0
      // swallows everything and closes the connection when the toxic is removed (the window's end).
      return f.mode === 'reset' ? both('reset_peer', { timeout: 0 }) : both('timeout', { timeout: 0 });
  }
}

function toxicName(label: string): string {
  return label.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'fault';
}

export interface ToxiproxyFaultsOptions {
  /** Toxiproxy's API, e.g. `http://127.0.0.1:8474`. */
  readonly url: string;
  /** What the proxy forwards to: an `http://` endpoint URL or `host:port`. */
  readonly upstream: string;
  readonly plan: FaultPlan;
  /** Where the Toxiproxy proxy listens; default `127.0.0.1:0` (the server picks a port). */
  readonly listen?: string;
  /** The proxy's name; default one unique to this process and thread. */
  readonly name?: string;
}

/** A toxic added or removed, for the run's record and for tests. */
export interface ToxicEvent {
  readonly atMs: number;
  readonly action: 'added' | 'removed';
  readonly toxic: string;
}

let proxySeq = 0;

export class ToxiproxyFaults {
  readonly windows: readonly NetworkWindow[];
  readonly events: ToxicEvent[] = [];
  /** Failures talking to Toxiproxy mid-run; `stop()` reports them. */
  readonly errors: string[] = [];
  readonly #client: Toxiproxy;
  readonly #options: ToxiproxyFaultsOptions;
  readonly #stop = new AbortController();
  readonly #tasks: Promise<void>[] = [];
  #proxy: ToxiproxyProxy | undefined;
  #t0 = 0;

  constructor(
    options: ToxiproxyFaultsOptions,
    readonly clock: Clock = new RealClock(),
  ) {
    this.#options = options;
    this.#client = new Toxiproxy(options.url.replace(/\/+$/, ''));
    this.windows = networkWindows(options.plan).windows;
    setMaxListeners(0, this.#stop.signal);
  }

  /** `host:port` the proxy listens on, as Toxiproxy reports it (after `start()`). */
  get listen(): string {
    if (this.#proxy === undefined) throw new Error('ToxiproxyFaults: not started');
    return this.#proxy.listen;
  }

  /** The endpoint to give the client instead of the upstream. */
  get endpoint(): string {
    // A proxy on every interface is reached on loopback.
    return `http://${this.listen.replace(/^(0\.0\.0\.0|\[::\]|):/, '127.0.0.1:')}`;
  }

  elapsedMs(): number {
    return this.clock.now() - this.#t0;
  }

  /** Create the proxy, then add and remove each window's toxics on time (since this call). */
  async start(): Promise<void> {
    const upstream = httpEndpointAddress(this.#options.upstream);
    this.#proxy = await this.#client.createProxy({
      name: this.#options.name ?? `manifest-lab-${process.pid}-${threadId}-${proxySeq++}`,
      listen: this.#options.listen ?? '127.0.0.1:0',
      upstream: upstream === undefined ? this.#options.upstream : `${upstream.host.includes(':') ? `[${upstream.host}]` : upstream.host}:${upstream.port}`,
      enabled: true,
    });
    this.#t0 = this.clock.now();
    for (const [i, w] of this.windows.entries()) this.#tasks.push(this.#runWindow(w, `w${i}-${toxicName(w.label)}`));
  }

  async #runWindow(w: NetworkWindow, name: string): Promise<void> {
    const proxy = this.#proxy as ToxiproxyProxy;
    const signal = this.#stop.signal;
    try {
      await this.clock.sleep(Math.max(0, w.start_s * 1000 - this.elapsedMs()), signal);
    } catch {
      return; // stopped before the window
    }
    const added: Toxic<unknown>[] = [];
    for (const spec of toxicsForWindow(w, name)) {
      try {
        added.push(await proxy.addToxic({ ...spec, attributes: { ...spec.attributes } }));
        this.events.push({ atMs: this.elapsedMs(), action: 'added', toxic: spec.name });
      } catch (err) {
        this.errors.push(`adding toxic ${spec.name} (window "${w.label}"): ${(err as Error).message}`);
      }
    }
    try {
      await this.clock.sleep(Math.max(0, w.end_s * 1000 - this.elapsedMs()), signal);
    } catch {
      // Calmed or stopped mid-window: the toxics go now.
    }
    for (const toxic of added) {
      try {
        await toxic.remove();
        this.events.push({ atMs: this.elapsedMs(), action: 'removed', toxic: toxic.name });
      } catch (err) {
        this.errors.push(`removing toxic ${toxic.name} (window "${w.label}"): ${(err as Error).message}`);
      }
    }
  }

  /** End every fault now (remove the active toxics, cancel later windows) but keep the proxy: for what follows a run. */
  async calm(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#tasks);
  }

  /** `calm()`, then delete the proxy; throws if Toxiproxy failed us on the way. */
  async stop(): Promise<void> {
    await this.calm();
    const proxy = this.#proxy;
    this.#proxy = undefined;
    if (proxy !== undefined) {
      try {
        await proxy.remove();
      } catch (err) {
        this.errors.push(`deleting proxy ${proxy.name}: ${(err as Error).message}`);
      }
    }
    if (this.errors.length > 0) throw new Error(`Toxiproxy at ${this.#options.url}: ${this.errors.join('; ')}`);
  }
}
