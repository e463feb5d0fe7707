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
   * restricted to edges whose relations intersect `mask`. Iterative Tarjan: no recursion
   * limit on long chains.
   */
  sccs(mask: number = ALL_RELS): number[][] {
    const index = new Map<number, number>();
    const low = new Map<number, number>();
    const onStack = new Set<number>();
    const stack: number[] = [];
    const out: number[][] = [];
    let next = 0;
    for (const root of this.#out.keys()) {
      if (index.has(root)) continue;
      const work: [number, Iterator<[number, number]>][] = [[root, this.out(root).entries()]];
      index.set(root, next);
      low.set(root, next);
      next++;
      stack.push(root);
      onStack.add(root);
      while (work.length > 0) {
        const frame = work[work.length - 1] as [number, Iterator<[number, number]>];
        const [v, it] = frame;
        const step = it.next();
        if (!step.done) {
          const [w, rels] = step.value;
          if ((rels & mask) === 0) continue;
          if (!index.has(w)) {
            index.set(w, next);
            low.set(w, next);
            next++;
            stack.push(w);
            onStack.add(w);
            work.push([w, this.out(w).entries()]);
          } else if (onStack.has(w)) {
            low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
          }
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent !== undefined) low.set(parent[0], Math.min(low.get(parent[0]) as number, low.get(v) as number));
        if (low.get(v) === index.get(v)) {
          const comp: number[] = [];
          for (;;) {
            const w = stack.pop() as number;
            onStack.delete(w);
            comp.push(w);
            if (w === v) break;
          }
          if (comp.length > 1) out.push(comp);
        }
      }
    }
    return out;
  }
}

const EMPTY: ReadonlyMap<number, number> = new Map();
