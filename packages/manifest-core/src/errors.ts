/**
 * Typed errors. Every failure that crosses the `ObjectStore` seam or leaves the manifest API is
 * one of these, tagged by `kind`, so callers switch on a discriminant instead of parsing messages.
 */
export type ErrorKind =
  | 'precondition-failed'
  | 'not-found'
  | 'throttled'
  | 'transient'
  | 'timeout'
  | 'ambiguous'
  | 'fatal'
  | 'corrupt'
  | 'unimplemented'
  | 'crashed';

export abstract class ManifestLabError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A conditional write lost: `If-Match` / `If-None-Match` did not hold (HTTP 412). */
export class PreconditionFailedError extends ManifestLabError {
  readonly kind = 'precondition-failed' as const;
  constructor(message = 'precondition failed', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The object does not exist where the operation required it. */
export class NotFoundError extends ManifestLabError {
  readonly kind = 'not-found' as const;
}

/**
 * A snapshot's segment or checkpoint is no longer stored (GC'd): the session read past GC's
 * grace. Reads under `readsHeadRange` (`strict`) raise it instead of skipping the object (§6.4);
 * retrying on a fresh snapshot succeeds.
 */
export class SnapshotGoneError extends NotFoundError {}

/** The service asked us to slow down (S3 503 SlowDown). */
export class ThrottledError extends ManifestLabError {
  readonly kind = 'throttled' as const;
}

/** A failure that may succeed when retried (5xx, reset connection). */
export class TransientError extends ManifestLabError {
  readonly kind = 'transient' as const;
}

/** No answer in time: the request may or may not have been applied. */
export class TimeoutError extends ManifestLabError {
  readonly kind = 'timeout' as const;
}

/**
 * The request may have been applied: e.g. a conditional PUT answered 412 after the SDK had
 * already retried it (the first attempt may have landed), or a response lost after the write.
 * A workload must record such an outcome as unknown (`info`), never as a definite failure.
 */
export class AmbiguousError extends ManifestLabError {
  readonly kind = 'ambiguous' as const;
}

/** A failure that retrying cannot fix (bad credentials, missing bucket). */
export class FatalError extends ManifestLabError {
  readonly kind = 'fatal' as const;
}

/** Stored data that cannot be decoded or violates the layout's invariants. */
export class CorruptError extends ManifestLabError {
  readonly kind = 'corrupt' as const;
}

/** An operation this configuration does not support. */
export class UnimplementedError extends ManifestLabError {
  readonly kind = 'unimplemented' as const;
}

/**
 * The calling process died (a chaos nemesis): nothing it sends from now on reaches storage, and
 * nothing of what it holds — leases, an unpublished segment — is cleaned up. A new process takes
 * its place at `restartAtMs` (run time).
 */
export class ProcessCrashedError extends ManifestLabError {
  readonly kind = 'crashed' as const;
  constructor(
    message: string,
    readonly restartAtMs: number,
  ) {
    super(message);
  }
}

export function isPreconditionFailed(err: unknown): err is PreconditionFailedError {
  return err instanceof PreconditionFailedError;
}
