/**
 * The runs' HdrHistograms (compressed base64, recorded in µs) decoded into buckets and a
 * percentile spectrum. hdr-histogram-js decodes the format the workload wrote; its counts
 * array is walked directly because its iterators allocate per bucket.
 */
import hdr from 'hdr-histogram-js';

/** The parts of hdr-histogram-js's JsHistogram that walk its counts. */
interface CountsView {
  readonly totalCount: number;
  readonly countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
}

/** (ms, count) per non-empty bucket, ascending; a bucket's value is its highest equivalent. */
export function decodeHistogram(encoded: string): [number, number][] {
  if (encoded === '') return [];
  const h = hdr.decodeFromCompressedBase64(encoded) as unknown as CountsView;
  const out: [number, number][] = [];
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c > 0) out.push([h.highestEquivalentValue(h.valueFromIndex(i)) / 1000, c]);
  }
  return out;
}

export interface SpectrumPoint {
  /** Percentile rank of the bucket's middle sample, 0–100 (never 100: see below). */
  readonly percentile: number;
  readonly ms: number;
}

/**
 * The percentile spectrum: each bucket at the rank of its middle sample. Placing a bucket at
 * its mid-rank keeps the maximum below the 100th percentile, which a 1/(1 − p) axis cannot show.
 */
export function spectrum(buckets: readonly [number, number][]): SpectrumPoint[] {
  const total = buckets.reduce((a, [, c]) => a + c, 0);
  let below = 0;
  return buckets.map(([ms, c]) => {
    const point = { percentile: (100 * (below + c / 2)) / total, ms };
    below += c;
    return point;
  });
}

/** The value at percentile p, as HDR computes it (the bucket holding the ceil(p·n)-th sample). */
export function percentileOf(buckets: readonly [number, number][], p: number): number | null {
  const total = buckets.reduce((a, [, c]) => a + c, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [ms, c] of buckets) {
    seen += c;
    if (seen >= rank) return ms;
  }
  return buckets.at(-1)![0];
}
