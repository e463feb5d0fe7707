import type { Random } from '@manifest-lab/manifest-core';

/**
 * The keys a workload touches: `keys_per_writer` private keys per writer plus `shared_keys`
 * shared by all. `key_overlap_ratio` is the probability that one key choice of a writer is
 * drawn from the shared pool (0 = disjoint writers, 1 = every choice shared).
 */
export class KeyPool {
  readonly shared: readonly string[];
  readonly #private: readonly (readonly string[])[];

  constructor(
    readonly numWriters: number,
    readonly keysPerWriter: number,
    sharedKeys: number,
    readonly overlapRatio: number,
  ) {
    this.shared = Array.from({ length: sharedKeys }, (_, i) => `shared/${pad(i)}`);
    this.#private = Array.from({ length: numWriters }, (_, w) =>
      Array.from({ length: keysPerWriter }, (_, i) => `w${pad(w)}/${pad(i)}`),
    );
  }

  /** The private keys of writer `w`. */
  privateKeys(w: number): readonly string[] {
    const keys = this.#private[w];
    if (keys === undefined) throw new RangeError(`no writer ${w} (pool has ${this.numWriters})`);
    return keys;
  }

  /** Every key, shared first. */
  all(): string[] {
    return [...this.shared, ...this.#private.flat()];
  }

  /**
   * `n` distinct keys for writer `w`, sorted. Each draw picks the shared pool with probability
   * `overlapRatio` (the private pool when the other is exhausted), then a key uniformly.
   */
  writerKeys(w: number, n: number, random: Random): string[] {
    const own = this.privateKeys(w);
    const chosen = new Set<string>();
    const limit = Math.min(n, own.length + this.shared.length);
    while (chosen.size < limit) {
      const sharedLeft = this.shared.some((k) => !chosen.has(k));
      const ownLeft = own.some((k) => !chosen.has(k));
      const useShared = sharedLeft && (!ownLeft || random.next() < this.overlapRatio);
      const pool = useShared ? this.shared : own;
      chosen.add(pool[random.int(0, pool.length - 1)] as string);
    }
    return [...chosen].sort();
  }

  /** `n` distinct keys drawn uniformly from all keys, sorted. */
  readerKeys(n: number, random: Random): string[] {
    const all = this.all();
    const chosen = new Set<string>();
    while (chosen.size < Math.min(n, all.length)) chosen.add(all[random.int(0, all.length - 1)] as string);
    return [...chosen].sort();
  }
}

function pad(i: number): string {
  return String(i).padStart(4, '0');
}
