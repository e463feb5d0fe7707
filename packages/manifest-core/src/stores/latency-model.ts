/**
 * A simulated service-time model for the embedded store: per request kind a latency
 * distribution, plus S3's per-prefix request-rate limits. Samples come from the run's `Random`,
 * so a seed fixes every latency.
 */
import type { RequestKind } from '../ports/object-store.js';
import type { Random } from '../ports/random.js';

/** Lognormal by its median and 99th percentile, with an optional rare uniform tail. */
export interface LognormalLatency {
  readonly kind: 'lognormal';
  readonly medianMs: number;
  readonly p99Ms: number;
  /** With this probability the latency is drawn uniformly from [minMs, maxMs] instead. */
  readonly tail?: { readonly probability: number; readonly minMs: number; readonly maxMs: number };
}

export interface FixedLatency {
  readonly kind: 'fixed';
  readonly ms: number;
}

export type LatencyDistribution = LognormalLatency | FixedLatency;

/** Requests per second one prefix sustains before S3 answers 503 SlowDown. */
export interface ThrottleLimits {
  /** PUT (plain and conditional) and DELETE. */
  readonly writesPerSec: number;
  /** GET, HEAD and LIST. */
  readonly readsPerSec: number;
}

export interface LatencyModel {
  readonly name: string;
  readonly perKind: Readonly<Record<RequestKind, LatencyDistribution>>;
  /** Absent: never throttle. */
  readonly throttle?: ThrottleLimits;
}

/** Amazon S3's documented per-prefix limits. */
export const S3_THROTTLE_LIMITS: ThrottleLimits = Object.freeze({ writesPerSec: 3500, readsPerSec: 5500 });

const S3_TAIL = { probability: 0.001, minMs: 1000, maxMs: 2500 } as const;
const lognormal = (medianMs: number, p99Ms: number, tail?: LognormalLatency['tail']): LognormalLatency =>
  tail === undefined ? { kind: 'lognormal', medianMs, p99Ms } : { kind: 'lognormal', medianMs, p99Ms, tail };

/**
 * Named models (sources in docs/backends.md). `s3-standard`: medians in the tens of ms, p99 a
 * few hundred, a 0.1 % tail of 1–2.5 s (modelled on AWS's published figures); `local`: Ceph RGW on
 * loopback as measured; `none`: zero latency, no throttling.
 */
export const LATENCY_PROFILES = {
  's3-standard': {
    name: 's3-standard',
    perKind: {
      GET: lognormal(25, 200, S3_TAIL),
      HEAD: lognormal(20, 150, S3_TAIL),
      PUT: lognormal(35, 250, S3_TAIL),
      CPUT: lognormal(40, 300, S3_TAIL),
      LIST: lognormal(40, 300, S3_TAIL),
      DELETE: lognormal(25, 200, S3_TAIL),
    },
    throttle: S3_THROTTLE_LIMITS,
  },
  local: {
    name: 'local',
    perKind: {
      GET: lognormal(1.5, 5.82),
      HEAD: lognormal(1.5, 5.82),
      PUT: lognormal(2.97, 8.12),
      CPUT: lognormal(2.71, 8.7),
      LIST: lognormal(2.5, 8),
      DELETE: lognormal(2.5, 7),
    },
  },
  none: {
    name: 'none',
    perKind: {
      GET: { kind: 'fixed', ms: 0 },
      HEAD: { kind: 'fixed', ms: 0 },
      PUT: { kind: 'fixed', ms: 0 },
      CPUT: { kind: 'fixed', ms: 0 },
      LIST: { kind: 'fixed', ms: 0 },
      DELETE: { kind: 'fixed', ms: 0 },
    },
  },
} as const satisfies Record<string, LatencyModel>;

export type LatencyProfileName = keyof typeof LATENCY_PROFILES;
export const LATENCY_PROFILE_NAMES = Object.keys(LATENCY_PROFILES) as LatencyProfileName[];

/** z such that P(Z <= z) = 0.99 for a standard normal. */
const Z99 = 2.326347874040841;

/** One latency sample in ms. */
export function sampleLatency(d: LatencyDistribution, random: Random): number {
  switch (d.kind) {
    case 'fixed':
      return d.ms;
    case 'lognormal': {
      if (d.tail !== undefined && random.next() < d.tail.probability) {
        return d.tail.minMs + (d.tail.maxMs - d.tail.minMs) * random.next();
      }
      const mu = Math.log(d.medianMs);
      const sigma = (Math.log(d.p99Ms) - mu) / Z99;
      return Math.exp(mu + sigma * standardNormal(random));
    }
  }
}

/**
 * `sampleLatency` for one distribution, its parameters worked out once: the same draws, in the
 * same order, and the same arithmetic, so the same samples — without two logarithms a request.
 */
export function latencySampler(d: LatencyDistribution): (random: Random) => number {
  switch (d.kind) {
    case 'fixed': {
      const ms = d.ms;
      return () => ms;
    }
    case 'lognormal': {
      const mu = Math.log(d.medianMs);
      const sigma = (Math.log(d.p99Ms) - mu) / Z99;
      const tail = d.tail;
      if (tail === undefined) return (random) => Math.exp(mu + sigma * standardNormal(random));
      const { probability, minMs, maxMs } = tail;
      return (random) =>
        random.next() < probability
          ? minMs + (maxMs - minMs) * random.next()
          : Math.exp(mu + sigma * standardNormal(random));
    }
  }
}

/** Box–Muller; two uniform draws per sample keeps the draw count fixed per request. */
function standardNormal(random: Random): number {
  const u1 = 1 - random.next(); // (0, 1]
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function isWrite(kind: RequestKind): boolean {
  return kind === 'PUT' || kind === 'CPUT' || kind === 'DELETE';
}

/**
 * S3's per-prefix rate limits as token buckets (one second of burst, refilled continuously).
 * The "prefix" is the key up to its last '/', the unit S3 partitions on.
 */
export class PrefixThrottle {
  /** Token buckets by prefix: one map for writes, one for reads (no key string built per request). */
  readonly #writes = new Map<string, { tokens: number; at: number }>();
  readonly #reads = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limits: ThrottleLimits) {}

  /** True if the request may proceed at time `nowMs`; false means 503 SlowDown. */
  admit(kind: RequestKind, key: string, nowMs: number): boolean {
    const write = isWrite(kind);
    const rate = write ? this.limits.writesPerSec : this.limits.readsPerSec;
    const buckets = write ? this.#writes : this.#reads;
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    let b = buckets.get(prefix);
    if (b === undefined) {
      b = { tokens: rate, at: nowMs };
      buckets.set(prefix, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((nowMs - b.at) / 1000) * rate);
    b.at = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
