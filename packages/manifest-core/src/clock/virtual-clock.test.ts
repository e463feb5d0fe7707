import { describe, expect, it } from 'vitest';
import { DEFAULT_VIRTUAL_EPOCH_MS, VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('jumps to the next timer only when nothing else is runnable', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const result = await clock.run(async () => {
      const a = (async () => {
        await clock.sleep(50);
        log.push(`a@${clock.now()}`);
      })();
      const b = (async () => {
        for (let i = 0; i < 1000; i++) await Promise.resolve(); // long microtask chain
        log.push(`b@${clock.now()}`);
        await clock.sleep(10);
        log.push(`b2@${clock.now()}`);
      })();
      await Promise.all([a, b]);
      return clock.now();
    });
    expect(log).toEqual(['b@0', 'b2@10', 'a@50']);
    expect(result).toBe(50);
  });

  it('fires timers due at the same instant in the order they were set', async () => {
    const clock = new VirtualClock();
    const order: number[] = [];
    await clock.run(async () => {
      await Promise.all([3, 1, 2].map(async (i) => {
        await clock.sleep(5);
        order.push(i);
      }));
    });
    expect(order).toEqual([3, 1, 2]);
  });

  it('gives identical interleavings for the same program', async () => {
    const program = async () => {
      const clock = new VirtualClock();
      const trace: string[] = [];
      await clock.run(async () => {
        await Promise.all(
          [7, 3, 11, 3, 5].map(async (d, i) => {
            for (let k = 0; k < 3; k++) {
              await clock.sleep(d * (k + 1));
              trace.push(`${i}:${k}@${clock.now()}`);
            }
          }),
        );
      });
      return trace;
    };
    const first = await program();
    expect(await program()).toEqual(first);
    expect(first).toHaveLength(15);
  });

  it('maps virtual time onto a fixed wall-clock epoch', async () => {
    const clock = new VirtualClock();
    expect(clock.wallNow()).toBe(DEFAULT_VIRTUAL_EPOCH_MS);
    await clock.run(() => clock.sleep(1234.5));
    expect(clock.now()).toBe(1234.5);
    expect(clock.wallNow()).toBe(DEFAULT_VIRTUAL_EPOCH_MS + 1234);
    expect(new VirtualClock({ epochMs: 5 }).wallNow()).toBe(5);
  });

  it('reports a deadlock instead of hanging', async () => {
    const clock = new VirtualClock();
    await expect(clock.run(() => new Promise<void>(() => undefined))).rejects.toThrow(/deadlock/);
  });

  it('propagates the program error', async () => {
    const clock = new VirtualClock();
    await expect(
      clock.run(async () => {
        await clock.sleep(10);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('cancels a sleep when its signal aborts, without advancing time', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const outcome = await clock.run(async () => {
      const long = clock.sleep(10_000, controller.signal).then(
        () => 'slept',
        () => `aborted@${clock.now()}`,
      );
      await clock.sleep(5);
      controller.abort(new Error('stop'));
      return long;
    });
    expect(outcome).toBe('aborted@5');
    expect(clock.pendingTimers).toBe(0);
  });

  it('interleaves identically whether idle checks yield a macrotask every time or rarely', async () => {
    const program = async (macrotaskEvery?: number) => {
      const clock = new VirtualClock(macrotaskEvery === undefined ? {} : { macrotaskEvery });
      const trace: string[] = [];
      await clock.run(async () => {
        await Promise.all(
          [7, 3, 11, 3, 5].map(async (d, i) => {
            for (let k = 0; k < 50; k++) {
              for (let n = 0; n < i * 3; n++) await Promise.resolve(); // chains of different lengths
              await clock.sleep((d * (k + 1)) % 13);
              trace.push(`${i}:${k}@${clock.now()}`);
            }
          }),
        );
      });
      return trace;
    };
    const reference = await program(1);
    expect(await program()).toEqual(reference);
    expect(await program(2)).toEqual(reference);
    expect(() => new VirtualClock({ macrotaskEvery: 0 })).toThrow(RangeError);
  });

  it('waits for microtasks queued before run when called outside a promise continuation', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    await new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        // A macrotask callback: the program's first microtasks are queued before run's first check.
        clock
          .run(async () => {
            for (let i = 0; i < 100; i++) await Promise.resolve();
            log.push(`ready@${clock.now()}`);
            await clock.sleep(5);
            log.push(`done@${clock.now()}`);
          })
          .then(resolve, reject);
      });
    });
    expect(log).toEqual(['ready@0', 'done@5']);
  });

  it('counts fired timers as events', async () => {
    const clock = new VirtualClock();
    await clock.run(async () => {
      for (let i = 0; i < 10; i++) await clock.sleep(1);
    });
    expect(clock.events).toBe(10);
  });
});
