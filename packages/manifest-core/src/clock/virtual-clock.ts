import type { Clock } from '../ports/clock.js';

class Timer {
  cancelled = false;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly resolve: () => void,
  ) {}
}

export interface VirtualClockOptions {
  /** Epoch milliseconds that virtual time zero maps to (for `wallNow`). */
  readonly epochMs?: number;
  /**
   * Idle checks per macrotask turn: `run` yields to the event loop on every this-many-th check,
   * and waits only for the microtask queue to drain on the others. Default
   * `VirtualClock.defaultMacrotaskEvery` (1024); 1 yields on every check, as before ticks were
   * used — as deterministic, several times slower. Either way the same timers fire in the same
   * order.
   */
  readonly macrotaskEvery?: number;
}

/** 2023-11-14T22:13:20Z: a fixed, recognisable origin so wall times replay exactly. */
export const DEFAULT_VIRTUAL_EPOCH_MS = 1_700_000_000_000;

/**
 * Deterministic virtual time. `sleep` queues a timer; `run(fn)` drives `fn` to completion and,
 * whenever nothing else is runnable, jumps to the earliest timer and fires it. Timers due at the
 * same instant fire in the order they were set, so a program and its seed fix the interleaving.
 *
 * "Nothing runnable" means the microtask queue is empty: every pending promise continuation has
 * run. The first check of a run, and every `macrotaskEvery`-th after it, yields to the macrotask
 * queue (`setImmediate`), which lets the event loop breathe; the others use `process.nextTick`
 * queued from a promise continuation, which Node runs only once the microtask queue is empty —
 * the same point, reached in under a microsecond instead of a full event-loop turn (~5 µs, which
 * was most of a simulation's wall time). This holds for code that awaits only promises and this
 * clock; code doing real I/O (or scheduling its own ticks) needs `RealClock`.
 */
export class VirtualClock implements Clock {
  /**
   * `macrotaskEvery` for clocks constructed without one. A benchmark knob (to measure both idle
   * checks side by side when the clock is built out of reach); programs should pass the option.
   */
  static defaultMacrotaskEvery = 1024;

  readonly #epochMs: number;
  readonly #macrotaskEvery: number;
  #now = 0;
  #seq = 0;
  #timers: Timer[] = [];
  #events = 0;
  #running = false;

  constructor(options: VirtualClockOptions = {}) {
    this.#epochMs = options.epochMs ?? DEFAULT_VIRTUAL_EPOCH_MS;
    const every = options.macrotaskEvery ?? VirtualClock.defaultMacrotaskEvery;
    if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`macrotaskEvery must be a positive integer, got ${every}`);
    this.#macrotaskEvery = every;
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
    const at = this.#now + Math.max(0, ms);
    if (signal === undefined) {
      // The common case: no abort wiring, the promise's own resolve is the timer's.
      return new Promise<void>((resolve) => this.#push(new Timer(at, this.#seq++, resolve)));
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        timer.cancelled = true;
        reject(signal.reason);
      };
      const timer = new Timer(at, this.#seq++, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
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
      // The first check waits a macrotask: `run` may have been called outside a promise
      // continuation, where a tick would run before the microtasks `fn` already queued.
      for (let turn = 0; ; turn++) {
        await (turn % this.#macrotaskEvery === 0 ? nextMacrotask() : microtasksDrained());
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
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as Timer;
      if (!before(t, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = t;
  }

  #pop(): Timer | undefined {
    const h = this.#timers;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let m = l;
      let child = h[l] as Timer;
      if (r < n && before(h[r] as Timer, child)) {
        m = r;
        child = h[r] as Timer;
      }
      if (!before(child, last)) break;
      h[i] = child;
      i = m;
    }
    h[i] = last;
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Resolves after every pending microtask and macrotask-queue turn. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Resolves once the microtask queue is empty. Called from a promise continuation: Node runs a
 * tick queued there only after draining every microtask, including those queued meanwhile.
 */
function microtasksDrained(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}
