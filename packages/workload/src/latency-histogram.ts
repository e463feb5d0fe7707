import hdr from 'hdr-histogram-js';

/** Percentiles of one latency distribution, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly mean_ms: number;
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly p999_ms: number;
  readonly max_ms: number;
}

/**
 * An HDR histogram of latencies (3 significant digits), recorded in microseconds so sub-ms
 * loopback latencies keep their resolution; summaries are reported in ms.
 */
export class LatencyHistogram {
  readonly #h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000, // one hour in µs
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });

  record(ms: number): void {
    this.#h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.#h.totalCount;
  }

  summary(): LatencySummary {
    const h = this.#h;
    const at = (p: number) => (h.totalCount === 0 ? 0 : round3(h.getValueAtPercentile(p) / 1000));
    return {
      count: h.totalCount,
      mean_ms: h.totalCount === 0 ? 0 : round3(mean(h) / 1000),
      p50_ms: at(50),
      p90_ms: at(90),
      p95_ms: at(95),
      p99_ms: at(99),
      p999_ms: at(99.9),
      // At HDR resolution (like the percentiles), so a decoded histogram summarises identically.
      max_ms: at(100),
    };
  }

  /** The histogram in HdrHistogram's compressed base64 form (decodable by every HDR port). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#h);
  }

  /** The recorded values of an encoded histogram as (ms, count) buckets, ascending. */
  static decodeBuckets(encoded: string): [number, number][] {
    const h = hdr.decodeFromCompressedBase64(encoded) as unknown as CountsView;
    const out: [number, number][] = [];
    // The value HDR reports for a bucket in a percentile: its highest equivalent value.
    for (let i = 0; i < h.countsArrayLength; i++) {
      const c = h.getCountAtIndex(i);
      if (c > 0) out.push([round3(h.highestEquivalentValue(h.valueFromIndex(i)) / 1000), c]);
    }
    return out;
  }

  static decodeSummary(encoded: string): LatencySummary {
    const decoded = hdr.decodeFromCompressedBase64(encoded);
    const out = new LatencyHistogram();
    out.#h.add(decoded);
    return out.summary();
  }
}

/** The parts of hdr-histogram-js's JsHistogram that walk its counts directly. */
interface CountsView {
  readonly totalCount: number;
  readonly countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
}

/**
 * HDR's mean (each bucket at its median equivalent value), summed over the counts array: the
 * library's own getter walks an iterator object per bucket and was a third of a run's CPU.
 */
function mean(histogram: unknown): number {
  const h = histogram as CountsView;
  let total = 0;
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c > 0) total += h.medianEquivalentValue(h.valueFromIndex(i)) * c;
  }
  return total / h.totalCount;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
