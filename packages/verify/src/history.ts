/**
 * Jepsen-style histories: one event per line,
 * `{"index","process","type":"invoke|ok|fail|info","f":"txn","value":[[f,k,v],...],"time"}`.
 * `ok` took effect, `fail` did not, `info` may or may not have; a process that got `info`
 * never invokes again. Parsing validates all of this and pairs each completion with its
 * invocation.
 */

export type MopF = 'r' | 'append' | 'w';
export type HKey = string | number;
/** A micro-op: `[f, key, value]`. Reads of list keys carry the list (or null). */
export type Mop = readonly [MopF, HKey, unknown];
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

export interface Op {
  readonly index: number;
  readonly process: number;
  readonly type: OpType;
  readonly f: string;
  readonly value: readonly Mop[];
  readonly time: number;
}

/** A fault annotation in a history: skipped by the checkers. */
export interface NemesisOp {
  readonly index: number;
  readonly process: 'nemesis';
}

/** A completed transaction: its completion op and the index of its invocation. */
export interface Txn {
  /** Position in `History.txns`. */
  readonly id: number;
  readonly op: Op;
  readonly invokeIndex: number;
}

export interface History {
  readonly ops: readonly Op[];
  /** Every completion (ok, fail, info; synthesised `info` for invocations never completed). */
  readonly txns: readonly Txn[];
}

/** A malformed history: names the line and what is wrong. */
export class HistoryError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'HistoryError';
  }
}

const TYPES = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);
const FS = new Set<MopF>(['r', 'append', 'w']);

/** Parse JSON lines into a validated, paired history. */
export function parseHistory(text: string): History {
  const ops: Op[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new HistoryError(`not valid JSON (${(err as Error).message})`, i + 1);
    }
    // Fault annotations (Jepsen's nemesis entries) mark time; they are not transactions.
    if (isNemesis(raw)) continue;
    ops.push(validateOp(raw, i + 1));
  }
  return pairHistory(ops);
}

/** A nemesis entry: `{"process": "nemesis", "type": "info", "f": "start" | "stop", "value": <label>}`. */
export function isNemesis(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { process?: unknown }).process === 'nemesis';
}

/** Validate one event object (line numbers are for messages). */
export function validateOp(raw: unknown, line?: number): Op {
  const fail = (msg: string): never => {
    throw new HistoryError(msg, line);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('an event must be a JSON object');
  const o = raw as Record<string, unknown>;
  const index = o.index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) fail('`index` must be a non-negative integer');
  if (typeof o.process !== 'number' || !Number.isInteger(o.process)) fail('`process` must be an integer');
  if (typeof o.type !== 'string' || !TYPES.has(o.type as OpType)) fail('`type` must be one of invoke, ok, fail, info');
  const f = o.f ?? 'txn';
  if (typeof f !== 'string') fail('`f` must be a string');
  const time = o.time ?? 0;
  if (typeof time !== 'number') fail('`time` must be a number');
  if (!Array.isArray(o.value)) fail('`value` must be a list of micro-ops [f, key, value]');
  const value = (o.value as unknown[]).map((m, j): Mop => {
    if (!Array.isArray(m) || m.length !== 3) fail(`micro-op ${j} must be [f, key, value]`);
    const [mf, k, v] = m as unknown[];
    if (typeof mf !== 'string' || !FS.has(mf as MopF)) fail(`micro-op ${j}: f must be "r", "append" or "w", got ${JSON.stringify(mf)}`);
    if (typeof k !== 'string' && !(typeof k === 'number' && Number.isSafeInteger(k))) {
      fail(`micro-op ${j}: a key must be a string or an integer`);
    }
    if (mf === 'r' && o.type === 'ok' && v !== null && !Array.isArray(v) && (typeof v === 'object')) {
      fail(`micro-op ${j}: a read must return a list, a scalar or null`);
    }
    return [mf as MopF, k as HKey, v];
  });
  return { index: index as number, process: o.process as number, type: o.type as OpType, f: f as string, value, time: time as number };
}

/**
 * Pair invocations with completions by process. A process may not invoke twice without
 * completing, complete without invoking, or invoke again after `info`. Invocations never
 * completed become `info` (the outcome is unknown).
 */
export function pairHistory(events: readonly (Op | NemesisOp)[]): History {
  const ops = events.filter((o): o is Op => o.process !== 'nemesis');
  const txns: Txn[] = [];
  const open = new Map<number, Op>();
  const crashed = new Set<number>();
  let last = -1;
  ops.forEach((op, pos) => {
    if (op.index <= last) throw new HistoryError(`index ${op.index} does not increase (previous ${last})`, pos + 1);
    last = op.index;
    if (op.type === 'invoke') {
      if (open.has(op.process)) throw new HistoryError(`process ${op.process} invoked again before completing`, pos + 1);
      if (crashed.has(op.process)) {
        throw new HistoryError(`process ${op.process} invoked after an info completion; use a new process id`, pos + 1);
      }
      open.set(op.process, op);
      return;
    }
    const inv = open.get(op.process);
    if (inv === undefined) throw new HistoryError(`process ${op.process} completed (${op.type}) without an invocation`, pos + 1);
    open.delete(op.process);
    if (op.type === 'info') crashed.add(op.process);
    txns.push({ id: txns.length, op, invokeIndex: inv.index });
  });
  for (const inv of open.values()) {
    txns.push({ id: txns.length, op: { ...inv, type: 'info', index: Number.MAX_SAFE_INTEGER - txns.length }, invokeIndex: inv.index });
  }
  return { ops, txns };
}

/** A key's identity for maps: `"s:<string>"` or `"n:<number>"` so 1 and "1" differ. */
export function keyId(k: HKey): string {
  return typeof k === 'number' ? `n:${k}` : `s:${k}`;
}
