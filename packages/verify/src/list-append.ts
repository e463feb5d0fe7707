/**
 * The list-append workload: every key holds a list, every append adds a unique element, and
 * a read returns the whole list — so each read reveals a prefix of the key's version order.
 * This module finds the non-cycle anomalies and builds ww / wr / rw dependencies, after Elle's
 * `list-append` analysis.
 */
import { type Anomaly, type AnomalyMap, addAnomaly, describeMop, describeOp } from './anomaly.js';
import { type DepGraph, RW, WR, WW } from './graph.js';
import { type HKey, HistoryError, type History, keyId, type Mop, type Op, type Txn } from './history.js';
import { failedWrites, intermediateWrites } from './write-index.js';

export interface WorkloadAnalysis {
  readonly anomalies: AnomalyMap;
  /** Vertices that may be in the graph: ok and info transactions. */
  readonly possible: readonly Txn[];
  /** Which relation an explanation names when an edge carries several (first wins). */
  readonly priority: readonly number[];
  /** Why `a` precedes `b` by relation `rel`, naming the key and values ("b appended 3 after a appended 2 to x"). */
  explainEdge(a: Txn, b: Txn, rel: number): string | undefined;
}

const INIT = Symbol('init');
type Elem = unknown;
type PrevElem = Elem | typeof INIT;

const list = (v: unknown): readonly Elem[] => (Array.isArray(v) ? v : []);
/**
 * An element's identity in maps: the element itself when it is a primitive (Map and Set
 * compare those by value, keeping 1 and "1" apart), a tagged JSON string otherwise.
 */
type ElemId = string | number | boolean | null | undefined | bigint | symbol;
const elemId = (e: Elem): ElemId => (typeof e === 'object' && e !== null ? `\u0000${JSON.stringify(e)}` : (e as ElemId));

/** Analyse a list-append history, adding ww/wr/rw edges to `graph`. */
export function analyzeListAppend(history: History, graph: DepGraph): WorkloadAnalysis {
  const anomalies: AnomalyMap = new Map();
  const { txns } = history;
  checkMopTypes(history);
  checkUniqueAppends(history);
  const possible = txns.filter((t) => t.op.type === 'ok' || t.op.type === 'info');
  const oks = txns.filter((t) => t.op.type === 'ok');

  // --- Aborted and intermediate reads ------------------------------------------------
  const failed = failedWrites(history, 'append', elemId);
  const intermediate = intermediateWrites(history, 'append', elemId);
  for (const t of oks) {
    for (const m of t.op.value) {
      const [f, k, v] = m;
      if (f !== 'r') continue;
      const kid = keyId(k);
      const l = list(v);
      const failedOfKey = failed.get(kid);
      for (const e of failedOfKey === undefined ? [] : l) {
        const w = failedOfKey?.get(elemId(e));
        if (w !== undefined) {
          addAnomaly(anomalies, {
            type: 'G1a',
            key: k,
            ops: [t.op.index, w.op.index],
            element: e,
            explanation: `Aborted read: ${describeOp(t.op)} read ${describeMop(m)}, which contains element ${JSON.stringify(e)} appended by the failed ${describeOp(w.op)}.`,
          });
        }
      }
      if (l.length > 0) {
        const w = intermediate.get(kid)?.get(elemId(l[l.length - 1]));
        if (w !== undefined && w !== t.op.index) {
          addAnomaly(anomalies, {
            type: 'G1b',
            key: k,
            ops: [t.op.index, w],
            element: l[l.length - 1],
            explanation: `Intermediate read: ${describeOp(t.op)} read ${describeMop(m)}, ending in ${JSON.stringify(l[l.length - 1])}, which its writer (index ${w}) followed with another append to ${JSON.stringify(k)} in the same transaction.`,
          });
        }
      }
    }
  }

  // --- Garbage: elements no transaction ever tried to append ---------------------------
  const everAppended = new Map<string, Set<ElemId>>();
  for (const op of history.ops) {
    for (const [f, k, v] of op.value) {
      if (f !== 'append') continue;
      const set = everAppended.get(keyId(k)) ?? new Set<ElemId>();
      everAppended.set(keyId(k), set);
      set.add(elemId(v));
    }
  }
  for (const t of possible) {
    for (const m of t.op.value) {
      if (m[0] !== 'r') continue;
      const known = everAppended.get(keyId(m[1]));
      const garbage = list(m[2]).filter((e) => known?.has(elemId(e)) !== true);
      if (garbage.length > 0) {
        addAnomaly(anomalies, {
          type: 'garbage-read',
          key: m[1],
          ops: [t.op.index],
          elements: garbage,
          explanation: `Garbage read: ${describeOp(t.op)} read ${describeMop(m)}, containing ${JSON.stringify(garbage)}, which no transaction ever appended to ${JSON.stringify(m[1])}.`,
        });
      }
    }
  }

  // --- Within one transaction --------------------------------------------------------
  for (const t of oks) {
    internalCase(t.op, anomalies);
    futureReadCase(t.op, anomalies);
  }

  // --- Version orders ----------------------------------------------------------------
  const sorted = sortedValues(possible.map((t) => t.op));
  for (const [kid, values] of sorted) {
    for (let i = 1; i < values.length; i++) {
      const a = values[i - 1] as readonly Elem[];
      const b = values[i] as readonly Elem[];
      if (!isPrefix(a, b)) {
        const key = keyOf(kid);
        addAnomaly(anomalies, {
          type: 'incompatible-order',
          key,
          ops: [],
          values: [a, b],
          explanation: `Incompatible orders: reads of key ${JSON.stringify(key)} saw ${JSON.stringify(a)} and ${JSON.stringify(b)}; neither is a prefix of the other, so no single order of appends explains both.`,
        });
        break;
      }
    }
  }
  for (const t of possible) {
    for (const m of t.op.value) {
      const [f, , v] = m;
      if (f !== 'r') continue;
      const l = list(v);
      const distinct = new Set<ElemId>();
      for (const e of l) distinct.add(elemId(e));
      if (distinct.size === l.length) continue;
      const seen = new Map<string, number>();
      for (const e of l) seen.set(JSON.stringify(e), (seen.get(JSON.stringify(e)) ?? 0) + 1);
      const dups = [...seen].filter(([, n]) => n > 1);
      if (dups.length > 0) {
        addAnomaly(anomalies, {
          type: 'duplicate-elements',
          key: m[1],
          ops: [t.op.index],
          duplicates: Object.fromEntries(dups),
          explanation: `Duplicate elements: ${describeOp(t.op)} read ${describeMop(m)}, in which ${dups.map(([e, n]) => `${e} appears ${n} times`).join(', ')}; every element was appended once.`,
        });
      }
    }
  }
  const order = versionOrders(sorted);
  // As in Elle, dirty updates are judged on orders inferred from the whole history (failed
  // transactions' appends included), where a key appended by two attempts is no single append.
  dirtyUpdates(history, versionOrders(sortedValues(history.ops)), anomalies);

  // --- Dependencies ------------------------------------------------------------------
  const writeIndex = new Map<string, Map<ElemId, Txn>>(); // over ok + info
  for (const t of possible) for (const [f, k, v] of t.op.value) if (f === 'append') nested(writeIndex, keyId(k)).set(elemId(v), t);
  const readIndex = new Map<string, Map<ElemId, Txn[]>>();
  for (const t of possible) {
    for (const [f, k, v] of t.op.value) {
      if (f !== 'r' || (t.op.type === 'info' && v === null)) continue;
      const l = list(v);
      const at = l.length === 0 ? INIT : elemId(l[l.length - 1]);
      const byElem = readIndex.get(keyId(k)) ?? new Map();
      readIndex.set(keyId(k), byElem);
      const readers = byElem.get(at) ?? [];
      byElem.set(at, readers);
      readers.push(t);
    }
  }
  const previous = (kid: string, v: Elem): PrevElem => {
    const o = order.get(kid);
    if (o === undefined) return INIT;
    const i = o.indices.get(elemId(v));
    if (i === undefined) return o.values.length === 0 ? INIT : o.values[o.values.length - 1];
    return i > 0 ? o.values[i - 1] : INIT;
  };
  for (const t of possible) {
    for (const [f, k, v] of t.op.value) {
      const kid = keyId(k);
      if (f === 'r') {
        const l = list(v);
        if (l.length === 0) continue;
        const w = writeIndex.get(kid)?.get(elemId(l[l.length - 1]));
        if (w !== undefined && w !== t) graph.link(w.id, t.id, WR);
      } else if (f === 'append') {
        const prev = previous(kid, v);
        if (prev !== INIT) {
          const w = writeIndex.get(kid)?.get(elemId(prev));
          if (w !== undefined && w !== t) graph.link(w.id, t.id, WW);
        }
        for (const r of readIndex.get(kid)?.get(prev === INIT ? INIT : elemId(prev)) ?? []) {
          if (r !== t) graph.link(r.id, t.id, RW);
        }
      }
    }
  }

  lostUpdates(possible, 'append', anomalies);
  const show = (e: Elem) => JSON.stringify(e);
  const explainEdge = (a: Txn, b: Txn, rel: number): string | undefined => {
    for (const [f, k, v] of b.op.value) {
      const kid = keyId(k);
      if (rel === WR && f === 'r') {
        const l = list(v);
        if (l.length > 0 && writeIndex.get(kid)?.get(elemId(l[l.length - 1])) === a) {
          return `{b} read ${JSON.stringify(k)} = ${JSON.stringify(l)}, whose last element ${show(l[l.length - 1])} {a} appended`;
        }
      } else if (f === 'append' && (rel === WW || rel === RW)) {
        const prev = previous(kid, v);
        if (rel === WW && prev !== INIT && writeIndex.get(kid)?.get(elemId(prev)) === a) {
          return `{b} appended ${show(v)} to ${JSON.stringify(k)} right after {a} appended ${show(prev)}`;
        }
        if (rel === RW && (readIndex.get(kid)?.get(prev === INIT ? INIT : elemId(prev)) ?? []).includes(a)) {
          return prev === INIT
            ? `{a} read ${JSON.stringify(k)} empty, and {b} appended its first element ${show(v)}`
            : `{a} read ${JSON.stringify(k)} ending in ${show(prev)}, and {b} appended ${show(v)} right after it`;
        }
      }
    }
    return undefined;
  };
  return { anomalies, possible, priority: [WW, WR, RW], explainEdge };
}

function checkMopTypes(history: History): void {
  for (const op of history.ops) {
    for (const [f] of op.value) {
      if (f !== 'r' && f !== 'append') {
        throw new HistoryError(`history contains ${JSON.stringify(f)} micro-ops; the list-append workload has only "r" and "append" (index ${op.index})`);
      }
    }
  }
}

function checkUniqueAppends(history: History): void {
  const seen = new Map<string, Set<ElemId>>();
  for (const op of history.ops) {
    if (op.type !== 'invoke') continue;
    for (const [f, k, v] of op.value) {
      if (f !== 'append') continue;
      const s = seen.get(keyId(k)) ?? new Set();
      seen.set(keyId(k), s);
      if (s.has(elemId(v))) {
        throw new HistoryError(`value ${JSON.stringify(v)} appended to key ${JSON.stringify(k)} more than once (index ${op.index}); list-append needs unique elements`);
      }
      s.add(elemId(v));
    }
  }
}

const UNKNOWN_PREFIX = Symbol('...');

function internalCase(op: Op, anomalies: AnomalyMap): void {
  const state = new Map<string, (Elem | typeof UNKNOWN_PREFIX)[]>();
  for (const m of op.value) {
    const [f, k, v] = m;
    const kid = keyId(k);
    if (f === 'append') {
      state.set(kid, [...(state.get(kid) ?? [UNKNOWN_PREFIX]), v]);
      continue;
    }
    const s = state.get(kid);
    const l = list(v);
    if (s !== undefined) {
      let bad: boolean;
      if (s[0] === UNKNOWN_PREFIX) {
        const i = l.length + 1 - s.length;
        bad = i < 0 || !sameList(s.slice(1), l.slice(i));
      } else {
        bad = !sameList(s, l);
      }
      if (bad) {
        const expected = s.map((e) => (e === UNKNOWN_PREFIX ? '...' : e));
        addAnomaly(anomalies, {
          type: 'internal',
          key: k,
          ops: [op.index],
          expected,
          explanation: `Internal inconsistency: ${describeOp(op)} read ${describeMop(m)}, but its own earlier reads and appends imply ${JSON.stringify(expected)}.`,
        });
        return;
      }
    }
    state.set(kid, [...l]);
  }
}

function futureReadCase(op: Op, anomalies: AnomalyMap): void {
  const appended = new Set<string>();
  for (const [f, k] of op.value) if (f === 'append') appended.add(keyId(k));
  if (appended.size === 0) return;
  const reads = new Map<string, Map<ElemId, Mop>>();
  for (const m of op.value) {
    const [f, k, v] = m;
    const kid = keyId(k);
    if (f === 'append') {
      const read = reads.get(kid)?.get(elemId(v));
      if (read !== undefined) {
        addAnomaly(anomalies, {
          type: 'future-read',
          key: k,
          ops: [op.index],
          element: v,
          explanation: `Future read: ${describeOp(op)} read ${describeMop(read)}, which contains ${JSON.stringify(v)} — an element the same transaction appends only later.`,
        });
        return;
      }
    } else if (f === 'r' && appended.has(kid)) {
      const byElem = reads.get(kid) ?? new Map<ElemId, Mop>();
      reads.set(kid, byElem);
      for (const e of list(v)) if (!byElem.has(elemId(e))) byElem.set(elemId(e), m);
    }
  }
}

/** Every distinct non-empty list read per key, shortest first (single-append keys: [[x]]). */
function sortedValues(ops: readonly Op[]): Map<string, (readonly Elem[])[]> {
  // Per key, distinct lists grouped by length (compared element-wise only within a length).
  const byKey = new Map<string, Map<number, (readonly Elem[])[]>>();
  const appends = new Map<string, Elem[]>();
  for (const op of ops) {
    for (const [f, k, v] of op.value) {
      const kid = keyId(k);
      if (f === 'append') {
        const a = appends.get(kid) ?? [];
        appends.set(kid, a);
        a.push(v);
      } else if (f === 'r' && Array.isArray(v) && v.length > 0) {
        let byLength = byKey.get(kid);
        if (byLength === undefined) {
          byLength = new Map();
          byKey.set(kid, byLength);
        }
        const same = byLength.get(v.length);
        if (same === undefined) byLength.set(v.length, [v]);
        else if (!same.some((x) => sameList(x, v))) same.push(v);
      }
    }
  }
  const out = new Map<string, (readonly Elem[])[]>();
  for (const [kid, byLength] of byKey) {
    out.set(kid, [...byLength.entries()].sort(([a], [b]) => a - b).flatMap(([, lists]) => lists));
  }
  for (const [kid, a] of appends) if (a.length === 1) out.set(kid, [[a[0]]]);
  return out;
}

/** The version order of each key: the distinct elements of its longest read. */
function versionOrders(sorted: Map<string, (readonly Elem[])[]>): Map<string, { values: Elem[]; indices: Map<ElemId, number> }> {
  const order = new Map<string, { values: Elem[]; indices: Map<ElemId, number> }>();
  for (const [kid, values] of sorted) {
    const longest = values[values.length - 1] ?? [];
    const distinct: Elem[] = [];
    const indices = new Map<ElemId, number>();
    for (const e of longest) {
      if (indices.has(elemId(e))) continue;
      indices.set(elemId(e), distinct.length);
      distinct.push(e);
    }
    order.set(kid, { values: distinct, indices });
  }
  return order;
}

function dirtyUpdates(
  history: History,
  order: Map<string, { values: Elem[] }>,
  anomalies: AnomalyMap,
): void {
  const writer = new Map<string, Map<ElemId, Txn>>(); // every completion, fails included
  for (const t of history.txns) for (const [f, k, v] of t.op.value) if (f === 'append') nested(writer, keyId(k)).set(elemId(v), t);
  for (const [kid, { values }] of order) {
    let t1: Txn | { op: { type: 'ok' } } = { op: { type: 'ok' } };
    let vs: Elem[] = [];
    for (const v of values) {
      const t2 = writer.get(kid)?.get(elemId(v));
      if (t2 === undefined) continue; // an element no transaction wrote: reported as G1a/garbage elsewhere
      vs = [...vs, v];
      const a = t1.op.type;
      const b = t2.op.type;
      if (b === 'ok' || (b === 'fail' && a !== 'fail')) {
        if (a === 'fail' && b === 'ok') {
          const key = keyOf(kid);
          addAnomaly(anomalies, {
            type: 'dirty-update',
            key,
            ops: ['index' in t1.op ? (t1.op as Op).index : -1, t2.op.index],
            values: vs,
            explanation: `Dirty update: on key ${JSON.stringify(key)} the committed ${describeOp(t2.op)} appended after elements of a failed transaction (${JSON.stringify(vs)}).`,
          });
        }
        t1 = t2;
        vs = [v];
      }
    }
  }
}

/** Committed transactions that read the same version of a key and both wrote it (Elle's lost-update). */
export function lostUpdates(txns: readonly Txn[], writeF: 'append' | 'w', anomalies: AnomalyMap): void {
  const byKeyValue = new Map<string, { key: HKey; value: unknown; txns: Txn[] }>();
  for (const t of txns) {
    if (t.op.type !== 'ok') continue;
    const reads = new Map<string, unknown>();
    const writes = new Set<string>();
    for (const [f, k, v] of t.op.value) {
      const kid = keyId(k);
      if (f === writeF && !writes.has(kid)) {
        if (reads.has(kid)) {
          const id = `${kid}\u0000${JSON.stringify(reads.get(kid))}`;
          const entry = byKeyValue.get(id) ?? { key: k, value: reads.get(kid), txns: [] };
          byKeyValue.set(id, entry);
          entry.txns.push(t);
          writes.add(kid);
        }
      } else if (f === 'r' && !reads.has(kid)) {
        reads.set(kid, v);
      }
    }
  }
  for (const { key, value, txns: ts } of byKeyValue.values()) {
    if (ts.length < 2) continue;
    addAnomaly(anomalies, {
      type: 'lost-update',
      key,
      ops: ts.map((t) => t.op.index),
      value,
      explanation: `Lost update: ${ts.length} committed transactions (indices ${ts.map((t) => t.op.index).join(', ')}) all read ${JSON.stringify(key)} = ${JSON.stringify(value)} and then wrote it; all but one update is lost.`,
    } satisfies Anomaly);
  }
}

export function isPrefix(a: readonly Elem[], b: readonly Elem[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && elemId(a[i]) !== elemId(b[i])) return false;
  return true;
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && elemId(a[i]) !== elemId(b[i])) return false;
  return true;
}

function nested<V>(m: Map<string, Map<ElemId, V>>, k: string): Map<ElemId, V> {
  let inner = m.get(k);
  if (inner === undefined) {
    inner = new Map();
    m.set(k, inner);
  }
  return inner;
}

export function keyOf(kid: string): HKey {
  return kid.startsWith('n:') ? Number(kid.slice(2)) : kid.slice(2);
}
