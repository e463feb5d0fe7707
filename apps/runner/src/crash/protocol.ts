/**
 * What the crash experiment's parent and its writer processes exchange: the spec a writer gets
 * on its command line, the message it sends over the IPC channel, and one line of the history
 * file it appends to (the history is the record of what it did: counts are taken from it).
 */
import type { EventType, HistoryError, MicroOp } from '@manifest-lab/workload';
import type { Backend } from '../backend.js';

/** Everything a writer process needs: plain JSON, passed as its one argument. */
export interface WriterSpec {
  readonly backend: Exclude<Backend, { kind: 'memory' }>;
  /** Which writer this is (its private keys); a restarted writer keeps its number. */
  readonly writer: number;
  /** 0 for the first process of a writer, 1 for its replacement. */
  readonly incarnation: number;
  readonly keys: { readonly writers: number; readonly perWriter: number; readonly shared: number; readonly overlap: number };
  readonly opsPerTxn: number;
  /** Transaction numbers this process runs, inclusive (a replacement continues the numbering). */
  readonly firstTxn: number;
  readonly lastTxn: number;
  /** Past `lastTxn`, keep going until the parent says `stop` (so the survivors meet the stall; stopped once it is over). */
  readonly untilStop: boolean;
  readonly leaseTtlMs: number;
  readonly seed: number;
  /** History process ids come from [processBase, processBase + PROCESS_STRIDE). */
  readonly processBase: number;
  /** List elements come from [elementBase, elementBase + ELEMENT_STRIDE): unique across processes. */
  readonly elementBase: number;
  /** Mean pause between transactions, ms (uniform in [0, 2×]): without it the last winner keeps winning. */
  readonly thinkMs: number;
  /** Retries of one transaction after a failed attempt, each in a new session. */
  readonly maxRetries: number;
  readonly historyPath: string;
  /** Wait for the parent's `go` after `ready` (the first writers); a replacement starts at once. */
  readonly awaitGo: boolean;
  /** Stall forever at the first attempt of this transaction (or a later one) whose segment PUT succeeded, just before its HEAD CAS. */
  readonly crashAtTxn?: number;
}

export const PROCESS_STRIDE = 1_000;
export const ELEMENT_STRIDE = 1_000_000;

/** The writer is stalled between its segment PUT and its HEAD CAS, waiting to be killed. */
export interface CrashPointMessage {
  readonly kind: 'crash-point';
  readonly txn: number;
  /** The history process of the stalled attempt. */
  readonly process: number;
  readonly segmentKey: string;
  readonly segmentTxnId: number;
  /** The lease the stalled session holds (it pins the orphan against adoption until it expires). */
  readonly leaseKey: string;
  readonly wallMs: number;
}

/** Started and connected to the store; waiting for `go` (so the first writers all start together). */
export interface ReadyMessage {
  readonly kind: 'ready';
}

/** This writer's orphan recovery moved HEAD (a HEAD CAS before its attempt stored a segment). */
export interface AdoptedMessage {
  readonly kind: 'adopted';
  readonly process: number;
  /** HEAD's last segment seq after the adoption. */
  readonly headSeq: number;
  readonly wallMs: number;
}

export type WriterMessage = CrashPointMessage | ReadyMessage | AdoptedMessage;

/** Parent to writer: `go` starts the transactions; `stop` ends a writer that runs until told. */
export interface ParentMessage {
  readonly kind: 'go' | 'stop';
}

/** One line of a writer's history file: a history event timed in epoch ms, so files of several processes merge. */
export interface WriterHistoryLine {
  readonly process: number;
  readonly type: EventType;
  readonly value: readonly MicroOp[];
  readonly wall_ms: number;
  readonly error?: HistoryError;
}
