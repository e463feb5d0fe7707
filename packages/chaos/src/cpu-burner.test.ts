/** Real CPU burning: worker threads that load the process's CPU for as long as they run. */
import { RealClock } from '@manifest-lab/manifest-core';
import { describe, expect, it } from 'vitest';
import { startCpuBurn } from './cpu-burner.js';

const clock = new RealClock();

/** Process CPU time (user + system, worker threads included) in ms over `ms` of wall time. */
async function cpuOver(ms: number): Promise<{ cpuMs: number; wallMs: number }> {
  const t0 = clock.now();
  const before = process.cpuUsage();
  await clock.sleep(ms);
  const d = process.cpuUsage(before);
  return { cpuMs: (d.user + d.system) / 1000, wallMs: clock.now() - t0 };
}

// Worker start-up and the measured windows take seconds on a busy CI machine.
describe('startCpuBurn', { timeout: 30_000 }, () => {
  it('2 threads at duty 0.5 load the CPU while they run, and stop() ends them', async () => {
    const burn = await startCpuBurn({ threads: 2, duty: 0.5 });
    let during: { cpuMs: number; wallMs: number };
    try {
      expect(burn.alive()).toBe(2);
      during = await cpuOver(500);
    } finally {
      await burn.stop();
    }
    expect(burn.alive()).toBe(0);
    // Once stopped, the load is gone: well under what one burning thread would add.
    const after = await cpuOver(300);
    expect(after.cpuMs).toBeLessThan(0.5 * after.wallMs);
    // Expected ≈ wall × threads × duty. In CI the other packages' tests run beside this one on two
    // cores and the threads get far less (15 % seen), hence a bound of 5 %, and a comparison with
    // the same process idle: burning must use clearly more CPU per wall ms than idling does.
    const expected = during.wallMs * 2 * 0.5;
    expect(during.cpuMs, JSON.stringify({ during, after })).toBeGreaterThanOrEqual(0.05 * expected);
    expect(during.cpuMs / during.wallMs, JSON.stringify({ during, after })).toBeGreaterThan(2 * (after.cpuMs / after.wallMs));
    await burn.stop(); // idempotent
  });

  it('refuses nonsense', async () => {
    await expect(startCpuBurn({ threads: 1, duty: 0 })).rejects.toThrow(/duty/);
    await expect(startCpuBurn({ threads: 1, duty: 1.5 })).rejects.toThrow(/duty/);
    await expect(startCpuBurn({ threads: -1, duty: 0.5 })).rejects.toThrow(/threads/);
    await expect(startCpuBurn({ threads: 1, duty: 0.5, periodMs: 0 })).rejects.toThrow(/periodMs/);
  });
});
