import type { PublishedCheckpoint } from './compactor.js';

/** How a compactor collects garbage after publishing a checkpoint. */
export const GC_MODES = ['none', 'inline', 'three-phase'] as const;
export type GcMode = (typeof GC_MODES)[number];

/** The compactor calls one round makes (any manifest's `compactor()`). */
export interface CompactorCalls {
  compactOnce(): Promise<PublishedCheckpoint | { checkpointId: string }>;
  compactAndGc(): Promise<PublishedCheckpoint | { checkpointId: string }>;
  gcCompute(): Promise<string | null>;
  gcApply(): Promise<void>;
  gcDeleteAndReset(): Promise<void>;
}

export interface CompactionRoundHooks {
  /** The checkpoint was published (HEAD now names it): before any GC phase runs. */
  published?(checkpointId: string): void;
  /** `gc_compute` answered: whether it installed a plan (three-phase only). */
  planned?(installed: boolean): void;
}

/**
 * One compactor round as a deployment would schedule it: publish a checkpoint, then collect
 * garbage — `none`: nothing (`compact_once`); `inline`: `compact_and_gc`; `three-phase`:
 * `gc_compute`, `gc_apply`, `gc_delete_and_reset`. Errors propagate (hooks already fired stay fired).
 */
export async function compactionRound(compactor: CompactorCalls, gc: GcMode, hooks: CompactionRoundHooks = {}): Promise<void> {
  const published = gc === 'inline' ? await compactor.compactAndGc() : await compactor.compactOnce();
  hooks.published?.(published.checkpointId);
  if (gc !== 'three-phase') return;
  hooks.planned?.((await compactor.gcCompute()) !== null);
  await compactor.gcApply();
  await compactor.gcDeleteAndReset();
}
