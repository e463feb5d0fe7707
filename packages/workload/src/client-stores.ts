/**
 * The per-client store layers the research knobs add, outermost first:
 * `HeadCacheStore` (head_cache_ms) → the caller's fault wrappers → `WriterCrashStore`
 * (writer_crash_prob, one per process) → the client's `MeteredObjectStore` → `RemoteLatencyStore`
 * (remote writers) → the shared store. At their defaults none of the optional layers exists, so a
 * run is exactly what it was before the knobs.
 */
import { type Clock, Layout, type ObjectStore, type Random } from '@manifest-lab/manifest-core';
import type { WorkloadConfig } from './config.js';
import { HeadCacheStore } from './head-cache-store.js';
import { MeteredObjectStore } from './metered-store.js';
import type { WorkloadMetrics } from './metrics.js';
import { RemoteLatencyStore } from './remote-latency-store.js';
import type { WorkloadObserver } from './run-workload.js';
import { WriterCrashStore } from './writer-crash-store.js';

/** Whether writer `index` is one of the `remote_writers` (writer-0, writer-1, …). */
export function isRemoteWriter(config: WorkloadConfig, index: number): boolean {
  return index < config.remote_writers && config.remote_latency_ms > 0;
}

/** One client's meter, over the remote-latency layer when it is a remote writer. */
export function clientMeter(
  config: WorkloadConfig,
  role: 'writer' | 'reader',
  index: number,
  store: ObjectStore,
  clock: Clock,
  metrics: WorkloadMetrics,
  observe?: WorkloadObserver,
): MeteredObjectStore {
  const far = role === 'writer' && isRemoteWriter(config, index);
  return new MeteredObjectStore(far ? new RemoteLatencyStore(store, clock, config.remote_latency_ms) : store, clock, metrics, observe);
}

/** A writer process's crash layer (`writer_crash_prob` > 0), fresh for each process. */
export function processStore(config: WorkloadConfig, name: string, store: ObjectStore, clock: Clock, random: () => Random): ObjectStore {
  return name.startsWith('writer-') && config.writer_crash_prob > 0 ? new WriterCrashStore(store, clock, random(), config.writer_crash_prob) : store;
}

/** A client process's HEAD cache (`head_cache_ms` > 0; readers and writers, not compactors). */
export function headCached(config: WorkloadConfig, name: string, prefix: string, store: ObjectStore, clock: Clock): ObjectStore {
  const client = name.startsWith('writer-') || name.startsWith('reader-');
  return client && config.head_cache_ms > 0 ? new HeadCacheStore(store, clock, new Layout(prefix).head, config.head_cache_ms) : store;
}
