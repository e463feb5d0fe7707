import type { Mop, Op } from './history.js';

/** One found anomaly: its type, a plain-words explanation, and the data behind it. */
export interface Anomaly {
  readonly type: string;
  readonly explanation: string;
  /** History indices of the completions involved. */
  readonly ops: readonly number[];
  readonly key?: string | number;
  readonly [extra: string]: unknown;
}

export type AnomalyMap = Map<string, Anomaly[]>;

export function addAnomaly(map: AnomalyMap, a: Anomaly): void {
  const list = map.get(a.type);
  if (list === undefined) map.set(a.type, [a]);
  else list.push(a);
}

/** `T12 (process 3, index 40): [["r","x",[1,2]],["append","x",3]]` */
export function describeOp(op: Op): string {
  return `txn at index ${op.index} (process ${op.process}, ${op.type}) ${JSON.stringify(op.value)}`;
}

export function describeMop(m: Mop): string {
  return JSON.stringify(m);
}
