/**
 * What to do about each fusio-manifest 0.5 hazard, keyed by the hazard scenario's id. This is
 * knowledge about the hazard (docs/fusio-manifest-0.5.md §6, packages/chaos), not about any run:
 * every number the readiness document states comes from the results, never from here.
 */
export interface Mitigation {
  /** Section of docs/fusio-manifest-0.5.md. */
  readonly section: string;
  /** What goes wrong, in one line. */
  readonly risk: string;
  /** What a deployment (or a port) does about it. */
  readonly mitigation: string;
}

export const MITIGATIONS: Readonly<Record<string, Mitigation>> = {
  'pause-past-ttl': {
    section: '6.1',
    risk: 'a writer stalled past its lease TTL has its segment adopted, then is told its commit failed: a retry applies it twice',
    mitigation:
      'Heartbeat write leases for the whole session, set the lease TTL well above the longest pause (GC, VM migration) you expect, and treat PreconditionFailed after the segment PUT as "unknown": re-read HEAD and look for the segment before redoing the work; make writes idempotent (a per-writer nonce in the segment).',
  },
  'lost-segment-put': {
    section: '6.1',
    risk: 'a lost reply to the segment PUT turns a stored segment into a reported conflict that is later adopted',
    mitigation:
      'After any failure past the segment PUT, re-read HEAD and check whether the segment was published before retrying; make writes idempotent (a per-writer nonce in the segment) so a redo cannot apply twice.',
  },
  'lost-head-cas': {
    section: '6.1',
    risk: 'a lost reply to the HEAD CAS reports a published transaction as failed',
    mitigation: 'Same as a lost segment PUT: on PreconditionFailed after a HEAD PUT attempt, re-read HEAD and compare its last_txn_id before retrying; make writes idempotent.',
  },
  'crashed-writer': {
    section: '6.2',
    risk: 'a writer that dies between segment PUT and HEAD CAS blocks every writer until its lease lapses — and under load longer',
    mitigation:
      'Keep the write-lease TTL as short as your longest legitimate commit allows, alert on commit stalls longer than the TTL, and size client timeouts so a stall of several TTLs is survivable.',
  },
  'gc-under-reader': {
    section: '6.4',
    risk: 'GC removes segments a leased reader still needs; reads return wrong values without an error',
    mitigation: 'Do not run compact_and_gc while sessions are live: use three-phase GC with a not_before well above the longest session, or defer deletes (retain segments past every live lease).',
  },
  'two-compactors': {
    section: '6.5',
    risk: 'two compactors roll HEAD back to an older checkpoint and committed writes are lost permanently',
    mitigation: 'Run exactly one compactor per prefix (a single elected process); never one per writer process.',
  },
  'gc-plan-once': {
    section: '6.6',
    risk: 'the first GC plan overwrites gc/GARBAGE with a default plan, so no later plan is ever installed and garbage grows',
    mitigation: 'Monitor object counts under the prefix; after each GC cycle delete gc/GARBAGE (or patch the port to delete it) so the next plan can be installed.',
  },
  'skewed-clock': {
    section: '6.7',
    risk: 'a host whose clock runs ahead by about the lease TTL sees live leases as expired and adopts in-flight segments',
    mitigation: 'Keep clocks synchronised (NTP/chrony with alerting) to well under TTL/2, and choose the lease TTL larger than the worst skew you can observe.',
  },
  'lease-listing-race': {
    section: '6.8',
    risk: 'a lease deleted between LIST and GET fails the whole listing, so writes fail with lease_race',
    mitigation: 'Retry lease_race failures like conflicts (they are transient), and keep read sessions few and long rather than many and short.',
  },
  'adoption-race': {
    section: '2.7',
    risk: 'a slow writer races orphan adoption and its failed commit becomes visible',
    mitigation: 'As for §6.1: treat PreconditionFailed after the segment PUT as unknown, re-read HEAD before redoing, and make writes idempotent.',
  },
};
