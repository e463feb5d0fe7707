/**
 * The white-box checker: replay what a fusio-manifest actually stored (HEAD and segments, from
 * a store dump) against the history a list-append workload recorded, and check that storage
 * and history agree — every ok commit published exactly once, no failed commit visible, txn
 * ids contiguous, and every read equal to the state at one point of the published order that
 * respects each process's order and real time.
 */
import { basename, decodeHead, decodeSegment, type DumpedObject, Layout, parseSegmentSeq, type SegmentDoc } from '@manifest-lab/manifest-core';
import type { History, Op, Txn } from './history.js';
import { keyId } from './history.js';

export interface WhiteBoxAnomaly {
  readonly type:
    | 'failed-commit-visible'
    | 'lost-commit'
    | 'duplicate-commit'
    | 'txn-id-gap'
    | 'non-snapshot-read'
    | 'non-monotonic-read'
    | 'stale-read'
    | 'unknown-element';
  readonly explanation: string;
  readonly ops: readonly number[];
}

export interface WhiteBoxResult {
  readonly valid: boolean;
  readonly anomalyTypes: readonly string[];
  readonly anomalies: Readonly<Record<string, readonly WhiteBoxAnomaly[]>>;
  readonly stats: {
    /** Segments at or below HEAD's last_segment_seq, and above it. */
    readonly published: number;
    readonly orphans: number;
    readonly okCommits: number;
    readonly infoLanded: number;
    readonly infoNotLanded: number;
    readonly failedVisible: number;
  };
  /** Set when HEAD references a checkpoint and older segments are gone: reads before it are not replayed. */
  readonly note?: string;
}

/** The list a stored value holds: the value itself, or its `l` field (the workload's shape). */
function storedList(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object' && Array.isArray((v as { l?: unknown }).l)) return (v as { l: unknown[] }).l;
  return null;
}

const eid = (k: string, e: unknown) => `${k}\u0000${JSON.stringify(e)}`;

export function checkWhiteBox(objects: readonly DumpedObject[], prefix: string, history: History): WhiteBoxResult {
  const layout = new Layout(prefix);
  const anomalies = new Map<string, WhiteBoxAnomaly[]>();
  const add = (a: WhiteBoxAnomaly) => {
    const l = anomalies.get(a.type) ?? [];
    anomalies.set(a.type, l);
    l.push(a);
  };
  const headObj = objects.find((o) => o.key === layout.head);
  const head = headObj === undefined ? null : decodeHead(headObj.body);
  const lastSeq = head?.last_segment_seq ?? 0;
  const segments: { seq: number; doc: SegmentDoc }[] = [];
  for (const o of objects) {
    if (!o.key.startsWith(layout.segmentsDir)) continue;
    const seq = parseSegmentSeq(basename(o.key));
    if (seq !== null) segments.push({ seq, doc: decodeSegment(o.body) });
  }
  segments.sort((a, b) => a.seq - b.seq);
  const published = segments.filter((s) => s.seq <= lastSeq);
  const orphans = segments.filter((s) => s.seq > lastSeq);
  const firstSeq = published[0]?.seq ?? 1;
  const note =
    firstSeq > 1 ? `segments 1..${firstSeq - 1} are gone (compacted into ${head?.checkpoint_id}); reads of older states are not replayed` : undefined;

  // Txn ids: segment seq i carries txn i, published contiguously.
  published.forEach((s, i) => {
    const expected = firstSeq + i;
    if (s.seq !== expected || s.doc.txn_id !== s.seq) {
      add({
        type: 'txn-id-gap',
        ops: [],
        explanation: `Published segments are not contiguous: expected seq ${expected} with txn ${expected}, found seq ${s.seq} with txn ${s.doc.txn_id}.`,
      });
    }
  });

  // Which attempt wrote each published segment: the elements its records append.
  const writerOfElement = new Map<string, Txn>();
  for (const t of history.txns) {
    for (const [f, k, v] of t.op.value) if (f === 'append') writerOfElement.set(eid(keyId(k), v), t);
  }
  const position = new Map<Txn, number>(); // attempt -> position in the published order (1-based txn id)
  const appendsByKey = new Map<string, { pos: number; element: unknown }[]>();
  for (const s of published) {
    const writers = new Set<Txn>();
    for (const r of s.doc.records) {
      if (r.op !== 'Put') continue;
      const l = storedList(r.value);
      if (l === null || l.length === 0) continue;
      const k = keyId(r.key);
      const element = l[l.length - 1];
      const list = appendsByKey.get(k) ?? [];
      appendsByKey.set(k, list);
      list.push({ pos: s.seq, element });
      const w = writerOfElement.get(eid(k, element));
      if (w !== undefined) writers.add(w);
    }
    for (const w of writers) {
      if (position.has(w)) {
        add({
          type: 'duplicate-commit',
          ops: [w.op.index],
          explanation: `The attempt at index ${w.op.index} is published twice (segments ${position.get(w)} and ${s.seq}).`,
        });
      }
      position.set(w, s.seq);
    }
  }
  let okCommits = 0;
  let infoLanded = 0;
  let infoNotLanded = 0;
  let failedVisible = 0;
  for (const t of history.txns) {
    if (!t.op.value.some(([f]) => f === 'append')) continue;
    const landed = position.has(t);
    if (t.op.type === 'ok') {
      okCommits++;
      if (!landed && note === undefined) {
        add({ type: 'lost-commit', ops: [t.op.index], explanation: `The ok commit at index ${t.op.index} is in no published segment.` });
      }
    } else if (t.op.type === 'fail' && landed) {
      failedVisible++;
      add({
        type: 'failed-commit-visible',
        ops: [t.op.index],
        explanation: `The attempt at index ${t.op.index} (process ${t.op.process}) was reported failed (PreconditionFailed), yet its segment ${position.get(t)} is published: another writer's orphan recovery adopted it while it was in flight, so a retry applies it twice (reference hazard §6.1).`,
      });
    } else if (t.op.type === 'info') {
      if (landed) infoLanded++;
      else infoNotLanded++;
    }
  }

  // Reads: each read list must be the key's state over a range [lo, hi) of published positions.
  const completionOrder = history.txns.filter((t) => t.op.type === 'ok' && position.has(t)).sort((a, b) => a.op.index - b.op.index);
  const lastByProcess = new Map<number, number>();
  const readers = history.txns.filter((t) => t.op.type === 'ok' && t.op.value.some(([f]) => f === 'r')).sort((a, b) => a.op.index - b.op.index);
  let ci = 0;
  let committedBefore = 0; // highest position of an ok commit completed before the reader's invocation
  const byInvoke = [...readers].sort((a, b) => a.invokeIndex - b.invokeIndex);
  const minPos = new Map<Txn, number>();
  for (const r of byInvoke) {
    while (ci < completionOrder.length && (completionOrder[ci] as Txn).op.index < r.invokeIndex) {
      committedBefore = Math.max(committedBefore, position.get(completionOrder[ci] as Txn) as number);
      ci++;
    }
    minPos.set(r, committedBefore);
  }
  for (const r of readers) {
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let known = true;
    for (const [f, k, v] of r.op.value) {
      if (f !== 'r') continue;
      if (r.op.value.some(([g, k2]) => g === 'append' && k2 === k)) continue; // own writes: internal, not snapshot
      const range = stateRange(appendsByKey.get(keyId(k)) ?? [], (v as unknown[] | null) ?? []);
      if (range === null) {
        if (note === undefined) {
          add({ type: 'unknown-element', ops: [r.op.index], explanation: `${describe(r.op)} read ${JSON.stringify(v)} for ${JSON.stringify(k)}, which is no published state of that key.` });
        }
        known = false;
        break;
      }
      lo = Math.max(lo, range[0]);
      hi = Math.min(hi, range[1]);
    }
    if (!known || note !== undefined) continue;
    if (lo >= hi) {
      add({ type: 'non-snapshot-read', ops: [r.op.index], explanation: `${describe(r.op)} read keys from different points of the published order: no single snapshot explains it.` });
      continue;
    }
    const floor = lastByProcess.get(r.op.process) ?? 0;
    const p = Math.max(lo, floor);
    if (p >= hi) {
      add({ type: 'non-monotonic-read', ops: [r.op.index], explanation: `${describe(r.op)} saw an older state (txn ≤ ${hi - 1}) than an earlier read of its process (txn ${floor}).` });
      continue;
    }
    lastByProcess.set(r.op.process, p);
    const must = minPos.get(r) ?? 0;
    if (hi <= must) {
      add({ type: 'stale-read', ops: [r.op.index], explanation: `${describe(r.op)} began after txn ${must} committed, yet saw a state from before it (txn ≤ ${hi - 1}).` });
    }
  }

  const anomalyTypes = [...anomalies.keys()].sort();
  return {
    valid: anomalyTypes.length === 0,
    anomalyTypes,
    anomalies: Object.fromEntries(anomalies),
    stats: { published: published.length, orphans: orphans.length, okCommits, infoLanded, infoNotLanded, failedVisible },
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * The published positions [lo, hi) at which key k held exactly `read`: lo is the position of
 * the append of its last element (0 for the empty list), hi the next append to k.
 */
function stateRange(appends: readonly { pos: number; element: unknown }[], read: readonly unknown[]): [number, number] | null {
  if (read.length > appends.length) return null;
  for (let i = 0; i < read.length; i++) {
    if (JSON.stringify(read[i]) !== JSON.stringify((appends[i] as { element: unknown }).element)) return null;
  }
  const lo = read.length === 0 ? 0 : (appends[read.length - 1] as { pos: number }).pos;
  const hi = read.length < appends.length ? (appends[read.length] as { pos: number }).pos : Number.POSITIVE_INFINITY;
  return [lo, hi];
}

function describe(op: Op): string {
  return `the read at index ${op.index} (process ${op.process})`;
}
