/**
 * One scenario per correctness hazard of fusio-manifest 0.5 that the lab knows (the hazard
 * numbers are those of docs/fusio-manifest-0.5.md §6). Each is a small workload plus a fault
 * plan aimed at the hazard, and a test of what a run must show for the hazard to count as
 * reproduced. They run in virtual time: a (scenario, seed) pair replays byte for byte.
 */
import type { CompactionCounts } from './process-nemeses.js';
import type { FaultPlan, FaultTarget, FaultWindow } from './fault-plan.js';

/** What a chaos run shows about lost, doubled and blocked work (computed by the runner). */
export interface HazardFindings {
  /** Anomaly types the black-box checker found (strict serializability, list-append). */
  readonly anomaly_types: readonly string[];
  /** Anomaly types the white-box replay of the stored objects found. */
  readonly white_box_anomaly_types: readonly string[];
  /** Write attempts reported committed whose appends are missing from the final state. */
  readonly lost_commits: number;
  /** Write attempts reported failed (`fail`) whose appends are in the final state. */
  readonly failed_but_visible: number;
  /** Logical write transactions applied more than once (two of their attempts are visible). */
  readonly double_applied: number;
  /** The longest stretch with no write committing, seconds, from the run's start to its end. */
  readonly max_commit_gap_s: number;
  /** From the first crash to the next commit by any writer (or the run's end), seconds; null without a crash. */
  readonly blocked_after_crash_s: number | null;
  /** Write transactions that failed with a `lease_race` (§6.8). */
  readonly lease_races: number;
  /** Write attempts cut short by a crash. */
  readonly crashed: number;
  /** Why the final state could not be read, if it could not (e.g. HEAD names a deleted checkpoint). */
  readonly final_state_error: string | null;
  /** What the compaction nemesis did (zeros without one). */
  readonly compaction: CompactionCounts;
  /** Objects left under the prefix after the run. */
  readonly objects: { readonly segments: number; readonly checkpoints: number; readonly leases: number };
}

export interface HazardScenario {
  readonly name: string;
  /** The hazard, as numbered in docs/fusio-manifest-0.5.md (`6.1`, …; the adoption race has none). */
  readonly section: string;
  readonly description: string;
  /** Workload config fields (over the defaults); the seed comes from the run. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly plan: (durationS: number) => FaultPlan;
  /** Whether a run shows the hazard. */
  readonly reproduced: (f: HazardFindings, config: { lease_ttl_ms: number }) => boolean;
  /** The evidence, in one line. */
  readonly evidence: (f: HazardFindings, config: { lease_ttl_ms: number }) => string;
}

/** The lease TTL of the hazard runs: short, so a 60 s run sees several TTLs (the crate's is 60 s). */
export const HAZARD_LEASE_TTL_MS = 10_000;
export const HAZARD_DURATION_S = 60;

const BASE = {
  num_writers: 3,
  writer_rate: 0.5,
  num_readers: 4,
  reader_rate: 2,
  key_overlap_ratio: 0.2,
  lease_ttl_ms: HAZARD_LEASE_TTL_MS,
  duration_s: HAZARD_DURATION_S,
  warmup_s: 0,
} as const;

const HEAD = 'HEAD.json';
const writer0HeadCas: FaultTarget = { clients: ['writer-0'], kinds: ['CPUT'], key_contains: HEAD };
const writer0SegmentPut: FaultTarget = { clients: ['writer-0'], kinds: ['CPUT'], key_contains: '/segments/' };

/** Writers slow to publish HEAD (+`ms` on the CAS): the window in which their segment is an orphan widens. */
const slowHeadCas = (d: number, clients: string[], ms = 300): FaultWindow => ({
  label: `${clients.join(', ')} HEAD CAS +${ms} ms`,
  start_s: 0,
  end_s: d,
  fault: { kind: 'latency', ms },
  target: { clients, kinds: ['CPUT'], key_contains: HEAD },
});

/** What §6.1's routes look like to the checkers: failed commits that are visible. */
const COMMIT_ANOMALIES = new Set(['G1a', 'dirty-update']);
/** White-box anomalies of reads (a reader that missed published data). */
const READ_ANOMALIES = new Set(['stale-read', 'non-snapshot-read', 'unknown-element', 'non-monotonic-read']);

const plan = (name: string, ...windows: FaultWindow[]): FaultPlan => ({ name, windows });
/** §6.1's outcome: an attempt reported failed that is published (once, or on top of its retry). */
const visibleFailures = (f: HazardFindings) => f.failed_but_visible > 0 || f.double_applied > 0 || f.anomaly_types.includes('G1a');
const anomalies = (f: HazardFindings) =>
  `anomalies: ${f.anomaly_types.join(', ') || 'none'}; white-box: ${f.white_box_anomaly_types.join(', ') || 'none'}; failed-but-visible ${f.failed_but_visible}, applied twice ${f.double_applied}, lost ${f.lost_commits}`;

export const HAZARDS: readonly HazardScenario[] = [
  {
    name: 'pause-past-ttl',
    section: '6.1',
    description: 'writer-0 stalls 2.5 × TTL between its segment PUT and its HEAD CAS; another writer adopts the segment',
    config: BASE,
    plan: () => plan('pause past the lease TTL', { label: 'writer-0 paused at HEAD CAS', start_s: 10, end_s: 30, fault: { kind: 'pause', ms: 2.5 * HAZARD_LEASE_TTL_MS }, target: writer0HeadCas }),
    reproduced: visibleFailures,
    evidence: anomalies,
  },
  {
    name: 'lost-segment-put',
    section: '6.1',
    description: "writer-0's segment PUTs land but their answers are lost; the retried If-None-Match PUT hits its own object",
    config: BASE,
    plan: () => plan('lost segment-PUT answers', { label: 'segment PUT answers lost', start_s: 15, end_s: 45, fault: { kind: 'ambiguous', rate: 1 }, target: writer0SegmentPut }),
    reproduced: visibleFailures,
    evidence: anomalies,
  },
  {
    name: 'lost-head-cas',
    section: '6.1',
    description: "writer-0's HEAD CAS lands but its answer is lost; the retry sees a new HEAD and reports a conflict",
    config: BASE,
    plan: () => plan('lost HEAD-CAS answers', { label: 'HEAD CAS answers lost', start_s: 15, end_s: 45, fault: { kind: 'ambiguous', rate: 1 }, target: writer0HeadCas }),
    reproduced: visibleFailures,
    evidence: anomalies,
  },
  {
    name: 'crashed-writer',
    section: '6.2',
    description: 'writer-0 dies right after its segment PUT (its lease stays); every writer fails until the lease expires',
    config: BASE,
    plan: () =>
      plan('writer crash after segment PUT', {
        label: 'writer-0 crashes after segment PUT',
        start_s: 15,
        end_s: 45,
        fault: { kind: 'crash', when: 'after', restart_ms: 5000 },
        target: writer0SegmentPut,
      }),
    reproduced: (f, c) => f.crashed > 0 && f.blocked_after_crash_s !== null && f.blocked_after_crash_s * 1000 >= 0.8 * c.lease_ttl_ms,
    evidence: (f, c) =>
      f.blocked_after_crash_s === null
        ? 'no crash happened'
        : `no write committed for ${f.blocked_after_crash_s} s after the crash (lease TTL ${c.lease_ttl_ms / 1000} s)`,
  },
  {
    name: 'gc-under-reader',
    section: '6.4',
    description:
      'compact_and_gc every 2 s, slow (+1 s) to write its checkpoint: readers that snapshot meanwhile hold a txn above its lsn but read through the older checkpoint, and lose the segments it deletes',
    config: { ...BASE, num_readers: 8, reader_rate: 4, writer_rate: 1 },
    plan: (d) =>
      plan(
        'GC under leased readers',
        { label: 'compact_and_gc every 2 s', start_s: 5, end_s: d, fault: { kind: 'compaction', every_s: 2, compactors: 1, gc: 'inline' } },
        { label: 'compactor checkpoint PUT +1 s', start_s: 5, end_s: d, fault: { kind: 'latency', ms: 1000 }, target: { clients: ['compactor-0'], kinds: ['PUT'], key_contains: '/checkpoints/' } },
        ...[10, 20, 30, 40, 50].map(
          (t): FaultWindow => ({
            label: `readers stall at segment listing (${t} s)`,
            start_s: t,
            end_s: t + 5,
            fault: { kind: 'pause', ms: 1500 },
            target: { clients: Array.from({ length: 8 }, (_, i) => `reader-${i}`), kinds: ['LIST'], key_contains: '/segments/' },
          }),
        ),
      ),
    // G1a and dirty updates come from compaction moving HEAD mid-commit (§6.1); §6.4 shows as reads that miss data.
    reproduced: (f) => f.anomaly_types.some((t) => !COMMIT_ANOMALIES.has(t)) || f.white_box_anomaly_types.some((t) => READ_ANOMALIES.has(t)),
    evidence: anomalies,
  },
  {
    name: 'two-compactors',
    section: '6.5',
    description: 'two compactors with compact_and_gc; one is slow to write its checkpoint and rolls HEAD back over the other',
    // One slow reader: leases rarely hold GC back, so compact_and_gc deletes segments.
    config: { ...BASE, writer_rate: 1, num_readers: 1, reader_rate: 0.5 },
    plan: (d) =>
      plan(
        'two compactors',
        { label: 'two compactors, compact_and_gc every 2 s', start_s: 5, end_s: d, fault: { kind: 'compaction', every_s: 2, compactors: 2, gc: 'inline' } },
        { label: 'compactor-1 slow checkpoint PUT', start_s: 5, end_s: d, fault: { kind: 'latency', ms: 1500 }, target: { clients: ['compactor-1'], kinds: ['PUT'], key_contains: '/checkpoints/' } },
      ),
    reproduced: (f) => f.lost_commits > 0 || f.final_state_error !== null,
    evidence: (f) => `${f.lost_commits} committed attempt(s) lost${f.final_state_error === null ? '' : `; final read failed: ${f.final_state_error}`}; ${anomalies(f)}`,
  },
  {
    name: 'gc-plan-once',
    section: '6.6',
    description: 'three-phase GC every 3 s: the first plan works, every later gc_compute finds gc/GARBAGE present and installs nothing',
    config: BASE,
    plan: (d) => plan('three-phase GC', { label: 'compact + three-phase GC every 3 s', start_s: 3, end_s: d, fault: { kind: 'compaction', every_s: 3, compactors: 1, gc: 'three-phase', min_ttl_ms: 0 } }),
    reproduced: (f) => f.compaction.gc_plans === 1 && f.compaction.gc_skipped >= 3,
    evidence: (f) =>
      `${f.compaction.gc_plans} GC plan(s) installed in ${f.compaction.gc_plans + f.compaction.gc_skipped} gc_compute calls; ${f.objects.segments} segments and ${f.objects.checkpoints} checkpoints left`,
  },
  {
    name: 'skewed-clock',
    section: '6.7',
    description:
      "writer-1's and writer-2's wall clocks run TTL + 1 s ahead, so to them every lease has lapsed; they adopt the in-flight segments of writer-0 and writer-3 (slow, +1 s, to publish HEAD)",
    config: { ...BASE, num_writers: 4, writer_rate: 1 },
    plan: (d) =>
      plan(
        'clock skew ≥ TTL',
        { label: 'writer-1, writer-2 clocks +TTL+1 s', start_s: 0, end_s: d, fault: { kind: 'skew', ms: HAZARD_LEASE_TTL_MS + 1000 }, target: { clients: ['writer-1', 'writer-2'] } },
        slowHeadCas(d, ['writer-0', 'writer-3'], 1000),
      ),
    reproduced: visibleFailures,
    evidence: anomalies,
  },
  {
    name: 'lease-listing-race',
    section: '6.8',
    description: 'readers end sessions while writers list leases: a lease deleted between LIST and GET fails the writer',
    config: { ...BASE, num_readers: 10, reader_rate: 5 },
    plan: () => plan('no faults: the race is in the protocol'),
    reproduced: (f) => f.lease_races > 0,
    evidence: (f) => `${f.lease_races} write transaction(s) failed on a lease deleted between LIST and GET`,
  },
  {
    name: 'adoption-race',
    section: '2.7',
    description:
      "writer-1's segment listings take 2 s, so its recovery lists segments long after it listed leases; writer-0 (slow, +3 s, to publish HEAD) takes a lease in between, and its segment is adopted while it still commits",
    // Two writers only: a third writer's lease on the same txn would protect the segment.
    config: { ...BASE, num_writers: 2, writer_rate: 0.3 },
    plan: (d) =>
      plan(
        'slow segment listing in recovery',
        { label: 'writer-1 segment LIST +2 s', start_s: 0, end_s: d, fault: { kind: 'latency', ms: 2000 }, target: { clients: ['writer-1'], kinds: ['LIST'], key_contains: '/segments/' } },
        slowHeadCas(d, ['writer-0'], 3000),
      ),
    reproduced: visibleFailures,
    evidence: anomalies,
  },
];

export const HAZARD_NAMES: readonly string[] = HAZARDS.map((h) => h.name);

export function hazard(name: string): HazardScenario | undefined {
  return HAZARDS.find((h) => h.name === name);
}
