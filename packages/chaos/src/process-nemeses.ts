/**
 * Nemeses that act on processes rather than on requests: a client's wall clock running ahead
 * or behind (§6.7), and compactors (with GC) running beside the workload (§6.4–§6.6). Together
 * with `FaultyObjectStore` they make up `chaosEnvironment`, what a workload run needs to apply
 * a whole fault plan.
 */
import { type Clock, type CompactorCalls, compactionRound, type ObjectStore, type Random, type RetentionPolicy } from '@manifest-lab/manifest-core';
import { type Fault, type FaultPlan, faultWindowRecords, type FaultWindow } from './fault-plan.js';
import { FaultyObjectStore } from './faulty-store.js';

/**
 * A client's clock with `skew` windows applied to its wall clock: lease stamps and expiry
 * checks move, while `now` and `sleep` — the run's shared timeline — do not.
 */
export class SkewedClock implements Clock {
  readonly #windows: readonly FaultWindow[];

  constructor(
    private readonly inner: Clock,
    windows: readonly FaultWindow[],
  ) {
    this.#windows = windows.filter((w) => w.fault.kind === 'skew');
  }

  now(): number {
    return this.inner.now();
  }

  wallNow(): number {
    const now = this.inner.now();
    let offset = 0;
    for (const w of this.#windows) {
      if (w.fault.kind === 'skew' && now >= w.start_s * 1000 && now < w.end_s * 1000) offset += w.fault.ms;
    }
    return this.inner.wallNow() + offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.inner.sleep(ms, signal);
  }
}

/** What a compaction nemesis did, summed over its compactors. */
export interface CompactionCounts {
  /** `compact_once` (or `compact_and_gc`) calls that published a checkpoint. */
  checkpoints: number;
  /** `gc_compute` calls that installed a plan (three-phase GC). */
  gc_plans: number;
  /** `gc_compute` calls that found no plan to install. */
  gc_skipped: number;
  /** Compaction or GC calls that failed (they are part of the experiment). */
  errors: number;
}

type CompactionFault = Extract<Fault, { kind: 'compaction' }>;

/** The compactor API the nemesis drives (any manifest's `compactor()`). */
type CompactorLike = CompactorCalls;

/** What the workload gives a background process (structurally the workload's `BackgroundContext`). */
export interface NemesisHost {
  readonly clock: Clock;
  manifest(name: string, retention?: Partial<RetentionPolicy>): { compactor(): CompactorLike };
  headMoved(): void;
}

/**
 * Run each `compaction` window's compactors (`compactor-0`, … — a plan can target them by
 * name, e.g. to slow one down) every `every_s` inside the window.
 */
export function compactionNemesis(plan: FaultPlan, counts: CompactionCounts) {
  const windows = plan.windows.filter((w): w is FaultWindow & { fault: CompactionFault } => w.fault.kind === 'compaction');
  return (host: NemesisHost) => {
    const controller = new AbortController();
    let next = 0;
    const loops = windows.flatMap((w) =>
      Array.from({ length: w.fault.compactors }, () => {
        const name = `compactor-${next++}`;
        const retention = w.fault.min_ttl_ms === undefined ? undefined : { checkpointsMinTtlMs: w.fault.min_ttl_ms, segmentsMinTtlMs: w.fault.min_ttl_ms };
        return compactorLoop(host, name, w, retention, counts, controller.signal);
      }),
    );
    return {
      stop: async () => {
        controller.abort();
        await Promise.all(loops);
      },
    };
  };
}

async function compactorLoop(
  host: NemesisHost,
  name: string,
  w: FaultWindow & { fault: CompactionFault },
  retention: Partial<RetentionPolicy> | undefined,
  counts: CompactionCounts,
  signal: AbortSignal,
): Promise<void> {
  const { clock } = host;
  const compactor = host.manifest(name, retention).compactor();
  const endMs = w.end_s * 1000;
  let last = '';
  try {
    await clock.sleep(Math.max(0, w.start_s * 1000 - clock.now()), signal);
    while (clock.now() < endMs) {
      await clock.sleep(w.fault.every_s * 1000, signal);
      if (clock.now() >= endMs) break;
      try {
        await compactionRound(compactor, w.fault.gc, {
          published: (id) => {
            counts.checkpoints++;
            // Re-publishing the same checkpoint leaves HEAD's bytes, and so its tag, unchanged.
            if (id !== last) host.headMoved();
            last = id;
          },
          planned: (installed) => {
            if (installed) counts.gc_plans++;
            else counts.gc_skipped++;
          },
        });
      } catch {
        counts.errors++;
      }
    }
  } catch {
    // stopped
  }
}

/** The parts of a workload environment that apply a fault plan (see `@manifest-lab/workload`). */
export interface ChaosEnvironment {
  readonly wrapClientStore: (store: ObjectStore, client: string, clock: Clock, random: Random) => ObjectStore;
  readonly wrapClientClock: (clock: Clock, client: string) => Clock;
  readonly background: (host: NemesisHost) => { stop(): Promise<void> };
  readonly faultWindows: { label: string; start_s: number; end_s: number }[];
  /** What the nemeses did, filled in as the run goes. */
  readonly compaction: CompactionCounts;
  /** Every client's store, one per incarnation (a crashed client's replacement gets a new one). */
  readonly stores: FaultyObjectStore[];
}

/** Everything a workload run needs to apply `plan`: request faults, skewed clocks, compactors, nemesis entries. */
export function chaosEnvironment(plan: FaultPlan): ChaosEnvironment {
  const compaction: CompactionCounts = { checkpoints: 0, gc_plans: 0, gc_skipped: 0, errors: 0 };
  const stores: FaultyObjectStore[] = [];
  const fired = new Map<string, Set<FaultWindow>>();
  return {
    // Called once per incarnation of a client: a crashed process's store stays dead, and the
    // new one shares what already fired.
    wrapClientStore: (store, client, clock, random) => {
      let own = fired.get(client);
      if (own === undefined) {
        own = new Set();
        fired.set(client, own);
      }
      const faulty = new FaultyObjectStore(store, plan, client, clock, random, own);
      stores.push(faulty);
      return faulty;
    },
    wrapClientClock: (clock, client) => {
      const skews = plan.windows.filter((w) => w.fault.kind === 'skew' && (w.target?.clients === undefined || w.target.clients.includes(client)));
      return skews.length === 0 ? clock : new SkewedClock(clock, skews);
    },
    background: compactionNemesis(plan, compaction),
    faultWindows: faultWindowRecords(plan),
    compaction,
    stores,
  };
}
