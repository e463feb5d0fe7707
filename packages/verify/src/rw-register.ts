/**
 * The rw-register workload with unique writes: `["w", k, v]` sets a register, `["r", k, v]`
 * reads it. Versions are only partly ordered: every value follows the initial null. This
 * module finds the non-cycle anomalies and builds ww / wr / rw dependencies, after Elle's
 * `rw-register` analysis with its default (initial-state) version inference.
 */
import { type AnomalyMap, addAnomaly, describeMop, describeOp } from './anomaly.js';
import { type DepGraph, RW, WR, WW } from './graph.js';
import { HistoryError, type History, keyId, type Op, type Txn } from './history.js';
import { lostUpdates, type WorkloadAnalysis } from './list-append.js';
import { failedWrites, intermediateWrites } from './write-index.js';

const vid = (v: unknown) => JSON.stringify(v);

/** First read of each key not preceded by a write of it in the transaction. */
function extReads(op: Op): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const written = new Set<string>();
  for (const [f, k, v] of op.value) {
    const kid = keyId(k);
    if (f === 'w') written.add(kid);
    else if (f === 'r' && !written.has(kid) && !out.has(kid)) out.set(kid, v);
  }
  return out;
}

/** Last write of each key in the transaction. */
function extWrites(op: Op): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [f, k, v] of op.value) if (f === 'w') out.set(keyId(k), v);
  return out;
}

export function analyzeRwRegister(history: History, graph: DepGraph): WorkloadAnalysis {
  const anomalies: AnomalyMap = new Map();
  for (const op of history.ops) {
    for (const [f] of op.value) {
      if (f !== 'r' && f !== 'w') {
        throw new HistoryError(`history contains ${JSON.stringify(f)} micro-ops; the rw-register workload has only "r" and "w" (index ${op.index})`);
      }
    }
  }
  const { txns } = history;
  const oks = txns.filter((t) => t.op.type === 'ok');
  const possible = txns.filter((t) => t.op.type === 'ok' || t.op.type === 'info');

  // Internal consistency: a read must equal the txn's own latest write or read of the key.
  for (const t of oks) {
    const state = new Map<string, unknown>();
    for (const m of t.op.value) {
      const [f, k, v] = m;
      const kid = keyId(k);
      if (f === 'w') state.set(kid, v);
      else if (state.has(kid) && vid(state.get(kid)) !== vid(v)) {
        addAnomaly(anomalies, {
          type: 'internal',
          key: k,
          ops: [t.op.index],
          expected: state.get(kid),
          explanation: `Internal inconsistency: ${describeOp(t.op)} read ${describeMop(m)}, but its own earlier read or write of ${JSON.stringify(k)} was ${vid(state.get(kid))}.`,
        });
        break;
      } else state.set(kid, v);
    }
  }

  // Aborted and intermediate reads.
  const failed = failedWrites(history, 'w', vid);
  const intermediate = intermediateWrites(history, 'w', vid);
  for (const t of oks) {
    for (const m of t.op.value) {
      const [f, k, v] = m;
      if (f !== 'r') continue;
      const w = failed.get(keyId(k))?.get(vid(v));
      if (w !== undefined) {
        addAnomaly(anomalies, {
          type: 'G1a',
          key: k,
          ops: [t.op.index, w.op.index],
          explanation: `Aborted read: ${describeOp(t.op)} read ${describeMop(m)}, written by the failed ${describeOp(w.op)}.`,
        });
      }
      const im = intermediate.get(keyId(k))?.get(vid(v));
      if (im !== undefined && im !== t.op.index) {
        addAnomaly(anomalies, {
          type: 'G1b',
          key: k,
          ops: [t.op.index, im],
          explanation: `Intermediate read: ${describeOp(t.op)} read ${describeMop(m)}, a value its writer (index ${im}) overwrote later in the same transaction.`,
        });
      }
    }
  }

  // No garbage-read check here: a value nobody wrote may be the register's initial state.

  // wr: the unique committed writer of a value precedes every committed reader of it.
  const writers = new Map<string, Txn[]>();
  const readers = new Map<string, Txn[]>();
  for (const t of oks) {
    for (const [kid, v] of extWrites(t.op)) push(writers, `${kid}=${vid(v)}`, t);
    for (const [kid, v] of extReads(t.op)) push(readers, `${kid}=${vid(v)}`, t);
  }
  for (const [id, rs] of readers) {
    const ws = writers.get(id) ?? [];
    if (ws.length > 1) throw new HistoryError(`value ${id} was written by more than one transaction; rw-register needs unique writes`);
    const w = ws[0];
    if (w !== undefined) for (const r of rs) graph.link(w.id, r.id, WR);
  }
  // Versions: null precedes every value written or read (by ok and info txns).
  const versionEdges = new Map<string, string[]>(); // key -> values following null
  for (const t of possible) {
    const vals = [...extWrites(t.op), ...(t.op.type === 'ok' ? extReads(t.op) : [])];
    for (const [kid, v] of vals) {
      if (v === null || v === undefined) continue;
      push(versionEdges, kid, vid(v));
    }
  }
  for (const [kid, values] of versionEdges) {
    const nullReaders = readers.get(`${kid}=null`) ?? [];
    for (const v of new Set(values)) {
      for (const w of writers.get(`${kid}=${v}`) ?? []) {
        for (const r of nullReaders) graph.link(r.id, w.id, RW);
      }
    }
  }
  // No ww edges: they need two non-null versions in order, which initial-state inference never yields.

  lostUpdates(possible, 'w', anomalies);
  const explainEdge = (a: Txn, b: Txn, rel: number): string | undefined => {
    if (rel === WR) {
      for (const [kid, v] of extReads(b.op)) {
        if (extWrites(a.op).has(kid) && vid(extWrites(a.op).get(kid)) === vid(v)) return `{b} read ${kid.slice(2)} = ${vid(v)}, which {a} wrote`;
      }
    } else if (rel === RW) {
      for (const [kid, v] of extWrites(b.op)) {
        if (extReads(a.op).get(kid) === null) return `{a} read ${kid.slice(2)} = null (the initial state), which {b} overwrote with ${vid(v)}`;
      }
    }
    return undefined;
  };
  return { anomalies, possible, priority: [WR, WW, RW], explainEdge };
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [v]);
  else l.push(v);
}
