/**
 * Where a write attempt's time goes. The client's manifest reports its phases through the
 * `Tracer` port; the client adds what only it sees (queueing before the first attempt, retry
 * backoff, its own reads). The snapshot→CAS window — from the snapshot read to the HEAD CAS
 * answer, or to the check that caught a conflict — is what the HEAD-CAS conflict model needs.
 */
import type { ManifestPhase, Tracer } from '@manifest-lab/manifest-core';

export const WRITE_PHASES = [
  'queueing',
  'backoff',
  'recovery',
  'snapshot',
  'lease',
  'reads',
  'head_check',
  'segment_put',
  'head_cas',
  'lease_release',
] as const;
export type WritePhase = (typeof WRITE_PHASES)[number];

/** A span sink, e.g. a Chrome trace; called for every manifest phase as it ends. */
export type PhaseSink = (name: ManifestPhase, startMs: number, endMs: number, error: unknown) => void;

/** The phases of one client's current attempt; `reset()` before each attempt. */
export class AttemptPhases implements Tracer {
  readonly spent = new Map<WritePhase, number>();
  #casEnd: number | undefined;
  #snapshotMid: number | undefined;
  #checkMid: number | undefined;
  #failedPhase: ManifestPhase | undefined;
  #segmentSent = false;

  constructor(private readonly sink?: PhaseSink) {}

  reset(): void {
    this.spent.clear();
    this.#casEnd = undefined;
    this.#snapshotMid = undefined;
    this.#checkMid = undefined;
    this.#failedPhase = undefined;
    this.#segmentSent = false;
  }

  phase(name: ManifestPhase, startMs: number, endMs: number, error: unknown): void {
    this.add(name, endMs - startMs);
    // A request takes effect somewhere inside its span; the embedded store applies it at the
    // midpoint (half the latency before, half after), so the window runs midpoint to midpoint.
    if (name === 'snapshot' && error === undefined) this.#snapshotMid = (startMs + endMs) / 2;
    // The conflict checks: a stale HEAD is caught at the commit's HEAD re-read, a taken segment
    // seq at the segment PUT, a moved HEAD at the CAS. The window ends at the last one reached.
    if (name === 'head_check' || name === 'segment_put' || name === 'head_cas') {
      this.#casEnd = endMs;
      this.#checkMid = (startMs + endMs) / 2;
    }
    if (name === 'segment_put') this.#segmentSent = true;
    if (error !== undefined) this.#failedPhase = name;
    this.sink?.(name, startMs, endMs, error);
  }

  add(name: WritePhase, ms: number): void {
    this.spent.set(name, (this.spent.get(name) ?? 0) + ms);
  }

  /**
   * Snapshot read to the last conflict check the attempt reached (the HEAD CAS if it got that
   * far), each at its midpoint. Conflicting attempts count too: measuring only commits would favour
   * short windows, which are the ones that escape conflicts.
   */
  get windowMs(): number | undefined {
    return this.#snapshotMid === undefined || this.#checkMid === undefined ? undefined : this.#checkMid - this.#snapshotMid;
  }

  /** When the last conflict check (the HEAD CAS, for a commit) took effect: its midpoint. */
  get checkMidMs(): number | undefined {
    return this.#checkMid;
  }

  /** When the window ended (the last conflict check's answer), if the attempt got that far. */
  get windowEndMs(): number | undefined {
    return this.#snapshotMid === undefined ? undefined : this.#casEnd;
  }

  get failedPhase(): ManifestPhase | undefined {
    return this.#failedPhase;
  }

  get segmentSent(): boolean {
    return this.#segmentSent;
  }
}
