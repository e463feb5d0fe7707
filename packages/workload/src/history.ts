/**
 * Jepsen-style history recording: every transaction attempt is an `invoke` followed by exactly
 * one completion — `ok` (took effect), `fail` (definitely did not) or `info` (unknown). A
 * process that got `info` never invokes again; its client continues under a new process id.
 */
import type { JsonValue } from '@manifest-lab/manifest-core';

export type MicroOp =
  | readonly ['r', string, readonly number[] | null]
  | readonly ['append', string, number]
  | readonly ['w', string, JsonValue];

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

/** A transaction event or, between them, a nemesis entry marking a fault window's start or end. */
export type HistoryEvent = TxnEvent | NemesisEvent;

/** Jepsen's form: `{"process": "nemesis", "type": "info", "f": "start"|"stop", "value": <label>}`. */
export interface NemesisEvent {
  readonly index: number;
  readonly process: 'nemesis';
  readonly type: 'info';
  readonly f: 'start' | 'stop';
  readonly value: string;
  readonly time: number;
  readonly error?: undefined;
}

export function isTxnEvent(e: HistoryEvent): e is TxnEvent {
  return e.process !== 'nemesis';
}

export interface TxnEvent {
  readonly index: number;
  readonly process: number;
  readonly type: EventType;
  readonly f: 'txn';
  readonly value: readonly MicroOp[];
  /** Nanoseconds since the start of the run. */
  readonly time: number;
  /** On `fail` / `info`: why — the failure class and the error's message. */
  readonly error?: HistoryError;
  /** On a write's `invoke`: its logical transaction (1, 2, …); a retry's attempts share it. */
  readonly txn?: number;
}

/** Why an attempt did not (or may not have) take effect. */
export interface HistoryError {
  readonly class: string;
  readonly message: string;
}

/**
 * Where a recorder hands its events instead of keeping them (a long run would otherwise hold
 * its whole history in memory): in batches of `batch` events, and whatever is left on `flush`.
 */
export interface HistorySink {
  readonly batch: number;
  write(events: readonly HistoryEvent[]): void;
}

export class HistoryRecorder {
  /** Every event so far — or, with a sink, only those not yet handed to it. */
  readonly events: HistoryEvent[] = [];
  /** The invoke value of each process with an attempt in flight. */
  readonly #open = new Map<number, readonly MicroOp[]>();
  #count = 0;

  constructor(
    private readonly nowMs: () => number,
    private readonly sink?: HistorySink,
  ) {}

  /** Events recorded so far, handed to the sink or not. */
  get count(): number {
    return this.#count;
  }

  /** Hand the sink every event it has not had yet (no-op without a sink). */
  flush(): void {
    if (this.sink !== undefined && this.events.length > 0) this.sink.write(this.events.splice(0));
  }

  invoke(process: number, value: readonly MicroOp[], txn?: number): void {
    if (this.#open.has(process)) throw new Error(`process ${process} invoked twice without completing`);
    this.#open.set(process, value);
    this.#push(process, 'invoke', value, undefined, txn);
  }

  /** Complete the process's attempt; `value` defaults to what it invoked (for `fail`/`info`). */
  complete(process: number, type: Exclude<EventType, 'invoke'>, value?: readonly MicroOp[], error?: HistoryError): void {
    const invoked = this.#open.get(process);
    if (invoked === undefined) throw new Error(`process ${process} completed without an invoke`);
    this.#open.delete(process);
    this.#push(process, type, value ?? invoked, type === 'ok' ? undefined : error);
  }

  /** A fault window starts or stops (see `NemesisEvent`). */
  nemesis(f: 'start' | 'stop', label: string): void {
    this.#append({ index: this.#count, process: 'nemesis', type: 'info', f, value: label, time: Math.round(this.nowMs() * 1e6) });
  }

  #append(e: HistoryEvent): void {
    this.events.push(e);
    this.#count++;
    if (this.sink !== undefined && this.events.length >= this.sink.batch) this.flush();
  }

  #push(process: number, type: EventType, value: readonly MicroOp[], error?: HistoryError, txn?: number): void {
    const time = Math.round(this.nowMs() * 1e6);
    this.#append({
      index: this.#count,
      process,
      type,
      f: 'txn',
      value,
      time,
      ...(error === undefined ? {} : { error }),
      ...(txn === undefined ? {} : { txn }),
    });
  }
}

/** One event per line, fields in the documented order. */
export function historyToJsonl(events: readonly HistoryEvent[]): string {
  let out = '';
  for (const e of events) {
    const error = e.error === undefined ? '' : `,"error":${JSON.stringify({ class: e.error.class, message: e.error.message })}`;
    const txn = e.process !== 'nemesis' && e.txn !== undefined ? `,"txn":${e.txn}` : '';
    out += `${JSON.stringify({ index: e.index, process: e.process, type: e.type, f: e.f, value: e.value, time: e.time }).slice(0, -1)}${error}${txn}}\n`;
  }
  return out;
}
