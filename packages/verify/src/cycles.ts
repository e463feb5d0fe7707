/**
 * Finding and naming dependency cycles, after Elle: within each strongly connected component,
 * search for the worst cycle shapes first — G0 (write cycles), G1c (with write-read edges),
 * G-single (exactly one read-write anti-dependency), G-nonadjacent (several, none adjacent),
 * G2-item (several) — each also with process and real-time edges. A cycle is named by the
 * edges that explain it, so a found cycle only counts for a shape if it really has that shape.
 */
import type { Anomaly } from './anomaly.js';
import { describeOp } from './anomaly.js';
import { type DepGraph, PROCESS, REALTIME, REL_BITS, REL_NAMES, RW, WR, WW } from './graph.js';
import type { Txn } from './history.js';
import { compareAnomalies, impliedAnomalies } from './models.js';

type RwMode = 'none' | 'single' | 'nonadjacent-free' | 'nonadjacent-taken';

interface CycleSpec {
  readonly name: string;
  /** Relations usable as ordinary edges. */
  readonly legal: number;
  /** Relation sets of which the cycle needs at least one edge each. */
  readonly required: readonly number[];
  /** How many rw edges must be taken (1: exactly one, 2: at least two). */
  readonly wantRw: number;
  readonly rwMode: RwMode;
  /** The name the cycle's explanation must have, if any. */
  readonly type?: string;
}

const BASE: CycleSpec[] = [
  { name: 'G0', legal: WW, required: [], wantRw: 0, rwMode: 'none' },
  { name: 'G1c', legal: WW | WR, required: [WR], wantRw: 0, rwMode: 'none' },
  { name: 'G-single-item', legal: WW | WR, required: [], wantRw: 1, rwMode: 'single', type: 'G-single-item' },
  { name: 'G-nonadjacent-item', legal: WW | WR, required: [], wantRw: 2, rwMode: 'nonadjacent-free', type: 'G-nonadjacent-item' },
  { name: 'G2-item', legal: WW | WR | RW, required: [], wantRw: 2, rwMode: 'none', type: 'G2-item' },
];

function variant(spec: CycleSpec, v: 'process' | 'realtime'): CycleSpec {
  const rel = v === 'process' ? PROCESS : REALTIME;
  return {
    ...spec,
    name: `${spec.name}-${v}`,
    legal: spec.legal | rel,
    required: [...spec.required, rel],
    ...(spec.type === undefined ? {} : { type: `${spec.type}-${v}` }),
  };
}

/** Every cycle shape, worst first. */
export const CYCLE_SPECS: readonly CycleSpec[] = BASE.flatMap((s) => [s, variant(s, 'process'), variant(s, 'realtime')]).sort(
  (a, b) => compareAnomalies(a.name, b.name),
);

export const CYCLE_TYPES: ReadonlySet<string> = new Set([
  ...CYCLE_SPECS.map((s) => s.name),
]);

interface State {
  readonly v: number;
  readonly want: number; // bit i set: required[i] still wanted
  readonly wantRw: number;
  readonly mode: RwMode;
  readonly parent: State | undefined;
  readonly rel: number; // the relation taken to get here
  readonly depth: number;
}

/** Successor states along an edge carrying `rels`, mirroring Elle's BFS path rules. */
function step(spec: CycleSpec, s: State, to: number, rels: number): State[] {
  const rwMask = s.wantRw > 0 || s.mode === 'single' || s.mode === 'nonadjacent-free' ? RW : 0;
  let wantMask = 0;
  spec.required.forEach((r, i) => {
    if (s.want & (1 << i)) wantMask |= r;
  });
  wantMask &= ~rwMask;
  const legalMask = spec.legal & ~rwMask & ~wantMask;
  const out: State[] = [];
  const first = s.depth === 0;
  const take = (rel: number): State | undefined => {
    const isRw = rel === RW;
    let want = s.want;
    spec.required.some((r, i) => {
      if (want & (1 << i) && r & rel) {
        want &= ~(1 << i);
        return true;
      }
      return false;
    });
    const base = { v: to, want, parent: s, rel, depth: s.depth + 1 };
    if (rel & spec.legal) {
      return {
        ...base,
        wantRw: isRw ? Math.max(0, s.wantRw - 1) : s.wantRw,
        mode: s.mode === 'nonadjacent-taken' ? 'nonadjacent-free' : s.mode,
      };
    }
    if (!isRw) return undefined;
    switch (s.mode) {
      case 'single':
        return { ...base, wantRw: 0, mode: 'none' };
      case 'nonadjacent-free':
        return { ...base, wantRw: Math.max(0, s.wantRw - 1), mode: 'nonadjacent-taken' };
      default:
        return undefined;
    }
  };
  if (rels & rwMask) {
    const n = take(RW);
    if (n !== undefined) out.push(n);
  }
  if (s.wantRw > 0 && first) return out;
  for (const bit of REL_BITS) {
    if (rels & wantMask & bit) {
      const n = take(bit);
      if (n !== undefined) out.push(n);
    }
  }
  if (s.want !== 0 && first) return out;
  for (const bit of REL_BITS) {
    if (rels & legalMask & bit) {
      const n = take(bit);
      if (n !== undefined) {
        out.push(n);
        break;
      }
    }
  }
  return out;
}

const valid = (s: State) => s.want === 0 && s.wantRw === 0 && s.mode !== 'nonadjacent-taken';

/** The shortest cycle through `start` within `members` matching `spec`, as [vertices, relations]. */
function searchFrom(graph: DepGraph, members: ReadonlySet<number>, spec: CycleSpec, start: number, budget: { n: number }) {
  const init: State = {
    v: start,
    want: (1 << spec.required.length) - 1,
    wantRw: spec.wantRw,
    mode: spec.rwMode,
    parent: undefined,
    rel: 0,
    depth: 0,
  };
  const seen = new Set<string>([`${start}/${init.want}/${init.wantRw}/${init.mode}`]);
  let frontier: State[] = [init];
  while (frontier.length > 0 && budget.n > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      for (const [to, rels] of graph.out(s.v)) {
        if (!members.has(to)) continue;
        for (const n of step(spec, s, to, rels)) {
          if (--budget.n <= 0) return undefined;
          if (to === start) {
            if (valid(n)) {
              const path = unwind(n);
              if (new Set(path.vertices).size === path.vertices.length) return path;
            }
            continue;
          }
          const id = `${to}/${n.want}/${n.wantRw}/${n.mode}`;
          if (seen.has(id)) continue;
          seen.add(id);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** Vertices from the start, and the relation of each edge v[i] -> v[i+1 mod n]. */
function unwind(end: State): { vertices: number[]; rels: number[] } {
  const vertices: number[] = [];
  const rels: number[] = [];
  for (let s: State | undefined = end; s?.parent !== undefined; s = s.parent) {
    vertices.unshift(s.parent.v);
    rels.unshift(s.rel);
  }
  return { vertices, rels };
}

/** Name a cycle by its edges, as Elle's explainer does: each step is its highest-priority relation. */
export function classify(graph: DepGraph, vertices: readonly number[], priority: readonly number[]): { type: string; steps: number[] } {
  const steps = vertices.map((a, i) => {
    const b = vertices[(i + 1) % vertices.length] as number;
    const rels = graph.rels(a, b);
    for (const p of [...priority, REALTIME, PROCESS]) if (rels & p) return p;
    return 0;
  });
  const count = (r: number) => steps.filter((s) => s === r).length;
  const rw = count(RW);
  const adjacentRw = steps.some((s, i) => s === RW && steps[(i + 1) % steps.length] === RW);
  const base = rw === 1 ? 'G-single-item' : rw > 1 ? (adjacentRw ? 'G2-item' : 'G-nonadjacent-item') : count(WR) > 0 ? 'G1c' : 'G0';
  const suffix = count(REALTIME) > 0 ? '-realtime' : count(PROCESS) > 0 ? '-process' : '';
  return { type: `${base}${suffix}`, steps };
}

/**
 * Search each strongly connected component for cycle anomalies, worst shape first, skipping
 * shapes implied by one already found (as Elle does).
 */
/** Why `a` precedes `b` by one relation, in words with `{a}` and `{b}` placeholders. */
export type EdgeExplainer = (a: Txn, b: Txn, rel: number) => string | undefined;

export function findCycles(
  graph: DepGraph,
  txns: readonly Txn[],
  priority: readonly number[],
  searchBudget = 2_000_000,
  sccs: readonly number[][] = graph.sccs(),
  explainEdge: EdgeExplainer = () => undefined,
): Anomaly[] {
  const out: Anomaly[] = [];
  for (const scc of sccs) {
    const members = new Set(scc);
    const redundant = new Set<string>();
    const ordered = [...scc].sort((a, b) => a - b);
    for (const spec of CYCLE_SPECS) {
      if (redundant.has(spec.name)) continue;
      const budget = { n: searchBudget };
      for (const start of ordered) {
        const found = searchFrom(graph, members, spec, start, budget);
        if (found === undefined) continue;
        const { type, steps } = classify(graph, found.vertices, priority);
        if (spec.type !== undefined && type !== spec.type) continue;
        out.push(explainCycle(type, found.vertices, steps, txns, explainEdge));
        for (const a of impliedAnomalies([spec.name])) redundant.add(a);
        break;
      }
    }
  }
  return out;
}

function explainCycle(
  type: string,
  vertices: readonly number[],
  steps: readonly number[],
  txns: readonly Txn[],
  explainEdge: EdgeExplainer,
): Anomaly {
  const names = vertices.map((_, i) => `T${i + 1}`);
  const txn = (i: number) => txns[vertices[i % vertices.length] as number] as Txn;
  const lines = vertices.map((_, i) => `${names[i]} -${REL_NAMES[steps[i] as number] ?? '?'}-> ${names[(i + 1) % names.length]}`);
  const reasons = vertices.map((_, i) => {
    const [a, b, rel] = [txn(i), txn(i + 1), steps[i] as number];
    const [an, bn] = [names[i] as string, names[(i + 1) % names.length] as string];
    const why =
      rel === PROCESS
        ? `{a} and {b} ran on process ${a.op.process}, {a} first`
        : rel === REALTIME
          ? `{a} completed (index ${a.op.index}) before {b} was invoked (index ${b.invokeIndex})`
          : (explainEdge(a, b, rel) ?? `{a} -${REL_NAMES[rel]}-> {b}`);
    return `${an} < ${bn} because ${why.replaceAll('{a}', an).replaceAll('{b}', bn)}`;
  });
  const bindings = vertices.map((v, i) => `${names[i]} = ${describeOp((txns[v] as Txn).op)}`);
  return {
    type,
    ops: vertices.map((v) => (txns[v] as Txn).op.index),
    cycle: lines,
    steps: reasons,
    explanation: `${type} cycle of ${vertices.length} transactions: ${lines.join(', ')}. ${reasons.join('; ')}. Where ${bindings.join('; ')}.`,
  };
}
