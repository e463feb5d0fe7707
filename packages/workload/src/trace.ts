/**
 * A run's spans in Chrome's Trace Event format (the JSON that Perfetto and chrome://tracing
 * open): one track per client, with its transactions, their phases and their storage requests
 * nested by time. Timestamps are the run's clock in µs — virtual time in a simulation.
 */

/** A complete ("X") event; see the Trace Event format. */
interface CompleteEvent {
  readonly name: string;
  readonly cat: string;
  readonly ph: 'X';
  readonly ts: number;
  readonly dur: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

interface MetadataEvent {
  readonly name: 'thread_name' | 'process_name' | 'thread_sort_index';
  readonly ph: 'M';
  readonly pid: number;
  readonly tid: number;
  readonly args: Readonly<Record<string, string | number>>;
}

export type SpanCategory = 'txn' | 'phase' | 'request';

const PID = 1;

export class TraceRecorder {
  readonly #events: (CompleteEvent | MetadataEvent)[] = [
    { name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: 'manifest-lab run' } },
  ];

  /** Name a client's track; `tid` orders the tracks. */
  track(tid: number, name: string): void {
    this.#events.push({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name } });
    this.#events.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid, args: { sort_index: tid } });
  }

  span(
    tid: number,
    cat: SpanCategory,
    name: string,
    startMs: number,
    endMs: number,
    args?: Readonly<Record<string, string | number | boolean>>,
  ): void {
    this.#events.push({
      name,
      cat,
      ph: 'X',
      ts: micros(startMs),
      dur: Math.max(0, micros(endMs) - micros(startMs)),
      pid: PID,
      tid,
      ...(args === undefined ? {} : { args }),
    });
  }

  get size(): number {
    return this.#events.length;
  }

  /** The trace file: `{"traceEvents": [...], "displayTimeUnit": "ms"}`, one event per line. */
  toJson(meta: Readonly<Record<string, string | number>> = {}): string {
    const lines = this.#events.map((e) => JSON.stringify(e));
    return `{"displayTimeUnit":"ms","otherData":${JSON.stringify(meta)},"traceEvents":[\n${lines.join(',\n')}\n]}\n`;
  }
}

function micros(ms: number): number {
  return Math.round(ms * 1000);
}
