/**
 * The transaction dependency graph: vertices are transactions (by id), and each edge carries
 * a bit set of the relations that order its ends — write-write, write-read, read-write, and the
 * session (process) and real-time orders.
 */

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 64;
export const REALTIME = 128;
export const ALL_RELS = WW | WR | RW | PROCESS | REALTIME;

/** Relation bits in ascending order (the order a cycle search tries them in). */
export const REL_BITS = [WW, WR, RW, PROCESS, REALTIME] as const;

export const REL_NAMES: Readonly<Record<number, string>> = {
  [WW]: 'ww',
  [WR]: 'wr',
  [RW]: 'rw',
  [PROCESS]: 'process',
  [REALTIME]: 'realtime',
};

export class DepGraph {
  readonly #out = new Map<number, Map<number, number>>();
  #edges = 0;

  /** Add relation bits `rels` to the edge a -> b. Self-edges are ignored. */
  link(a: number, b: number, rels: number): void {
    if (a === b) return;
    let m = this.#out.get(a);
    if (m === undefined) {
      m = new Map();
      this.#out.set(a, m);
    }
    const prev = m.get(b);
    if (prev === undefined) this.#edges++;
    m.set(b, (prev ?? 0) | rels);
  }

  rels(a: number, b: number): number {
    return this.#out.get(a)?.get(b) ?? 0;
  }

  out(a: number): ReadonlyMap<number, number> {
    return this.#out.get(a) ?? EMPTY;
  }

  get edgeCount(): number {
    return this.#edges;
  }

  /** Vertices with at least one outgoing edge. */
  sources(): IterableIterator<number> {
    return this.#out.keys();
  }

  /**
   * Strongly connected components with more than one vertex (self-edges are never stored),
   * restricted to edges whose relations intersect `mask`.
   */
  sccs(mask: number = ALL_RELS): number[][] {
    return stronglyConnected(
      this.#out.keys(),
      (v) => this.out(v).entries(),
      ([w, rels]) => ((rels & mask) === 0 ? undefined : w),
    ).filter((c) => c.length > 1);
  }
}

/**
 * Every strongly connected component reachable from `roots` (singletons included), by an
 * iterative Tarjan: no recursion limit on long chains. `successors(v)` iterates v's out-edges
 * and `target` maps an edge to the vertex it leads to, or undefined to skip it (a filter
 * without a generator, which the hot path of a million-transaction check cannot afford).
 */
export function stronglyConnected<E>(
  roots: Iterable<number>,
  successors: (v: number) => Iterator<E>,
  target: (edge: E) => number | undefined,
): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const out: number[][] = [];
  let next = 0;
  const enter = (v: number): [number, Iterator<E>] => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    return [v, successors(v)];
  };
  for (const root of roots) {
    if (index.has(root)) continue;
    const work: [number, Iterator<E>][] = [enter(root)];
    while (work.length > 0) {
      const [v, it] = work[work.length - 1] as [number, Iterator<E>];
      const step = it.next();
      if (!step.done) {
        const w = target(step.value);
        if (w === undefined) continue;
        if (!index.has(w)) work.push(enter(w));
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent[0], Math.min(low.get(parent[0]) as number, low.get(v) as number));
      if (low.get(v) !== index.get(v)) continue;
      const comp: number[] = [];
      for (;;) {
        const w = stack.pop() as number;
        onStack.delete(w);
        comp.push(w);
        if (w === v) break;
      }
      out.push(comp);
    }
  }
  return out;
}

const EMPTY: ReadonlyMap<number, number> = new Map();
