/**
 * Small hand-written histories, one per anomaly class, each checked against the model that
 * must reject it (and, where it matters, one that allows it).
 */
import { describe, expect, it } from 'vitest';
import { checkHistory, type Workload } from './check.js';
import { type Mop, type Op, pairHistory } from './history.js';

type T = { p: number; type?: 'ok' | 'fail' | 'info'; ops: Mop[] };

/** Sequential transactions: each invoked after the previous completed. */
function seq(...txns: T[]): Op[] {
  const out: Op[] = [];
  for (const t of txns) {
    out.push({ index: out.length, process: t.p, type: 'invoke', f: 'txn', value: t.ops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]), time: out.length });
    out.push({ index: out.length, process: t.p, type: t.type ?? 'ok', f: 'txn', value: t.ops, time: out.length });
  }
  return out;
}

/** All transactions concurrent: every invocation before any completion. */
function concurrent(...txns: T[]): Op[] {
  const out: Op[] = [];
  for (const [i, t] of txns.entries()) {
    out.push({ index: out.length, process: i, type: 'invoke', f: 'txn', value: t.ops.map(([f, k, v]) => [f, k, f === 'r' ? null : v]), time: out.length });
  }
  for (const [i, t] of txns.entries()) {
    out.push({ index: out.length, process: i, type: t.type ?? 'ok', f: 'txn', value: t.ops, time: out.length });
  }
  return out;
}

function types(ops: Op[], model: string, workload: Workload = 'list-append') {
  const r = checkHistory(pairHistory(ops), { model, workload });
  return { valid: r.valid, anomalies: r.anomalyTypes };
}

describe('list-append anomaly classes', () => {
  it('G0: a write cycle (two txns appending to x and y in opposite orders)', () => {
    const h = concurrent(
      { p: 0, ops: [['append', 'x', 1], ['append', 'y', 1]] },
      { p: 1, ops: [['append', 'x', 2], ['append', 'y', 2]] },
      { p: 2, ops: [['r', 'x', [1, 2]], ['r', 'y', [2, 1]]] },
    );
    expect(types(h, 'read-uncommitted')).toEqual({ valid: false, anomalies: ['G0'] });
  });

  it('G1c: circular information flow (each reads the other)', () => {
    const h = concurrent(
      { p: 0, ops: [['append', 'x', 1], ['r', 'y', [1]]] },
      { p: 1, ops: [['append', 'y', 1], ['r', 'x', [1]]] },
    );
    expect(types(h, 'read-committed')).toEqual({ valid: false, anomalies: ['G1c'] });
    expect(types(h, 'read-uncommitted').valid).toBe(true);
  });

  it('G-single-item: read skew — one anti-dependency in a cycle', () => {
    const h = concurrent(
      { p: 0, ops: [['r', 'x', []], ['r', 'y', [1]]] },
      { p: 1, ops: [['append', 'x', 1], ['append', 'y', 1]] },
    );
    expect(types(h, 'serializable')).toEqual({ valid: false, anomalies: ['G-single-item'] });
    expect(types(h, 'read-committed').valid).toBe(true);
  });

  it('G2-item: write skew — two adjacent anti-dependencies', () => {
    const h = concurrent(
      { p: 0, ops: [['r', 'x', []], ['append', 'y', 1]] },
      { p: 1, ops: [['r', 'y', []], ['append', 'x', 1]] },
      { p: 2, ops: [['r', 'x', [1]], ['r', 'y', [1]]] },
    );
    expect(types(h, 'serializable')).toEqual({ valid: false, anomalies: ['G2-item'] });
    expect(types(h, 'snapshot-isolation').valid).toBe(true);
  });

  it('G1a: an aborted read', () => {
    const h = seq({ p: 0, type: 'fail', ops: [['append', 'x', 1]] }, { p: 1, ops: [['r', 'x', [1]]] });
    expect(types(h, 'read-committed').anomalies).toContain('G1a');
  });

  it('G1b: an intermediate read', () => {
    const h = seq({ p: 0, ops: [['append', 'x', 1], ['append', 'x', 2]] }, { p: 1, ops: [['r', 'x', [1]]] });
    expect(types(h, 'read-committed').anomalies).toContain('G1b');
  });

  it('G-single-item-realtime: a read that misses a write completed before it began (stale read)', () => {
    const h = seq({ p: 0, ops: [['append', 'x', 1]] }, { p: 1, ops: [['append', 'x', 2]] }, { p: 2, ops: [['r', 'x', [1]]] }, { p: 3, ops: [['r', 'x', [1, 2]]] });
    expect(types(h, 'strict-serializable')).toEqual({ valid: false, anomalies: ['G-single-item-realtime'] });
    const [a] = checkHistory(pairHistory(h), { model: 'strict-serializable' }).anomalies['G-single-item-realtime'] ?? [];
    expect(a?.explanation).toMatch(/because T\d completed \(index 3\) before T\d was invoked \(index 4\)/);
    expect(types(h, 'serializable').valid).toBe(true);
  });

  it('G-single-item-process: a process does not see its own earlier write', () => {
    const h = seq({ p: 0, ops: [['append', 'x', 1]] }, { p: 0, ops: [['r', 'x', []]] }, { p: 1, ops: [['r', 'x', [1]]] });
    expect(types(h, 'strong-session-serializable').anomalies).toContain('G-single-item-process');
    expect(types(h, 'serializable').valid).toBe(true);
  });

  it('internal: a read that ignores the transaction’s own append', () => {
    const h = seq({ p: 0, ops: [['append', 'x', 1], ['r', 'x', []]] });
    expect(types(h, 'serializable').anomalies).toContain('internal');
  });

  it('future-read: a transaction reads an element it appends only later', () => {
    const h = seq({ p: 0, ops: [['r', 'x', [1]], ['append', 'x', 1]] });
    expect(types(h, 'read-committed').anomalies).toContain('future-read');
  });

  it('duplicate-elements and incompatible-order', () => {
    const dup = seq({ p: 0, ops: [['append', 'x', 1]] }, { p: 1, ops: [['r', 'x', [1, 1]]] });
    expect(types(dup, 'read-uncommitted').anomalies).toContain('duplicate-elements');
    const inc = seq({ p: 0, ops: [['append', 'x', 1]] }, { p: 1, ops: [['append', 'x', 2]] }, { p: 2, ops: [['r', 'x', [1, 2]]] }, { p: 3, ops: [['r', 'x', [2, 1]]] });
    expect(types(inc, 'read-committed').anomalies).toContain('incompatible-order');
  });

  it('dirty-update: a committed append on top of a failed one', () => {
    const h = seq({ p: 0, type: 'fail', ops: [['append', 'x', 1]] }, { p: 1, ops: [['append', 'x', 2]] }, { p: 2, ops: [['r', 'x', [1, 2]]] });
    expect(types(h, 'read-committed').anomalies).toEqual(expect.arrayContaining(['G1a', 'dirty-update']));
  });

  it('lost-update: two committed txns read the same version and both append', () => {
    const h = concurrent({ p: 0, ops: [['r', 'x', []], ['append', 'x', 1]] }, { p: 1, ops: [['r', 'x', []], ['append', 'x', 2]] });
    expect(types(h, 'repeatable-read').anomalies).toContain('lost-update');
    expect(types(h, 'read-committed').valid).toBe(true);
  });

  it('garbage-read: an element nobody appended', () => {
    const h = seq({ p: 0, ops: [['append', 'x', 1]] }, { p: 1, ops: [['r', 'x', [1, 99]]] });
    expect(types(h, 'read-uncommitted').anomalies).toContain('garbage-read');
  });

  it('empty-transaction-graph makes the verdict unknown, not valid', () => {
    const h = seq({ p: 0, ops: [['r', 'x', []]] });
    expect(types(h, 'read-committed')).toEqual({ valid: 'unknown', anomalies: ['empty-transaction-graph'] });
  });

  it('info transactions may have happened: their appends order others, their nil reads mean nothing', () => {
    const h = seq({ p: 0, type: 'info', ops: [['append', 'x', 1]] }, { p: 1, ops: [['r', 'x', [1]]] }, { p: 2, ops: [['append', 'x', 2]] }, { p: 3, ops: [['r', 'x', [1, 2]]] });
    expect(types(h, 'strict-serializable')).toEqual({ valid: true, anomalies: [] });
  });
});

describe('rw-register anomaly classes', () => {
  it('G1c between two registers, internal, G1a and lost-update', () => {
    const g1c = seq({ p: 0, ops: [['w', 'x', 1], ['r', 'y', 1]] }, { p: 0, ops: [['w', 'y', 1], ['r', 'x', 1]] });
    expect(types(g1c, 'read-committed', 'rw-register').anomalies).toEqual(['G1c']);
    const internal = seq({ p: 0, ops: [['w', 'x', 1], ['r', 'x', 2]] });
    expect(types(internal, 'serializable', 'rw-register').anomalies).toContain('internal');
    const g1a = seq({ p: 0, type: 'fail', ops: [['w', 'x', 5]] }, { p: 1, ops: [['r', 'x', 5]] });
    expect(types(g1a, 'read-committed', 'rw-register').anomalies).toContain('G1a');
    const lost = concurrent({ p: 0, ops: [['r', 'x', null], ['w', 'x', 1]] }, { p: 1, ops: [['r', 'x', null], ['w', 'x', 2]] });
    expect(types(lost, 'repeatable-read', 'rw-register').anomalies).toContain('lost-update');
  });
});

describe('results', () => {
  it('name the models ruled out, and explain each anomaly in words', () => {
    const h = concurrent(
      { p: 0, ops: [['r', 'x', []], ['r', 'y', [1]]] },
      { p: 1, ops: [['append', 'x', 1], ['append', 'y', 1]] },
    );
    const r = checkHistory(pairHistory(h), { model: 'serializable' });
    expect(r.notModels).toEqual(['consistent-view', 'repeatable-read']);
    expect(r.alsoNotModels).toContain('serializable');
    const [a] = r.anomalies['G-single-item'] ?? [];
    expect(a?.explanation).toMatch(/G-single-item cycle of 2 transactions: T1 -rw-> T2, T2 -wr-> T1/);
    // Each edge in words, with its key and values.
    expect(a?.explanation).toContain('T1 < T2 because T1 read "x" empty, and T2 appended its first element 1');
    expect(a?.explanation).toContain('T2 < T1 because T1 read "y" = [1], whose last element 1 T2 appended');
  });

  it('reject unknown models', () => {
    expect(() => checkHistory(pairHistory([]), { model: 'eventually-right' })).toThrow(/unknown consistency model/);
  });
});
