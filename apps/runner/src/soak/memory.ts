/**
 * The memory of the isolate running a soak (each sweep worker is its own isolate, so this is
 * per run) and of the whole process. A forced full GC before the live reading removes the
 * garbage sawtooth, so a slope over time measures what is retained, not when V8 last collected.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemorySample {
  /** V8 heap in use as found (garbage included), MB. */
  readonly heap_used_mb: number;
  /** V8 heap in use after a full GC: what the isolate retains, MB. */
  readonly heap_live_mb: number;
  /** Resident set size of the whole process (every worker), MB. */
  readonly rss_mb: number;
}

let gc: (() => void) | undefined;

/** V8's `gc()`, exposed at run time (a context made after the flag is set has it). */
function fullGc(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** The live heap now (after a full GC), MB. */
export function liveHeapMb(): number {
  fullGc();
  return mb(getHeapStatistics().used_heap_size);
}

export function sampleMemory(): MemorySample {
  const used = getHeapStatistics().used_heap_size;
  fullGc();
  const live = getHeapStatistics().used_heap_size;
  return { heap_used_mb: mb(used), heap_live_mb: mb(live), rss_mb: mb(process.memoryUsage.rss()) };
}

function mb(bytes: number): number {
  return Math.round((bytes / 1e6) * 1000) / 1000;
}
