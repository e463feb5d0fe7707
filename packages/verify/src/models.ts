/**
 * Consistency models and anomalies, and how they relate — after Elle's `consistency-model`
 * namespace (Adya; Adya, Liskov, O'Neil; Bailis et al.; Cerone et al.; Daudjee & Salem):
 * which anomalies imply which, which models imply which, which anomalies each model rules out,
 * and which models a set of observed anomalies rules out.
 */

/** a -> b: finding anomaly a means b is present too. */
const IMPLIED_ANOMALIES: Record<string, string[]> = {
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single-item': ['G-single', 'G-single-item-process', 'G-nonadjacent-item'],
  'G-single-item-process': ['G-single-process', 'G-single-item-realtime', 'G-nonadjacent-item-process'],
  'G-single-item-realtime': ['G-single-realtime', 'G-nonadjacent-item-realtime'],
  'G-single': ['G-nonadjacent', 'GSIb', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item', 'G-nonadjacent-item-process'],
  'G-nonadjacent-item-process': ['G-nonadjacent-process', 'G2-item-process', 'G-nonadjacent-item-realtime'],
  'G-nonadjacent-item-realtime': ['G2-item-realtime', 'G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  'G2-process': ['G2-realtime'],
  GSIa: ['GSI'],
  GSIb: ['GSI'],
  'incompatible-order': ['G1a'],
  'future-read': ['G1c'],
  'dirty-update': ['G1a'],
  'lost-update': ['write-skew', 'G2-item'],
  'write-skew': ['G2'],
};

/** Extra "worse than" edges, used only to order the search (worst first). */
const SEVERITY: Record<string, string[]> = {
  G0: ['G1c'],
  'G0-process': ['G1c-process'],
  'G0-realtime': ['G1c-realtime'],
  G1c: ['G-single', 'G2-item'],
  'G1c-process': ['G-single-process', 'G2-item-process'],
  'G1c-realtime': ['G-single-realtime', 'G2-item-realtime'],
  G2: ['G0-process'],
  'G2-process': ['G0-realtime'],
};

/** Friendly names of the canonical (Adya) model names. */
const CANONICAL: Record<string, string> = {
  'consistent-view': 'PL-2+',
  'conflict-serializable': 'PL-3',
  'cursor-stability': 'PL-CS',
  'forward-consistent-view': 'PL-FCV',
  'monotonic-snapshot-read': 'PL-MSR',
  'monotonic-view': 'PL-2L',
  'read-committed': 'PL-2',
  'read-uncommitted': 'PL-1',
  'repeatable-read': 'PL-2.99',
  serializable: 'PL-3',
  'snapshot-isolation': 'PL-SI',
  'strict-serializable': 'PL-SS',
  'strong-serializable': 'PL-SS',
  'update-serializable': 'PL-3U',
  'strong-session-read-uncommitted': 'strong-session-PL-1',
  'strong-session-read-committed': 'strong-session-PL-2',
  'strong-read-uncommitted': 'strong-PL-1',
  'strong-read-committed': 'strong-PL-2',
};

const FRIENDLY: Record<string, string> = {
  ...Object.fromEntries(Object.entries(CANONICAL).map(([f, c]) => [c, f])),
  'PL-3': 'serializable',
  'PL-SS': 'strict-serializable',
};

export function canonicalModel(m: string): string {
  return CANONICAL[m] ?? m;
}

export function friendlyModel(m: string): string {
  return FRIENDLY[m] ?? m;
}

/** a -> b: a history satisfying a satisfies b. */
const MODEL_EDGES: Record<string, string[]> = {
  'causal-cerone': ['read-atomic'],
  'consistent-view': ['cursor-stability', 'monotonic-view'],
  'conflict-serializable': ['view-serializable'],
  'cursor-stability': ['read-committed', 'PL-2'],
  'forward-consistent-view': ['consistent-view'],
  'PL-2': ['PL-1'],
  'PL-3': ['repeatable-read', 'update-serializable'],
  'update-serializable': ['forward-consistent-view'],
  'monotonic-atomic-view': ['read-committed'],
  'monotonic-view': ['PL-2'],
  'monotonic-snapshot-read': ['PL-2'],
  'parallel-snapshot-isolation': ['causal-cerone', 'update-atomic'],
  prefix: ['causal-cerone'],
  'read-atomic': ['monotonic-atomic-view'],
  'read-committed': ['read-uncommitted'],
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
  'update-atomic': ['read-atomic'],
  serializable: ['repeatable-read', 'snapshot-isolation', 'view-serializable'],
  'session-serializable': ['1SR'],
  'snapshot-isolation': [
    'forward-consistent-view',
    'monotonic-atomic-view',
    'monotonic-snapshot-read',
    'parallel-snapshot-isolation',
    'prefix',
  ],
  'strict-serializable': [
    'PL-3',
    'serializable',
    'linearizable',
    'snapshot-isolation',
    'strong-snapshot-isolation',
    'strong-session-serializable',
  ],
  'strong-session-PL-1': ['PL-1'],
  'strong-session-PL-2': ['PL-2', 'strong-session-PL-1'],
  'strong-PL-1': ['strong-session-PL-1'],
  'strong-PL-2': ['strong-session-PL-2', 'strong-PL-1'],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-PL-2'],
  'strong-serializable': ['session-serializable'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-PL-2'],
  linearizable: ['sequential'],
  sequential: ['causal'],
  causal: ['writes-follow-reads', 'PRAM'],
  PRAM: ['monotonic-reads', 'monotonic-writes', 'read-your-writes'],
};

/** Anomalies each (canonical) model rules out directly, beyond the models it implies. */
const DIRECT_PROSCRIBED: Record<string, string[]> = {
  'causal-cerone': ['internal', 'G1a'],
  'cursor-stability': ['G1', 'G-cursor', 'lost-update'],
  'monotonic-view': ['G1', 'G-monotonic'],
  'monotonic-snapshot-read': ['G1', 'G-MSR'],
  'consistent-view': ['G1', 'G-single'],
  'forward-consistent-view': ['G1', 'G-SIb'],
  'parallel-snapshot-isolation': ['internal', 'G1a'],
  'PL-3': ['G1', 'G2', 'predicate-read-miss', 'PL-3-cycle-exists'],
  'PL-2': ['G1', 'PL-2-cycle-exists'],
  // garbage-read (a value nobody wrote) is this checker's addition to Elle's list.
  'PL-1': ['G0', 'duplicate-elements', 'cyclic-versions', 'PL-1-cycle-exists', 'garbage-read'],
  prefix: ['internal', 'G1a'],
  serializable: ['internal'],
  'snapshot-isolation': ['internal', 'G1', 'G-SI', 'G-nonadjacent', 'PL-SI-cycle-exists'],
  'read-atomic': ['internal', 'G1a', 'future-read'],
  'repeatable-read': ['G1', 'G2-item', 'PL-2.99-cycle-exists', 'lost-update'],
  'update-atomic': ['lost-update'],
  'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime', 'PL-SS-cycle-exists'],
  'strong-session-PL-1': ['strong-session-PL-1-cycle-exists', 'G0-process'],
  'strong-session-PL-2': ['strong-session-PL-2-cycle-exists', 'G1c-process'],
  'strong-PL-1': ['strong-PL-1-cycle-exists', 'G0-realtime'],
  'strong-PL-2': ['strong-PL-2-cycle-exists', 'G1c-realtime'],
  'strong-session-snapshot-isolation': [
    'internal',
    'G1-process',
    'G-nonadjacent-process',
    'strong-session-snapshot-isolation-cycle-exists',
  ],
  'strong-snapshot-isolation': [
    'internal',
    'G1-realtime',
    'G-nonadjacent-realtime',
    'strong-snapshot-isolation-cycle-exists',
  ],
  'strong-session-serializable': ['G1-process', 'G2-process', 'strong-session-serializable-cycle-exists'],
  'update-serializable': ['G1', 'G-update'],
};

/** A DAG as forward and backward adjacency, with canonicalised vertex names. */
class Dag {
  readonly out = new Map<string, Set<string>>();
  readonly in = new Map<string, Set<string>>();

  constructor(edges: Record<string, string[]>, name: (v: string) => string = (v) => v) {
    for (const [a, bs] of Object.entries(edges)) {
      for (const b of bs) this.link(name(a), name(b));
    }
  }

  link(a: string, b: string): void {
    if (!this.out.has(a)) this.out.set(a, new Set());
    if (!this.in.has(b)) this.in.set(b, new Set());
    (this.out.get(a) as Set<string>).add(b);
    (this.in.get(b) as Set<string>).add(a);
    if (!this.in.has(a)) this.in.set(a, new Set());
    if (!this.out.has(b)) this.out.set(b, new Set());
  }

  vertices(): string[] {
    return [...this.out.keys()];
  }

  /** Everything reachable from `start` (inclusive) following `dir`. */
  reach(start: Iterable<string>, dir: 'out' | 'in'): Set<string> {
    const seen = new Set<string>();
    const stack = [...start];
    while (stack.length > 0) {
      const v = stack.pop() as string;
      if (seen.has(v)) continue;
      seen.add(v);
      for (const w of this[dir].get(v) ?? []) stack.push(w);
    }
    return seen;
  }
}

const implied = new Dag(IMPLIED_ANOMALIES);
const models = new Dag(MODEL_EDGES, canonicalModel);
const proscribed = new Dag(DIRECT_PROSCRIBED, canonicalModel);

export const KNOWN_MODELS: ReadonlySet<string> = new Set([
  ...models.vertices(),
  ...Object.keys(CANONICAL),
  ...Object.values(CANONICAL),
]);

/** The models this checker is documented for, friendliest names. */
export const MODELS = [
  'strict-serializable',
  'serializable',
  'strong-session-serializable',
  'snapshot-isolation',
  'strong-session-snapshot-isolation',
  'strong-snapshot-isolation',
  'repeatable-read',
  'read-committed',
  'read-uncommitted',
] as const;
export type ModelName = (typeof MODELS)[number];

/** Every anomaly which, if present, implies one of `anomalies` (inclusive). */
export function anomaliesImplying(anomalies: Iterable<string>): Set<string> {
  return implied.reach(anomalies, 'in');
}

/** Every anomaly implied by `anomalies` (inclusive). */
export function impliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return implied.reach(anomalies, 'out');
}

/** Anomalies that cannot be present if every one of `ms` holds. */
export function anomaliesProhibitedBy(ms: Iterable<string>): Set<string> {
  const all = models.reach([...ms].map(canonicalModel), 'out');
  const direct: string[] = [];
  for (const m of all) for (const a of proscribed.out.get(m) ?? []) direct.push(a);
  return anomaliesImplying(direct);
}

/** Every model which implies one of `ms` (inclusive): all ruled out if `ms` are (canonical names). */
export function modelsImplying(ms: Iterable<string>): Set<string> {
  return models.reach([...ms].map(canonicalModel), 'in');
}

/** Models that cannot hold when `anomalies` are present (canonical names). */
export function impossibleModels(anomalies: Iterable<string>): Set<string> {
  const direct: string[] = [];
  for (const a of impliedAnomalies(anomalies)) for (const m of proscribed.in.get(a) ?? []) direct.push(m);
  return models.reach(direct, 'in');
}

/** Of `ms`, those not implied by another member: the weakest ruled-out models. */
function weakest(ms: Set<string>): Set<string> {
  const out = new Set(ms);
  for (const m of ms) {
    const below = models.reach([m], 'out');
    below.delete(m);
    if ([...below].some((x) => out.has(x) && x !== m)) out.delete(m);
  }
  return out;
}

/** `not`: the weakest models the anomalies rule out; `alsoNot`: the stronger ones. Friendly names, sorted. */
export function boundary(anomalies: Iterable<string>): { not: string[]; alsoNot: string[] } {
  const impossible = impossibleModels(anomalies);
  const isNot = weakest(impossible);
  const friendly = (xs: Iterable<string>) => [...new Set([...xs].map(friendlyModel))].sort();
  return { not: friendly(isNot), alsoNot: friendly([...impossible].filter((m) => !isNot.has(m))) };
}

/** Depth of each anomaly in the implication+severity order (0 = implied by nothing). */
const depths: Map<string, number> = (() => {
  const g = new Dag({ ...IMPLIED_ANOMALIES });
  for (const [a, bs] of Object.entries(SEVERITY)) for (const b of bs) g.link(a, b);
  const depth = new Map<string, number>();
  const visit = (v: string): number => {
    const known = depth.get(v);
    if (known !== undefined) return known;
    depth.set(v, 0); // DAG: no cycles, guard only
    let d = 0;
    for (const p of g.in.get(v) ?? []) d = Math.max(d, visit(p) + 1);
    depth.set(v, d);
    return d;
  };
  for (const v of g.vertices()) visit(v);
  return depth;
})();

/** Order anomalies by depth (worst, least implied, first), then by name. */
export function compareAnomalies(a: string, b: string): number {
  const d = (depths.get(a) ?? 0) - (depths.get(b) ?? 0);
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}
