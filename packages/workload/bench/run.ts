/**
 * `pnpm bench` for the workload: how fast the simulator runs a comprehensive-sweep workload, in
 * simulated seconds per wall second, with the simulator's optimisations on ("after") and off
 * ("before"), and with each one off alone — measured side by side in one run, interleaved
 * round by round. Every variant must produce byte-identical runs; the JSON says whether they
 * did. Prints one JSON document. Timings use the real clock on purpose (and the process's CPU
 * time, steadier when other work shares the cores): this file measures the code, it is not part
 * of it. `BENCH_ROUNDS` sets the number of measured rounds (default 3).
 *
 * The optimisations:
 * - `tickIdleChecks`: VirtualClock detects "nothing runnable" with a tick after the microtask
 *   queue drains instead of a full event-loop turn (`macrotaskEvery` 1024 vs 1);
 * - `decodedCache`: segment and checkpoint bodies are parsed once per key, ETag and bytes, not on
 *   every GET (`DecodedCache.capacity` 0 turns it off);
 * - `store`: the embedded store's per-request work (latency parameters worked out once, throttle
 *   buckets found without building a key string, GET bodies copied into pooled slabs) vs the
 *   pre-change store kept verbatim in `baseline-memory-store.ts`.
 *
 * "before" turns these three off; smaller changes that have no switch stay on in every variant
 * (the timer heap without array swaps, listed segment keys parsed once, the point-read loop
 * without spreads and a sort), so it is a little faster than the pre-change code was.
 */
import { createHash } from 'node:crypto';
import { Manifest, type ManifestOptions, RealClock, SeededRandom, VirtualClock } from '@manifest-lab/manifest-core';
import {
  historyToJsonl,
  parseWorkloadConfig,
  runWorkload,
  type StoredValue,
  type WorkloadConfig,
  type WorkloadEnvironment,
} from '../src/index.js';
import { BaselineMemoryObjectStore } from './baseline-memory-store.js';

/** Grid points of sweeps/comprehensive.json: the heaviest, a light one and a middle one. */
const CONFIGS: readonly Record<string, number>[] = [
  { num_writers: 4, writer_rate: 0.2, key_overlap_ratio: 0.2, num_readers: 4, reader_rate: 5, seed: 11 },
  { num_writers: 2, writer_rate: 0.05, key_overlap_ratio: 0.1, num_readers: 4, reader_rate: 6, seed: 12 },
  { num_writers: 3, writer_rate: 0.1, key_overlap_ratio: 0.3, num_readers: 4, reader_rate: 5, seed: 13 },
];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Variant {
  readonly tickIdleChecks: boolean;
  readonly decodedCache: boolean;
  readonly store: boolean;
}

const ALL_ON: Variant = { tickIdleChecks: true, decodedCache: true, store: true };
const VARIANTS: Readonly<Record<string, Variant>> = {
  before: { tickIdleChecks: false, decodedCache: false, store: false },
  after: ALL_ON,
  after_without_tickIdleChecks: { ...ALL_ON, tickIdleChecks: false },
  after_without_decodedCache: { ...ALL_ON, decodedCache: false },
  after_without_store: { ...ALL_ON, store: false },
};

const clock = new RealClock();

function environment(config: WorkloadConfig, v: Variant): WorkloadEnvironment {
  const uncached = (o: ManifestOptions) => {
    const m = new Manifest<string, StoredValue>(o);
    m.parts.segments.decoded.capacity = 0;
    m.parts.checkpoints.decoded.capacity = 0;
    return m;
  };
  return {
    ...(v.decodedCache ? {} : { manifestFactory: uncached }),
    // The store runWorkload would build, from the same random stream, but the pre-change code.
    ...(v.store
      ? {}
      : {
          wrapStore: (_store, runClock) =>
            new BaselineMemoryObjectStore({
              latency: config.latency_profile,
              clock: runClock,
              random: new SeededRandom(config.seed).fork('latency'),
            }),
        }),
  };
}

/** One run: simulated and wall milliseconds, and a digest of everything it produced. */
async function runOnce(config: WorkloadConfig, v: Variant) {
  const saved = VirtualClock.defaultMacrotaskEvery;
  VirtualClock.defaultMacrotaskEvery = v.tickIdleChecks ? saved : 1;
  try {
    const cpu0 = process.cpuUsage();
    const t0 = clock.now();
    const run = await runWorkload(config, environment(config, v));
    const wallMs = clock.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const digest = createHash('sha256')
      .update(historyToJsonl(run.history))
      .update(JSON.stringify([run.metrics, run.timeSeries, run.requestCounts, run.elapsedMs]))
      .digest('hex');
    return { simMs: run.elapsedMs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, digest };
  } finally {
    VirtualClock.defaultMacrotaskEvery = saved;
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function main() {
  const configs = CONFIGS.map((c) => parseWorkloadConfig({ duration_s: 60, warmup_s: 5, ...c }));
  const names = Object.keys(VARIANTS);
  const perRound: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const perRoundCpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const wallMs: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const digests = new Map<string, Set<string>>();
  let simulatedSeconds = 0;
  // Round 0 warms the JIT up and is not counted; the order of variants rotates every round.
  for (let r = 0; r <= ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length] as string;
      let sim = 0;
      let wall = 0;
      let cpu = 0;
      for (const [c, config] of configs.entries()) {
        const out = await runOnce(config, VARIANTS[name] as Variant);
        sim += out.simMs;
        wall += out.wallMs;
        cpu += out.cpuMs;
        const seen = digests.get(String(c)) ?? new Set<string>();
        seen.add(out.digest);
        digests.set(String(c), seen);
      }
      if (r === 0) continue;
      (perRound[name] as number[]).push(sim / wall);
      (perRoundCpu[name] as number[]).push(sim / cpu);
      wallMs[name] = (wallMs[name] as number) + wall;
      if (name === 'after') simulatedSeconds += sim / 1000;
    }
  }
  const rate = Object.fromEntries(names.map((n) => [n, median(perRound[n] as number[])]));
  const at = (n: string) => rate[n] as number;
  const cpuRate = Object.fromEntries(names.map((n) => [n, median(perRoundCpu[n] as number[])]));
  const cpuAt = (n: string) => cpuRate[n] as number;
  const out = {
    node: process.version,
    workload: 'runWorkload, virtual time, s3-standard latency, 60 s schedule (5 s warm-up) + drain; comprehensive-grid points',
    configs: CONFIGS,
    rounds: ROUNDS,
    simulatedSecondsPerRound: round(simulatedSeconds / ROUNDS, 1),
    simulatedSecondsPerWallSecond: Object.fromEntries(names.map((n) => [n, round(at(n), 1)])),
    speedup: {
      after_vs_before: round(at('after') / at('before')),
      tickIdleChecks: round(at('after') / at('after_without_tickIdleChecks')),
      decodedCache: round(at('after') / at('after_without_decodedCache')),
      store: round(at('after') / at('after_without_store')),
    },
    // The same per CPU second of this process (GC threads included): steadier on a busy machine.
    simulatedSecondsPerCpuSecond: Object.fromEntries(names.map((n) => [n, round(cpuAt(n), 1)])),
    cpuSpeedup: {
      after_vs_before: round(cpuAt('after') / cpuAt('before')),
      tickIdleChecks: round(cpuAt('after') / cpuAt('after_without_tickIdleChecks')),
      decodedCache: round(cpuAt('after') / cpuAt('after_without_decodedCache')),
      store: round(cpuAt('after') / cpuAt('after_without_store')),
    },
    wallSecondsTotal: Object.fromEntries(names.map((n) => [n, round((wallMs[n] as number) / 1000)])),
    perRound: Object.fromEntries(names.map((n) => [n, (perRound[n] as number[]).map((x) => round(x, 1))])),
    identicalRunsAcrossVariants: [...digests.values()].every((s) => s.size === 1),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (!out.identicalRunsAcrossVariants) process.exitCode = 1;
}

await main();
