/** Process (session) and real-time orders between transactions, after Elle's process and realtime graphs. */
import { type DepGraph, PROCESS, REALTIME } from './graph.js';
import type { History, Txn } from './history.js';

/** a -> b when the same process committed a and then b (ok transactions only). */
export function linkProcessOrder(history: History, graph: DepGraph): void {
  const last = new Map<number, Txn>();
  for (const t of history.txns) {
    if (t.op.type !== 'ok') continue;
    const prev = last.get(t.op.process);
    if (prev !== undefined) graph.link(prev.id, t.id, PROCESS);
    last.set(t.op.process, t);
  }
}

/**
 * a -> b when a completed (ok) before b was invoked. A transitive reduction suffices for
 * cycles: at each invocation, link from the "frontier" of completions not already ordered
 * before another completion in it.
 */
export function linkRealtimeOrder(history: History, graph: DepGraph): void {
  const byInvoke = new Map<number, Txn>();
  const byCompletion = new Map<number, Txn>();
  for (const t of history.txns) {
    byInvoke.set(t.invokeIndex, t);
    byCompletion.set(t.op.index, t);
  }
  const preds = new Map<number, Set<number>>(); // realtime predecessors, by txn id
  let frontier = new Set<number>();
  for (const op of history.ops) {
    if (op.type === 'invoke') {
      const t = byInvoke.get(op.index);
      if (t === undefined) continue;
      for (const a of frontier) {
        graph.link(a, t.id, REALTIME);
        let p = preds.get(t.id);
        if (p === undefined) {
          p = new Set();
          preds.set(t.id, p);
        }
        p.add(a);
      }
    } else if (op.type === 'ok') {
      const t = byCompletion.get(op.index);
      if (t === undefined) continue;
      const implied = preds.get(t.id);
      if (implied !== undefined) {
        const next = new Set<number>();
        for (const a of frontier) if (!implied.has(a)) next.add(a);
        frontier = next;
        preds.delete(t.id);
      }
      frontier.add(t.id);
    }
  }
}
