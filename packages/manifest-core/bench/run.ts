/**
 * `pnpm bench` for manifest-core: throughput of the port on a zero-latency memory store and the
 * cost of virtual time. Prints one JSON document. Timings here use the real clock on purpose:
 * this file measures the code, it is not part of it.
 */
import {
  type Clock,
  Manifest,
  MemoryObjectStore,
  RealClock,
  SeededRandom,
  VirtualClock,
} from '../src/index.js';
import { HookedObjectStore } from '../src/test/index.js';
import { backendLatencies } from './backends.js';

const WRITER_COUNTS = [1, 4, 16] as const;
const COMMITS_TOTAL = Number(process.env.BENCH_COMMITS ?? 4000);
const READS_TOTAL = Number(process.env.BENCH_READS ?? 8000);

const realClock = new RealClock();

function wall(): number {
  return realClock.now();
}

/** `writers` clients, each on its own prefix (so uncontended), sharing one store. */
async function commitsPerSecond(writers: number, clock: Clock, run: <T>(fn: () => Promise<T>) => Promise<T>) {
  const store = new MemoryObjectStore();
  const perWriter = Math.ceil(COMMITS_TOTAL / writers);
  const t0 = wall();
  await run(() =>
    Promise.all(
      Array.from({ length: writers }, async (_, i) => {
        const m = new Manifest<string, number>({ store, prefix: `w${i}`, clock, random: new SeededRandom(i) });
        for (let n = 0; n < perWriter; n++) {
          const w = await m.sessionWrite();
          w.put(`k${n % 16}`, n);
          await w.commit();
        }
      }),
    ),
  );
  const seconds = (wall() - t0) / 1000;
  return { commits: perWriter * writers, seconds: round(seconds), commitsPerSec: round((perWriter * writers) / seconds) };
}

/** Point reads (read session + get of a key in the newest segment + end), `readers` at a time. */
async function readsPerSecond(readers: number, clock: VirtualClock) {
  const store = new MemoryObjectStore();
  const m = new Manifest<string, number>({ store, prefix: 'r', clock });
  await clock.run(async () => {
    for (let n = 0; n < 100; n++) {
      const w = await m.sessionWrite();
      w.put(`k${n}`, n);
      await w.commit();
    }
  });
  const perReader = Math.ceil(READS_TOTAL / readers);
  const t0 = wall();
  await clock.run(() =>
    Promise.all(
      Array.from({ length: readers }, async (_, i) => {
        const mi = new Manifest<string, number>({ store, prefix: 'r', clock, random: new SeededRandom(i) });
        for (let n = 0; n < perReader; n++) {
          const r = await mi.sessionRead();
          await r.get('k99');
          await r.end();
          // Distinct milliseconds keep lease ids from colliding (a collision costs a backoff sleep).
          await clock.sleep(1);
        }
      }),
    ),
  );
  const seconds = (wall() - t0) / 1000;
  return { reads: perReader * readers, seconds: round(seconds), readsPerSec: round((perReader * readers) / seconds) };
}

/** Raw timer throughput: many tasks sleeping seeded random amounts. */
async function virtualEventsPerSecond(macrotaskEvery?: number) {
  const clock = new VirtualClock(macrotaskEvery === undefined ? {} : { macrotaskEvery });
  const rng = new SeededRandom(1);
  const tasks = 1000;
  const sleeps = 200;
  const t0 = wall();
  await clock.run(() =>
    Promise.all(
      Array.from({ length: tasks }, async () => {
        for (let i = 0; i < sleeps; i++) await clock.sleep(rng.int(1, 50));
      }),
    ),
  );
  const seconds = (wall() - t0) / 1000;
  return { events: clock.events, seconds: round(seconds), eventsPerSec: round(clock.events / seconds), simulatedSeconds: round(clock.now() / 1000) };
}

/** Commits with 5–40 ms per request in virtual time: simulated seconds per wall second. */
async function simulatedLatencyRun(macrotaskEvery?: number) {
  const clock = new VirtualClock(macrotaskEvery === undefined ? {} : { macrotaskEvery });
  const rng = new SeededRandom(7);
  const store = new HookedObjectStore(new MemoryObjectStore(), { before: () => clock.sleep(5 + 35 * rng.next()) });
  const t0 = wall();
  let commits = 0;
  await clock.run(() =>
    Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const m = new Manifest<string, number>({ store, prefix: `s${i}`, clock, random: rng.fork(i) });
        for (let n = 0; n < 250; n++) {
          const w = await m.sessionWrite();
          w.put('k', n);
          await w.commit();
          commits++;
        }
      }),
    ),
  );
  const seconds = (wall() - t0) / 1000;
  return {
    commits,
    events: clock.events,
    simulatedSeconds: round(clock.now() / 1000),
    wallSeconds: round(seconds),
    simulatedPerWallSecond: round(clock.now() / 1000 / seconds),
  };
}

/**
 * The two ways VirtualClock detects "nothing runnable", side by side: a tick after the
 * microtask queue drains (the default, a macrotask every 1024 checks) and a macrotask turn on
 * every check (`macrotaskEvery: 1`, the original). The timers fired are the same.
 */
async function idleChecks() {
  // Alternated and each measured twice, the better kept: the first runs warm the JIT up.
  type Events = Awaited<ReturnType<typeof virtualEventsPerSecond>>;
  type Commits = Awaited<ReturnType<typeof simulatedLatencyRun>>;
  const modes = { tick: undefined, macrotask: 1 } as const;
  const out: Record<keyof typeof modes, { events?: Events; commits?: Commits }> = { tick: {}, macrotask: {} };
  for (let i = 0; i < 2; i++) {
    for (const mode of ['macrotask', 'tick'] as const) {
      const m = out[mode];
      const events = await virtualEventsPerSecond(modes[mode]);
      if (m.events === undefined || events.eventsPerSec > m.events.eventsPerSec) m.events = events;
      const commits = await simulatedLatencyRun(modes[mode]);
      if (m.commits === undefined || commits.simulatedPerWallSecond > m.commits.simulatedPerWallSecond) m.commits = commits;
    }
  }
  const { tick, macrotask } = out as Record<keyof typeof modes, { events: Events; commits: Commits }>;
  return {
    tickIdleChecks: tick,
    macrotaskIdleChecks: macrotask,
    eventsPerSecRatio: round(tick.events.eventsPerSec / macrotask.events.eventsPerSec),
    simulatedPerWallSecondRatio: round(tick.commits.simulatedPerWallSecond / macrotask.commits.simulatedPerWallSecond),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

async function main() {
  const real = new RealClock();
  const direct = <T>(fn: () => Promise<T>) => fn();
  const commits: Record<string, unknown> = {};
  const overhead: Record<string, unknown> = {};
  for (const writers of WRITER_COUNTS) {
    // Side by side in one run: the same work on RealClock (no timer fires) and under VirtualClock.
    const onReal = await commitsPerSecond(writers, real, direct);
    const vc = new VirtualClock();
    const onVirtual = await commitsPerSecond(writers, vc, (fn) => vc.run(fn));
    commits[`writers_${writers}`] = { realClock: onReal, virtualClock: onVirtual };
    overhead[`writers_${writers}`] = round(onReal.commitsPerSec / onVirtual.commitsPerSec);
  }
  const reads: Record<string, unknown> = {};
  for (const readers of WRITER_COUNTS) reads[`readers_${readers}`] = await readsPerSecond(readers, new VirtualClock());
  const out = {
    node: process.version,
    store: 'MemoryObjectStore, zero latency, one prefix per writer (uncontended)',
    uncontendedCommits: commits,
    virtualClockSlowdownRatio: overhead,
    pointReads: reads,
    virtualTime: await idleChecks(),
    backendLatency: await backendLatencies(),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
