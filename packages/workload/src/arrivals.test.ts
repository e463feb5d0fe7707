import { SeededRandom, VirtualClock } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { arrivalTimes } from './arrivals.js';
import { type ArrivalOutcome, runOpenLoop } from './open-loop.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 5);

describe('arrival schedules', () => {
  it(`a Poisson schedule hits its rate within 2 % over 10,000 s, with exponential gaps (seed ${SEED})`, () => {
    const times = [...arrivalTimes('poisson', 2, 10_000_000, new SeededRandom(SEED))];
    expect(Math.abs(times.length / 20_000 - 1), `seed ${SEED}`).toBeLessThan(0.02);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(Math.abs(sd / mean - 1), `seed ${SEED}`).toBeLessThan(0.05); // CV of an exponential is 1
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('a uniform schedule is exact: rate × duration arrivals, evenly spaced', () => {
    const times = [...arrivalTimes('uniform', 0.2, 60_000, new SeededRandom(SEED))];
    expect(times).toHaveLength(12);
    for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeCloseTo(5000, 6);
    expect(times[0]).toBeLessThan(5000);
  });

  it('rate 0 yields nothing; the same seed yields the same schedule', () => {
    expect([...arrivalTimes('poisson', 0, 1000, new SeededRandom(1))]).toEqual([]);
    expect([...arrivalTimes('poisson', 5, 10_000, new SeededRandom(9))]).toEqual([
      ...arrivalTimes('poisson', 5, 10_000, new SeededRandom(9)),
    ]);
  });
});

describe('open loop', () => {
  it('starts arrivals on time when idle, late when busy, and drops beyond the backlog', async () => {
    const clock = new VirtualClock();
    const outcomes: [number, ArrivalOutcome][] = [];
    const started: number[] = [];
    await clock.run(() =>
      runOpenLoop(
        clock,
        [0, 100, 200, 210, 220, 230, 240, 5000][Symbol.iterator](),
        2,
        (t, o) => outcomes.push([t, o]),
        async (t) => {
          started.push(clock.now());
          await clock.sleep(t === 100 ? 1000 : 10); // the txn at 100 ms takes a second
        },
      ),
    );
    // 200..240 arrive while the txn at 100 runs (until 1100): the backlog keeps the newest 2.
    expect(outcomes.filter(([, o]) => o.kind === 'dropped').map(([t]) => t)).toEqual([200, 210, 220]);
    expect(outcomes.filter(([, o]) => o.kind === 'started').map(([t, o]) => [t, o.kind === 'started' ? o.lagMs : -1])).toEqual([
      [0, 0],
      [100, 0],
      [230, 870],
      [240, 870],
      [5000, 0],
    ]);
    expect(started).toEqual([0, 100, 1100, 1110, 5000]);
  });
});
