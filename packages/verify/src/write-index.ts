/** Indexes of writes that both workloads' G1a / G1b checks need. */
import { type History, keyId, type Txn } from './history.js';

/** key id -> write identity -> value. */
export type KeyedIndex<I, V> = Map<string, Map<I, V>>;

function put<I, V>(index: KeyedIndex<I, V>, kid: string, id: I, v: V): void {
  let m = index.get(kid);
  if (m === undefined) {
    m = new Map();
    index.set(kid, m);
  }
  m.set(id, v);
}

/** Writes (`writeF` micro-ops) of failed transactions, by key and value. */
export function failedWrites<I>(history: History, writeF: 'append' | 'w', id: (v: unknown) => I): KeyedIndex<I, Txn> {
  const out: KeyedIndex<I, Txn> = new Map();
  for (const t of history.txns) {
    if (t.op.type !== 'fail') continue;
    for (const [f, k, v] of t.op.value) if (f === writeF) put(out, keyId(k), id(v), t);
  }
  return out;
}

/**
 * Writes a transaction itself followed with another write to the same key, by key and value,
 * to the index of the completion that made them (invocations count, as in Elle).
 */
export function intermediateWrites<I>(history: History, writeF: 'append' | 'w', id: (v: unknown) => I): KeyedIndex<I, number> {
  const completionOf = new Map<number, number>(history.txns.map((t) => [t.invokeIndex, t.op.index]));
  const out: KeyedIndex<I, number> = new Map();
  for (const op of history.ops) {
    const last = new Map<string, unknown>();
    const at = op.type === 'invoke' ? (completionOf.get(op.index) ?? op.index) : op.index;
    for (const [f, k, v] of op.value) {
      if (f !== writeF) continue;
      const kid = keyId(k);
      if (last.has(kid)) put(out, kid, id(last.get(kid)), at);
      last.set(kid, v);
    }
  }
  return out;
}
