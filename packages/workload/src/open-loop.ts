import type { Clock } from '@manifest-lab/manifest-core';

/** What happened to one arrival: started (after `lagMs`) or dropped. */
export type ArrivalOutcome = { readonly kind: 'started'; readonly lagMs: number } | { readonly kind: 'dropped' };

/**
 * Run `txn` once per arrival, one at a time (a client is one process). An arrival that comes
 * while the client is busy waits in a backlog and starts late — its latency still counts from
 * the intended time, so there is no coordinated omission; beyond `maxBacklog` waiting arrivals
 * the oldest are dropped.
 */
export async function runOpenLoop(
  clock: Clock,
  arrivals: Iterator<number, void, void>,
  maxBacklog: number,
  onArrival: (intendedMs: number, outcome: ArrivalOutcome) => void,
  txn: (intendedMs: number) => Promise<void>,
): Promise<void> {
  const backlog: number[] = [];
  let next = arrivals.next();
  for (;;) {
    const now = clock.now();
    while (!next.done && next.value <= now) {
      backlog.push(next.value);
      next = arrivals.next();
    }
    while (backlog.length > maxBacklog) onArrival(backlog.shift() as number, { kind: 'dropped' });
    const intended = backlog.shift();
    if (intended === undefined) {
      if (next.done) return;
      await clock.sleep(next.value - now);
      continue;
    }
    onArrival(intended, { kind: 'started', lagMs: now - intended });
    await txn(intended);
  }
}
