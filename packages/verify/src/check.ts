/**
 * The black-box checker: a history in, a verdict out — valid, invalid, or unknown — with
 * every anomaly named as Elle names it and explained, and the consistency models the history
 * rules out.
 */
import type { Anomaly, AnomalyMap } from './anomaly.js';
import { CYCLE_EXISTS_TYPES, findCycles } from './cycles.js';
import { DepGraph } from './graph.js';
import type { History } from './history.js';
import { analyzeListAppend } from './list-append.js';
import { anomaliesProhibitedBy, boundary, impossibleModels, KNOWN_MODELS, type ModelName } from './models.js';
import { analyzeRwRegister } from './rw-register.js';
import { linkProcessOrder, linkRealtimeOrder } from './session-orders.js';

export type Workload = 'list-append' | 'rw-register';
export const WORKLOADS: readonly Workload[] = ['list-append', 'rw-register'];

export interface CheckOptions {
  readonly workload?: Workload;
  /** The model the history must satisfy. Default: strict-serializable. */
  readonly model?: ModelName | string;
  /**
   * Cap on search steps per cycle shape per component (a safety valve on huge SCCs). Running
   * out stops that component's search and reports `cycle-search-timeout`, never `valid`.
   */
  readonly searchBudget?: number;
}

export interface CheckResult {
  readonly valid: true | false | 'unknown';
  readonly model: string;
  readonly workload: Workload;
  /** Reportable anomaly types, sorted. */
  readonly anomalyTypes: readonly string[];
  readonly anomalies: Readonly<Record<string, readonly Anomaly[]>>;
  /** The weakest models ruled out, and the stronger ones also ruled out. */
  readonly notModels: readonly string[];
  readonly alsoNotModels: readonly string[];
  readonly stats: { readonly txns: number; readonly edges: number; readonly sccs: number };
}

/** Types that make a result `unknown` rather than `false` (nothing about the database). */
const UNKNOWN_TYPES = new Set(['empty-transaction-graph', 'cycle-search-timeout']);

export function checkHistory(history: History, options: CheckOptions = {}): CheckResult {
  const workload = options.workload ?? 'list-append';
  const model = options.model ?? 'strict-serializable';
  if (!KNOWN_MODELS.has(model)) throw new RangeError(`unknown consistency model ${JSON.stringify(model)}`);
  const prohibited = anomaliesProhibitedBy([model]);
  const reportable = new Set([...prohibited, ...UNKNOWN_TYPES]);

  const graph = new DepGraph();
  const analysis = workload === 'list-append' ? analyzeListAppend(history, graph) : analyzeRwRegister(history, graph);
  // Session edges only when the model constrains them: real time if it names real-time anomalies, else process.
  const names = [...reportable];
  if (names.some((a) => a.endsWith('-realtime'))) linkRealtimeOrder(history, graph);
  else if (names.some((a) => a.endsWith('-process'))) linkProcessOrder(history, graph);

  const anomalies: AnomalyMap = new Map(analysis.anomalies);
  if (graph.edgeCount === 0) {
    anomalies.set('empty-transaction-graph', [
      { type: 'empty-transaction-graph', ops: [], explanation: 'No dependency edges could be inferred between transactions, so no cycle can be shown either way.' },
    ]);
  }
  const sccs = graph.sccs();
  const cycles = findCycles(graph, history.txns, analysis.priority, {
    sccs,
    explainEdge: analysis.explainEdge,
    ...(options.searchBudget === undefined ? {} : { searchBudget: options.searchBudget }),
  });
  for (const c of cycles) {
    const list = anomalies.get(c.type);
    if (list === undefined) anomalies.set(c.type, [c]);
    else list.push(c);
  }

  const found = [...anomalies.keys()];
  const reported = withoutRedundantCycleExists(found.filter((t) => reportable.has(t))).sort();
  const bad = found.filter((t) => prohibited.has(t));
  const { not, alsoNot } = boundary(found.filter((t) => !UNKNOWN_TYPES.has(t)));
  return {
    valid: reported.length === 0 ? true : bad.length > 0 ? false : 'unknown',
    model,
    workload,
    anomalyTypes: reported,
    anomalies: Object.fromEntries(reported.map((t) => [t, anomalies.get(t) ?? []])),
    notModels: reported.length === 0 ? [] : not,
    alsoNotModels: reported.length === 0 ? [] : alsoNot,
    stats: { txns: history.txns.length, edges: graph.edgeCount, sccs: sccs.length },
  };
}


/**
 * `<model>-cycle-exists` is a fallback: drop it when the other reported anomalies already rule
 * that model out (as Elle does), so it shows only where no named anomaly explains the cycle.
 */
function withoutRedundantCycleExists(types: readonly string[]): string[] {
  const impossible = impossibleModels(types.filter((t) => !CYCLE_EXISTS_TYPES.has(t)));
  return types.filter((t) => {
    const model = CYCLE_EXISTS_TYPES.get(t);
    return model === undefined || !impossible.has(model);
  });
}
