import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Random } from './ports/random.js';

type Generator = ReturnType<typeof xoroshiro128plus>;

/** A seeded `Random` over pure-rand's xoroshiro128+. */
export class SeededRandom implements Random {
  readonly seed: number;
  readonly #rng: Generator;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`seed must be a safe integer, got ${seed}`);
    }
    this.seed = seed;
    // xoroshiro128plus takes a 32-bit seed; fold the high bits in so large seeds stay distinct.
    this.#rng = xoroshiro128plus(mix32(seed));
  }

  next(): number {
    return uniformFloat64(this.#rng);
  }

  int(min: number, max: number): number {
    return uniformInt(this.#rng, min, max);
  }

  fork(label: string | number): Random {
    return new SeededRandom(deriveSeed(this.seed, label));
  }
}

/** A child seed from a parent seed and a label (FNV-1a over both, then a 32-bit finaliser). */
export function deriveSeed(seed: number, label: string | number): number {
  let h = 0x811c9dc5;
  const text = `${seed}/${typeof label}:${label}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h) >>> 0;
}

function mix32(x: number): number {
  let h = (x ^ Math.floor(x / 2 ** 32)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h | 0;
}
