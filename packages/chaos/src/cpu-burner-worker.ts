/** A CPU burner thread (see `startCpuBurn`): spin for duty·period, sleep the rest, until terminated. */
import { parentPort, workerData } from 'node:worker_threads';
import { RealClock } from '@manifest-lab/manifest-core';
import type { CpuBurnerData } from './cpu-burner.js';

const { duty, periodMs } = workerData as CpuBurnerData;
const clock = new RealClock();
const busyMs = duty * periodMs;
let sink = 0;
parentPort?.postMessage('spinning');
for (;;) {
  const until = clock.now() + busyMs;
  // Real work the optimiser cannot drop, checked against the clock now and then.
  while (clock.now() < until) for (let i = 0; i < 1000; i++) sink = (sink * 31 + i) | 0;
  if (busyMs < periodMs) await clock.sleep(periodMs - busyMs);
}
