/**
 * A fault plan in real time, where some faults can be real instead of modelled: the network
 * windows go to a fault proxy in front of the S3 endpoint (the TCP fault proxy, or a Toxiproxy
 * server with `--toxiproxy`), and the cpu windows burn real CPU on worker threads. Everything
 * else stays with `FaultyObjectStore` at the store seam.
 */
import {
  type CpuBurn,
  type FaultPlan,
  type FaultWindow,
  faultWindowRecords,
  httpEndpointAddress,
  networkWindows,
  startCpuBurn,
  storeWindows,
  TcpFaultProxy,
  type TcpFaultProxyCounts,
  ToxiproxyFaults,
} from '@manifest-lab/chaos';
import { type Clock, RealClock } from '@manifest-lab/manifest-core';
import type { Backend } from './backend.js';

export interface RealTimeFaultOptions {
  /** Apply the network windows on this Toxiproxy server (its API URL) instead of the built-in proxy. */
  readonly toxiproxyUrl?: string | undefined;
  /** Seed of the proxy's sampled latencies (the run's seed). */
  readonly seed?: number;
  readonly clock?: Clock;
}

export interface RealTimeFaults {
  /** The backend to open: an S3 endpoint rewritten to the proxy's when it carries the network windows. */
  readonly backend: Backend;
  /** What is left for `FaultyObjectStore`. */
  readonly storePlan: FaultPlan;
  /** Every window of the plan, for nemesis entries and the split metrics. */
  readonly faultWindows: ReturnType<typeof faultWindowRecords>;
  /** The built-in proxy, when it carries the network windows. */
  readonly proxy?: TcpFaultProxy;
  readonly toxiproxy?: ToxiproxyFaults;
  /** CPU burns started so far. */
  readonly cpuBurns: () => number;
  proxyCounts(): TcpFaultProxyCounts | undefined;
  /** End every fault but keep the proxy forwarding: for reading the store back after the run. */
  calm(): Promise<void>;
  /** End everything: burners terminated, proxy closed. Throws if a fault could not be applied. */
  stop(): Promise<void>;
}

/** The windows burned as real CPU: untargeted `cpu` windows (a burner cannot pick the clients it slows). */
function burnsCpu(w: FaultWindow): boolean {
  const t = w.target;
  return w.fault.kind === 'cpu' && (t === undefined || (t.clients === undefined && t.kinds === undefined && t.key_contains === undefined));
}

/**
 * Start the real parts of `plan` (times count from this call: start it just before the run).
 * The network windows are put on a proxy only for an S3 backend at an `http://` endpoint (a TCP
 * proxy cannot stand in for TLS); otherwise they stay with the store model.
 */
export async function startRealTimeFaults(plan: FaultPlan, backend: Backend, opts: RealTimeFaultOptions = {}): Promise<RealTimeFaults> {
  const clock = opts.clock ?? new RealClock();
  const t0 = clock.now();
  const net = networkWindows(plan);
  const target = backend.kind === 's3' && backend.endpoint !== undefined ? httpEndpointAddress(backend.endpoint) : undefined;
  if (opts.toxiproxyUrl !== undefined && target === undefined) {
    throw new Error('--toxiproxy needs --backend s3 with an http:// --endpoint: Toxiproxy forwards plain TCP to it.');
  }
  const proxied = target !== undefined && backend.kind === 's3' && net.windows.length > 0;
  const burned = plan.windows.filter(burnsCpu);
  const rest = proxied ? storeWindows(plan) : plan;
  const storePlan: FaultPlan = { name: plan.name, windows: rest.windows.filter((w) => !burnsCpu(w)) };

  let proxy: TcpFaultProxy | undefined;
  let toxiproxy: ToxiproxyFaults | undefined;
  let endpoint: string | undefined;
  if (proxied && target !== undefined) {
    if (opts.toxiproxyUrl !== undefined) {
      toxiproxy = new ToxiproxyFaults({ url: opts.toxiproxyUrl, upstream: backend.endpoint as string, plan: net }, clock);
      await toxiproxy.start();
      endpoint = toxiproxy.endpoint;
    } else {
      proxy = new TcpFaultProxy({ target, plan: net, ...(opts.seed === undefined ? {} : { seed: opts.seed }) }, clock);
      await proxy.start();
      endpoint = proxy.url;
    }
  }

  const stopping = new AbortController();
  const errors: string[] = [];
  let burns = 0;
  const burnTasks = burned.map(async (w) => {
    const f = w.fault as Extract<FaultWindow['fault'], { kind: 'cpu' }>;
    const elapsed = () => clock.now() - t0;
    try {
      await clock.sleep(Math.max(0, w.start_s * 1000 - elapsed()), stopping.signal);
    } catch {
      return; // stopped before the window
    }
    let burn: CpuBurn;
    try {
      burn = await startCpuBurn({ threads: f.threads, duty: f.duty });
      burns++;
    } catch (err) {
      errors.push(`burning CPU for "${w.label}": ${(err as Error).message}`);
      return;
    }
    try {
      await clock.sleep(Math.max(0, w.end_s * 1000 - elapsed()), stopping.signal);
    } catch {
      // stopped mid-window
    } finally {
      await burn.stop().catch((err: Error) => errors.push(`stopping the CPU burn of "${w.label}": ${err.message}`));
    }
  });

  const calm = async () => {
    stopping.abort();
    await Promise.all(burnTasks);
    proxy?.calm();
    await toxiproxy?.calm();
  };
  let stopped: Promise<void> | undefined;
  return {
    backend: endpoint !== undefined && backend.kind === 's3' ? { ...backend, endpoint } : backend,
    storePlan,
    faultWindows: faultWindowRecords(plan),
    ...(proxy === undefined ? {} : { proxy }),
    ...(toxiproxy === undefined ? {} : { toxiproxy }),
    cpuBurns: () => burns,
    proxyCounts: () => (proxy === undefined ? undefined : { ...proxy.counts }),
    calm,
    stop: () => {
      stopped ??= (async () => {
        await calm();
        await proxy?.close();
        try {
          await toxiproxy?.stop();
        } catch (err) {
          errors.push((err as Error).message);
        }
        if (errors.length > 0) throw new Error(`real-time faults of plan "${plan.name}": ${errors.join('; ')}`);
      })();
      return stopped;
    },
  };
}
