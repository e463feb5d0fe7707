/**
 * Real CPU overload for real-time runs: worker threads that each spin for `duty` of every period
 * and sleep the rest, competing with the clients for the host's cores. (In virtual time the
 * `cpu` fault is a model instead: see `cpuSlowdownMs`.)
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface CpuBurnOptions {
  /** Busy threads. */
  readonly threads: number;
  /** Share of each period a thread spins, in (0, 1]. */
  readonly duty: number;
  /** Length of one spin-and-sleep cycle; default 100 ms. */
  readonly periodMs?: number;
}

export interface CpuBurn {
  /** Threads still running. */
  alive(): number;
  /** Terminate every thread; resolves once they have exited. */
  stop(): Promise<void>;
}

/** What a burner thread gets as `workerData`. */
export interface CpuBurnerData {
  readonly duty: number;
  readonly periodMs: number;
}

// `../dist/` resolves to the compiled worker from both src/ (tests) and dist/.
const WORKER = new URL('../dist/cpu-burner-worker.js', import.meta.url);

/** Start burning; resolves once every thread is spinning. */
export async function startCpuBurn(options: CpuBurnOptions): Promise<CpuBurn> {
  const { threads, duty } = options;
  const periodMs = options.periodMs ?? 100;
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a whole number, got ${threads}`);
  if (!(duty > 0 && duty <= 1)) throw new RangeError(`duty must be in (0, 1], got ${duty}`);
  if (!(periodMs > 0)) throw new RangeError(`periodMs must be positive, got ${periodMs}`);
  const workers: Worker[] = [];
  const exited: Promise<void>[] = [];
  const errors: Error[] = [];
  let running = 0;
  try {
    for (let i = 0; i < threads; i++) {
      const data: CpuBurnerData = { duty, periodMs };
      const w = new Worker(WORKER, { workerData: data });
      workers.push(w);
      running++;
      w.on('error', (err) => errors.push(err));
      exited.push(
        new Promise((resolve) =>
          w.once('exit', () => {
            running--;
            resolve();
          }),
        ),
      );
    }
    await Promise.all(workers.map((w) => once(w, 'message')));
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    alive: () => running,
    stop: () => {
      stopped ??= (async () => {
        await Promise.all(workers.map((w) => w.terminate()));
        await Promise.all(exited);
        if (errors.length > 0) throw new Error(`CPU burner thread failed: ${errors[0]?.message}`);
      })();
      return stopped;
    },
  };
}
