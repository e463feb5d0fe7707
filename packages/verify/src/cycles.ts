/**
 * Finding and naming dependency cycles, after Elle: within each strongly connected component,
 * search for the worst cycle shapes first — G0 (write cycles), G1c (with write-read edges),
 * G-single (exactly one read-write anti-dependency), G-nonadjacent (several, none adjacent),
 * G2-item (several) — each also with process and real-time edges. An edge may carry several
 * relations (say rw and realtime); a cycle is named by the relation the search took on each
 * edge, so one edge can serve as whichever relation makes the worst shape it truly has.
 *
 * Two safety nets make sure a component never passes silently: per-model cycle-existence
 * checks (`<model>-cycle-exists`, on the subgraph that model must keep acyclic), and a search
 * budget whose exhaustion is reported as `cycle-search-timeout` with some cycle of the component.
 */
import type { Anomaly } from './anomaly.js';
import { describeOp } from './anomaly.js';
import { type DepGraph, PROCESS, REALTIME, REL_BITS, REL_NAMES, RW, stronglyConnected, WR, WW } from './graph.js';
import type { Txn } from './history.js';
import { anomaliesProhibitedBy, compareAnomalies, friendlyModel, impliedAnomalies, modelsImplying } from './models.js';

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

type Found = { vertices: number[]; rels: number[] };

/**
 * The shortest cycle through `start` within `members` matching `spec`, as vertices and the
 * relation taken on each edge; undefined if there is none; 'timeout' if `budget` ran out first.
 */
function searchFrom(
  graph: DepGraph,
  members: ReadonlySet<number>,
  spec: CycleSpec,
  start: number,
  budget: { n: number },
): Found | undefined | 'timeout' {
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
  while (frontier.length > 0) {
    const next: State[] = [];
    for (const s of frontier) {
      for (const [to, rels] of graph.out(s.v)) {
        if (!members.has(to)) continue;
        for (const n of step(spec, s, to, rels)) {
          if (--budget.n < 0) return 'timeout';
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
function unwind(end: State): Found {
  const vertices: number[] = [];
  const rels: number[] = [];
  for (let s: State | undefined = end; s?.parent !== undefined; s = s.parent) {
    vertices.unshift(s.parent.v);
    rels.unshift(s.rel);
  }
  return { vertices, rels };
}

/**
 * Name a cycle from the relation of each of its edges, as Elle's explainer does: by its count of
 * rw edges (and whether two are adjacent), else wr, else ww; then `-realtime` if any edge is
 * real-time order, else `-process` if any is process order.
 */
export function cycleType(steps: readonly number[]): string {
  const count = (r: number) => steps.filter((s) => s === r).length;
  const rw = count(RW);
  const adjacentRw = steps.some((s, i) => s === RW && steps[(i + 1) % steps.length] === RW);
  const base = rw === 1 ? 'G-single-item' : rw > 1 ? (adjacentRw ? 'G2-item' : 'G-nonadjacent-item') : count(WR) > 0 ? 'G1c' : 'G0';
  const suffix = count(REALTIME) > 0 ? '-realtime' : count(PROCESS) > 0 ? '-process' : '';
  return `${base}${suffix}`;
}

/**
 * Name a cycle given only its vertices: each edge read as its highest-priority relation (data
 * relations in `priority` order, then real time, then process). Used for the fallback cycle of a
 * search that ran out of budget; the shape searches name cycles by the relations they took.
 */
export function classify(graph: DepGraph, vertices: readonly number[], priority: readonly number[]): { type: string; steps: number[] } {
  const steps = vertices.map((a, i) => {
    const b = vertices[(i + 1) % vertices.length] as number;
    const rels = graph.rels(a, b);
    for (const p of [...priority, REALTIME, PROCESS]) if (rels & p) return p;
    return 0;
  });
  return { type: cycleType(steps), steps };
}

/** Why `a` precedes `b` by one relation, in words with `{a}` and `{b}` placeholders. */
export type EdgeExplainer = (a: Txn, b: Txn, rel: number) => string | undefined;

/** A subgraph a model must keep acyclic: edges of `rels`, or of `rels` extended by one `extendedBy` hop. */
interface ExistsSpec {
  readonly model: string; // canonical name, as Elle's anomaly names use
  readonly rels: number;
  readonly extendedBy?: number;
}

/** After Elle's cycle-existence specs: weakest models first, each with the subgraph it needs acyclic. */
const EXISTS_SPECS: readonly ExistsSpec[] = [
  { model: 'PL-1', rels: WW },
  { model: 'PL-2', rels: WW | WR },
  { model: 'PL-SI', rels: WW | WR, extendedBy: RW },
  { model: 'PL-2.99', rels: WW | WR | RW },
  { model: 'PL-3', rels: WW | WR | RW },
  { model: 'strong-session-PL-1', rels: WW | PROCESS },
  { model: 'strong-session-PL-2', rels: WW | WR | PROCESS },
  { model: 'strong-session-snapshot-isolation', rels: WW | WR | PROCESS, extendedBy: RW },
  { model: 'strong-session-serializable', rels: WW | WR | RW | PROCESS },
  { model: 'strong-PL-1', rels: WW | REALTIME },
  { model: 'strong-PL-2', rels: WW | WR | REALTIME },
  { model: 'strong-snapshot-isolation', rels: WW | WR | REALTIME, extendedBy: RW },
  { model: 'PL-SS', rels: WW | WR | RW | REALTIME },
];

/** Every `<model>-cycle-exists` anomaly type, with the (canonical) model it rules out. */
export const CYCLE_EXISTS_TYPES: ReadonlyMap<string, string> = new Map(EXISTS_SPECS.map((s) => [`${s.model}-cycle-exists`, s.model]));

const relNames = (rels: number) => REL_BITS.filter((b) => rels & b).map((b) => REL_NAMES[b]);

function describeSubgraph(spec: ExistsSpec): string {
  const base = relNames(spec.rels).join(', ');
  return spec.extendedBy === undefined ? `${base} edges` : `${base} edges, each optionally followed by one ${relNames(spec.extendedBy).join('/')} edge`;
}

/** The subgraph of `spec` within `members`, as adjacency lists (self-loops kept). */
function subgraph(graph: DepGraph, members: readonly number[], spec: ExistsSpec): Map<number, Set<number>> {
  const set = new Set(members);
  const adj = (mask: number) => {
    const out = new Map<number, Set<number>>();
    for (const v of members) {
      const ws = new Set<number>();
      for (const [w, rels] of graph.out(v)) if (rels & mask && set.has(w)) ws.add(w);
      out.set(v, ws);
    }
    return out;
  };
  const a = adj(spec.rels);
  if (spec.extendedBy === undefined) return a;
  const b = adj(spec.extendedBy);
  const ext = new Map<number, Set<number>>();
  for (const [x, ys] of a) {
    const zs = new Set(ys);
    for (const y of ys) for (const z of b.get(y) ?? []) zs.add(z);
    ext.set(x, zs);
  }
  return ext;
}

const NO_VERTICES: ReadonlySet<number> = new Set();

/** Strongly connected components with a cycle (more than one vertex, or a self-loop). */
function cyclicComponents(adj: ReadonlyMap<number, ReadonlySet<number>>): number[][] {
  return stronglyConnected(adj.keys(), (v) => (adj.get(v) ?? NO_VERTICES).values(), (w: number) => w).filter(
    (c) => c.length > 1 || adj.get(c[0] as number)?.has(c[0] as number) === true,
  );
}

/**
 * For each model, in order, whether the component has a cycle in the subgraph that model must
 * keep acyclic (skipping models already ruled out by an earlier, weaker finding). Each finding
 * names the smallest such cycle-bearing set of transactions.
 */
export function cycleExistsCases(graph: DepGraph, members: readonly number[], txns: readonly Txn[]): Anomaly[] {
  const out: Anomaly[] = [];
  const ruledOut = new Set<string>();
  for (const spec of EXISTS_SPECS) {
    if (ruledOut.has(spec.model)) continue;
    const comps = cyclicComponents(subgraph(graph, members, spec));
    if (comps.length === 0) continue;
    const smallest = comps.reduce((a, b) => (b.length < a.length ? b : a));
    const ops = smallest.map((v) => (txns[v] as Txn).op.index).sort((a, b) => a - b);
    const type = `${spec.model}-cycle-exists`;
    const not = friendlyModel(spec.model);
    out.push({
      type,
      ops,
      not,
      subgraph: describeSubgraph(spec),
      sccSize: ops.length,
      scc: ops,
      explanation:
        `${ops.length === 1 ? `The transaction completed at index ${ops[0]} precedes itself` : `The ${ops.length} transactions completed at indices ${ops.join(', ')} precede each other`} ` +
        `in a cycle of ${describeSubgraph(spec)}, so ${not} cannot hold (reported when no named cycle shape already rules it out).`,
    });
    for (const m of modelsImplying([spec.model])) ruledOut.add(m);
  }
  return out;
}

/** Cycle shapes that cannot be present, given which models' subgraphs were found acyclic. */
function impossibleCycleTypes(cases: readonly Anomaly[]): Set<string> {
  const impossible = modelsImplying(cases.map((c) => c.not as string));
  const possible = EXISTS_SPECS.map((s) => s.model).filter((m) => !impossible.has(m));
  const prohibited = anomaliesProhibitedBy(possible);
  return new Set([...CYCLE_TYPES].filter((t) => prohibited.has(t)));
}

/** Some cycle in a strongly connected `members`, by depth-first search (the fallback after a timeout). */
function anyCycle(graph: DepGraph, members: readonly number[]): number[] {
  const set = new Set(members);
  const start = members[0] as number;
  const path = [start];
  const at = new Map([[start, 0]]);
  for (;;) {
    const v = path[path.length - 1] as number;
    const succ = [...graph.out(v).keys()].filter((w) => set.has(w));
    const back = succ.find((w) => at.has(w));
    if (back !== undefined) return path.slice(at.get(back));
    const w = succ[0];
    if (w === undefined) return path; // unreachable in a strongly connected component
    at.set(w, path.length);
    path.push(w);
  }
}

export interface FindCyclesOptions {
  /** Cap on search steps per cycle shape per component; running out reports `cycle-search-timeout`. */
  readonly searchBudget?: number;
  readonly sccs?: readonly number[][];
  readonly explainEdge?: EdgeExplainer;
}

export const DEFAULT_SEARCH_BUDGET = 2_000_000;

/**
 * Search each strongly connected component for cycle anomalies, worst shape first, skipping
 * shapes implied by one already found and shapes its cycle-existence checks rule out (as Elle
 * does). Returns the cycles, the `<model>-cycle-exists` findings, and, for a component whose
 * search ran out of budget, a `cycle-search-timeout` plus one cycle of it named by priority.
 */
export function findCycles(
  graph: DepGraph,
  txns: readonly Txn[],
  priority: readonly number[],
  options: FindCyclesOptions = {},
): Anomaly[] {
  const searchBudget = options.searchBudget ?? DEFAULT_SEARCH_BUDGET;
  const explainEdge = options.explainEdge ?? (() => undefined);
  const out: Anomaly[] = [];
  for (const scc of options.sccs ?? graph.sccs()) {
    const members = new Set(scc);
    const ordered = [...scc].sort((a, b) => a - b);
    const exists = cycleExistsCases(graph, ordered, txns);
    out.push(...exists);
    const redundant = impossibleCycleTypes(exists);
    const searched: string[] = [];
    const foundTypes = new Set<string>();
    search: for (const spec of CYCLE_SPECS) {
      if (redundant.has(spec.name)) continue;
      searched.push(spec.name);
      const budget = { n: searchBudget };
      for (const start of ordered) {
        const found = searchFrom(graph, members, spec, start, budget);
        if (found === 'timeout') {
          out.push(timeoutAnomaly(spec.name, searched.slice(0, -1).filter((t) => !foundTypes.has(t)), ordered, txns, searchBudget));
          const fallback = anyCycle(graph, ordered);
          const { type, steps } = classify(graph, fallback, priority);
          out.push(explainCycle(type, fallback, steps, txns, explainEdge));
          break search;
        }
        if (found === undefined) continue;
        const type = cycleType(found.rels);
        if (spec.type !== undefined && type !== spec.type) continue;
        out.push(explainCycle(type, found.vertices, found.rels, txns, explainEdge));
        foundTypes.add(spec.name);
        for (const a of impliedAnomalies([spec.name])) redundant.add(a);
        break;
      }
    }
  }
  return out;
}

function timeoutAnomaly(specType: string, doesNotContain: string[], members: readonly number[], txns: readonly Txn[], budget: number): Anomaly {
  const ops = members.map((v) => (txns[v] as Txn).op.index);
  return {
    type: 'cycle-search-timeout',
    ops,
    anomalySpecType: specType,
    doesNotContain,
    sccSize: members.length,
    explanation:
      `The search for a ${specType} cycle among the ${members.length} mutually dependent transactions of one strongly connected component ` +
      `ran out of its budget of ${budget} steps, so which cycle shapes it holds is not fully known` +
      `${doesNotContain.length > 0 ? ` (searched to the end and absent: ${doesNotContain.join(', ')})` : ''}. ` +
      'One cycle of it is reported as found; raise the search budget to search further.',
  };
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
