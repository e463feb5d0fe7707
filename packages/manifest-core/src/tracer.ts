/**
 * Optional phase tracing. A manifest built with a `tracer` reports each step of its write and
 * read paths as a span, so a lab can tell where a transaction's time goes (and how wide its
 * snapshot→CAS window is) without wrapping the storage requests and guessing from their keys.
 * Tracing never changes behaviour: a phase that throws is reported and the error rethrown.
 */

/** The steps of a session, in the order a write transaction takes them. */
export const MANIFEST_PHASES = [
  'recovery',
  'snapshot',
  'lease',
  'head_check',
  'segment_put',
  'head_cas',
  'lease_release',
] as const;
export type ManifestPhase = (typeof MANIFEST_PHASES)[number];

export interface Tracer {
  /** A phase ran from `startMs` to `endMs` (the manifest's clock) and ended `ok` or by throwing `error`. */
  phase(name: ManifestPhase, startMs: number, endMs: number, error: unknown | undefined): void;
}

/** Run `op` as phase `name` of `tracer` (or just run it when there is no tracer). */
export async function traced<T>(
  tracer: Tracer | undefined,
  now: () => number,
  name: ManifestPhase,
  op: () => Promise<T>,
): Promise<T> {
  if (tracer === undefined) return op();
  const start = now();
  try {
    const out = await op();
    tracer.phase(name, start, now(), undefined);
    return out;
  } catch (err) {
    tracer.phase(name, start, now(), err);
    throw err;
  }
}
