import { ManifestLabError } from './errors.js';

/**
 * A profile names a set of algorithms over the same object layout. `'fusio-0.5'` reproduces the
 * reference exactly, hazards included; later profiles (fixes, conflict-aware commit) join this
 * union, and code switches on it exhaustively.
 */
export type Profile = 'fusio-0.5';
export const PROFILES: readonly Profile[] = ['fusio-0.5'];
export const DEFAULT_PROFILE: Profile = 'fusio-0.5';

/** How a retry loop treats an error (the crate's `RetryClass`). */
export type RetryClass = 'durable-conflict' | 'transient' | 'fatal';

/**
 * fusio's `classify_error`: a precondition failure is a durable conflict; corrupt data and
 * unsupported calls are fatal; and — because fusio maps every other storage failure to `Io` —
 * everything else, a 403 or a missing object included, is "transient" (reference §3).
 */
export function classifyError(profile: Profile, err: unknown): RetryClass {
  switch (profile) {
    case 'fusio-0.5': {
      if (!(err instanceof ManifestLabError)) return 'transient';
      switch (err.kind) {
        case 'precondition-failed':
          return 'durable-conflict';
        case 'corrupt':
        case 'unimplemented':
        case 'crashed': // a dead process retries nothing
          return 'fatal';
        default:
          return 'transient';
      }
    }
  }
}
