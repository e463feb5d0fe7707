import type { Clock } from '../ports/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
  cancelled: boolean;
}

export interface VirtualClockOptions {
  /** Epoch milliseconds that virtual time zero maps to (for `wallNow`). */
  readonly epochMs?: number;
}

/** 2023-11-14T22:13:20Z: a fixed, recognisable origin so wall times replay exactly. */
export const DEFAULT_VIRTUAL_EPOCH_MS = 1_700_000_000_000;

/**
 * Deterministic virtual time. `sleep` queues a timer; `run(fn)` drives `fn` to completion and,
 * whenever nothing else is runnable, jumps to the earliest timer and fires it. Timers due at the
 * same instant fire in the order they were set, so a program and its seed fix the interleaving.
 *
 * "Nothing runnable" is detected by yielding to the macrotask queue: by the time a
 * `setImmediate` callback runs, every pending microtask (promise continuation) has run. This
 * holds for code that awaits only promises and this clock; code doing real I/O needs
 * `RealClock`.
 */
export class VirtualClock implements Clock {
  readonly #epochMs: number;
  #now = 0;
  #seq = 0;
  #timers: Timer[] = [];
  #events = 0;
  #running = false;

  constructor(options: VirtualClockOptions = {}) {
    this.#epochMs = options.epochMs ?? DEFAULT_VIRTUAL_EPOCH_MS;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#epochMs + Math.floor(this.#now);
  }

  /** Timers fired so far: the unit of virtual-time work. */
  get events(): number {
    return this.#events;
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    let n = 0;
    for (const t of this.#timers) if (!t.cancelled) n++;
    return n;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancelled: false,
      };
      const onAbort = () => {
        timer.cancelled = true;
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#push(timer);
    });
  }

  /**
   * Run `fn` to completion in virtual time. Rejects with `fn`'s error, or with a deadlock error
   * if `fn` is still pending while no timer is left to fire.
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running) throw new Error('VirtualClock.run is not reentrant');
    this.#running = true;
    try {
      let settled = false;
      const result = fn().finally(() => {
        settled = true;
      });
      // Attach a handler now so a rejection before we await it is not reported as unhandled.
      result.catch(() => undefined);
      for (;;) {
        await drainMicrotasks();
        if (settled) return await result;
        if (!this.#fireNext()) {
          throw new Error(
            `VirtualClock deadlock at t=${this.#now} ms: the program is waiting but no timer is pending`,
          );
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Fire every timer due at the earliest pending instant. False if none is pending. */
  #fireNext(): boolean {
    let first = this.#pop();
    while (first?.cancelled) first = this.#pop();
    if (first === undefined) return false;
    this.#now = Math.max(this.#now, first.at);
    this.#events++;
    first.resolve();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.at > first.at) break;
      this.#pop();
      if (next.cancelled) continue;
      this.#events++;
      next.resolve();
    }
    return true;
  }

  // A binary min-heap ordered by (at, seq).
  #push(t: Timer): void {
    const h = this.#timers;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i] as Timer, h[p] as Timer)) break;
      [h[i], h[p]] = [h[p] as Timer, h[i] as Timer];
      i = p;
    }
  }

  #pop(): Timer | undefined {
    const h = this.#timers;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l] as Timer, h[m] as Timer)) m = l;
      if (r < h.length && before(h[r] as Timer, h[m] as Timer)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Timer, h[i] as Timer];
      i = m;
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
