/**
 * Synthetic list-append histories from a correct (strictly serializable) in-memory database,
 * for benchmarks and soak tests of the checker: `concurrency` processes keep transactions in
 * flight; each transaction takes effect atomically at its completion. Keys follow Elle's
 * generator: an exponential choice among `activeKeys`, a key retired after a random number of
 * appends (at most `maxWritesPerKey`).
 */
import type { Random } from '@manifest-lab/manifest-core';
import type { Mop, Op } from './history.js';

export interface SyntheticOptions {
  readonly txns: number;
  readonly concurrency?: number;
  readonly activeKeys?: number;
  readonly maxWritesPerKey?: number;
  readonly maxTxnLength?: number;
}

/** Yields the history's events in order (invoke, ..., completion) without materialising it. */
export function* syntheticListAppend(random: Random, opts: SyntheticOptions): Generator<Op> {
  const concurrency = opts.concurrency ?? 10;
  const nKeys = opts.activeKeys ?? 10;
  const maxWrites = opts.maxWritesPerKey ?? 32;
  const maxLen = opts.maxTxnLength ?? 4;
  const db = new Map<number, number[]>();
  const active = Array.from({ length: nKeys }, (_, i) => i);
  const writesLeft = active.map(() => random.int(1, maxWrites));
  let nextKey = nKeys;
  let element = 0;
  let index = 0;
  let started = 0;
  const inFlight: { process: number; mops: Mop[] }[] = [];
  const pickKey = (): number => {
    // Exponential: key i is half as likely as key i-1.
    let i = 0;
    while (i < nKeys - 1 && random.next() < 0.5) i++;
    return i;
  };
  for (let p = 0; p < concurrency && started < opts.txns; p++, started++) {
    const mops = newTxn();
    inFlight.push({ process: p, mops });
    yield { index: index++, process: p, type: 'invoke', f: 'txn', value: invocation(mops), time: index };
  }
  while (inFlight.length > 0) {
    const slot = random.int(0, inFlight.length - 1);
    const { process, mops } = inFlight[slot] as { process: number; mops: Mop[] };
    inFlight.splice(slot, 1);
    // Apply atomically at completion.
    const done: Mop[] = mops.map(([f, k, v]) => {
      const key = k as number;
      if (f === 'append') {
        const l = db.get(key) ?? [];
        l.push(v as number);
        db.set(key, l);
        return [f, k, v];
      }
      const l = db.get(key);
      return [f, k, l === undefined ? null : [...l]];
    });
    yield { index: index++, process, type: 'ok', f: 'txn', value: done, time: index };
    if (started < opts.txns) {
      started++;
      const next = newTxn();
      inFlight.push({ process, mops: next });
      yield { index: index++, process, type: 'invoke', f: 'txn', value: invocation(next), time: index };
    }
  }

  function newTxn(): Mop[] {
    const len = random.int(1, maxLen);
    const mops: Mop[] = [];
    for (let i = 0; i < len; i++) {
      const slot = pickKey();
      if (random.next() < 0.5) {
        mops.push(['r', active[slot] as number, null]);
      } else {
        if ((writesLeft[slot] as number) <= 0) {
          active[slot] = nextKey++;
          writesLeft[slot] = random.int(1, maxWrites);
        }
        writesLeft[slot] = (writesLeft[slot] as number) - 1;
        mops.push(['append', active[slot] as number, ++element]);
      }
    }
    return mops;
  }
}

/** What a client sends: reads without values. */
function invocation(mops: readonly Mop[]): Mop[] {
  return mops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);
}
