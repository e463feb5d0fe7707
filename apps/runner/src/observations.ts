/**
 * Live observations of a run, in a compact form a worker thread can post to the main thread
 * (where `live-metrics.ts` counts them). Kept free of prom-client so workers do not load it.
 */
import type { WorkloadObserver } from '@manifest-lab/workload';

/** `['r', kind, ms, ok]`: a storage request; `['t', role, outcome, ms, attempts]`: a transaction. */
export type Observation = readonly ['r', string, number, boolean] | readonly ['t', 'writer' | 'reader', string, number, number];

/** Send a batch this big at once, without waiting for the next flush. */
const MAX_BATCH = 512;

/** An observer that buffers into batches for `send`; `flush()` sends what is buffered. */
export function bufferedObserver(send: (batch: Observation[]) => void): { readonly observer: WorkloadObserver; flush(): void } {
  let buffer: Observation[] = [];
  const flush = () => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    send(batch);
  };
  const push = (o: Observation) => {
    buffer.push(o);
    if (buffer.length >= MAX_BATCH) flush();
  };
  return {
    observer: {
      request: (kind, ms, ok) => push(['r', kind, ms, ok]),
      transaction: (role, outcome, ms, attempts) => push(['t', role, outcome, ms, attempts]),
    },
    flush,
  };
}
