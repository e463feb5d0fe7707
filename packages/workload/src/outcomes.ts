/**
 * How a write transaction ended. Every transaction ends in exactly one class, so the classes
 * add up to the transactions and a failure can never hide outside the precondition-failure rate.
 */
import { AmbiguousError, ManifestLabError, type ManifestPhase, PreconditionFailedError, ProcessCrashedError } from '@manifest-lab/manifest-core';

export const WRITE_OUTCOMES = [
  'committed',
  /** PreconditionFailed on the last allowed attempt. */
  'conflict',
  /** A lease deleted between the LIST and the GET of orphan recovery (reference §6.8). */
  'lease_race',
  /** May have committed: an error after the segment PUT was sent (history `info`). */
  'ambiguous',
  'timeout',
  'throttled',
  /** The client process died mid-attempt (a chaos crash); `info` when its segment PUT was sent. */
  'crashed',
  'other',
] as const;
export type WriteOutcome = (typeof WRITE_OUTCOMES)[number];
export type WriteFailureClass = Exclude<WriteOutcome, 'committed'>;
export const WRITE_FAILURE_CLASSES = WRITE_OUTCOMES.filter((o): o is WriteFailureClass => o !== 'committed');

/** Where in the attempt an error surfaced, as far as the attempt's phase trace tells. */
export interface FailureContext {
  /** The manifest phase that threw, if a traced phase did. */
  readonly phase: ManifestPhase | undefined;
  /** Whether a segment PUT was sent: after that, a non-conflict error may hide a commit. */
  readonly segmentSent: boolean;
}

/**
 * The class of a failed attempt. A precondition failure is a definite conflict (the crate
 * reports it even when its segment landed: that is hazard §6.1, which the checker catches);
 * anything else after a segment PUT was sent is ambiguous; before that, the error's kind decides.
 */
export function classifyWriteFailure(err: unknown, ctx: FailureContext): WriteFailureClass {
  if (err instanceof PreconditionFailedError) return 'conflict';
  if (err instanceof ProcessCrashedError) return 'crashed';
  if (err instanceof AmbiguousError || ctx.segmentSent) return 'ambiguous';
  if (!(err instanceof ManifestLabError)) return 'other';
  switch (err.kind) {
    case 'not-found':
      return ctx.phase === 'recovery' ? 'lease_race' : 'other';
    case 'timeout':
      return 'timeout';
    case 'throttled':
      return 'throttled';
    default:
      return 'other';
  }
}

/** A one-line message for the history: the error's kind and text. */
export function errorMessage(err: unknown): string {
  if (err instanceof ManifestLabError) return `${err.kind}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
