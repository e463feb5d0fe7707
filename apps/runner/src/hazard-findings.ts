/**
 * What a chaos run shows beyond the checker's verdict: committed work that vanished, failed
 * work that took effect (once or twice), how long writers were blocked — read from the history
 * and the final state a fresh client read after the run.
 */
import type { CompactionCounts, HazardFindings } from '@manifest-lab/chaos';
import { Layout } from '@manifest-lab/manifest-core';
import { type FinalState, type HistoryEvent, isTxnEvent, type TxnEvent } from '@manifest-lab/workload';
import type { VerifyDocument } from './isolation.js';

export function hazardFindings(input: {
  readonly history: readonly HistoryEvent[];
  readonly finalState: FinalState | undefined;
  readonly verify: VerifyDocument;
  readonly compaction: CompactionCounts;
  readonly objectKeys: readonly string[];
  readonly prefix: string;
  /** The run's write outcome counts (`metrics.outcomes`). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** When clients crashed (run time, ms). */
  readonly crashTimesMs: readonly number[];
  /** The run's scheduled length, ms: stretches without a commit count up to it. */
  readonly durationMs: number;
}): HazardFindings {
  const events = input.history.filter(isTxnEvent);
  const visible = new Set<string>();
  if (input.finalState?.ok === true) {
    for (const [k, list] of Object.entries(input.finalState.lists)) for (const x of list) visible.add(`${k}\u0000${x}`);
  }
  const known = input.finalState?.ok === true;
  const appendsVisible = (e: TxnEvent) =>
    e.value.some((m) => m[0] === 'append' && visible.has(`${m[1]}\u0000${m[2] as number}`));
  const allVisible = (e: TxnEvent) =>
    e.value.filter((m) => m[0] === 'append').every((m) => visible.has(`${m[1]}\u0000${m[2] as number}`));

  // Pair each completion with its invoke (by process) to know its logical transaction.
  const openTxn = new Map<number, number | undefined>();
  const visibleAttempts = new Map<number, number>();
  let lost = 0;
  let failedVisible = 0;
  let crashed = 0;
  const commitTimes: number[] = [];
  for (const e of events) {
    if (e.type === 'invoke') {
      openTxn.set(e.process, e.txn);
      continue;
    }
    const txn = openTxn.get(e.process);
    openTxn.delete(e.process);
    const isWrite = e.value.some((m) => m[0] === 'append');
    if (!isWrite) continue;
    if (e.error?.class === 'crashed') crashed++;
    if (e.type === 'ok') commitTimes.push(e.time / 1e6);
    if (!known) continue;
    if (e.type === 'ok' && !allVisible(e)) lost++;
    if (e.type === 'fail' && appendsVisible(e)) failedVisible++;
    if (txn !== undefined && appendsVisible(e)) visibleAttempts.set(txn, (visibleAttempts.get(txn) ?? 0) + 1);
  }
  // Stretches without a commit, the run's start and end included (writers that never commit
  // again after a fault are blocked to the end).
  const end = Math.max(input.durationMs, commitTimes.at(-1) ?? 0);
  const marks = [0, ...commitTimes, end];
  let gap = 0;
  for (let i = 1; i < marks.length; i++) gap = Math.max(gap, (marks[i] as number) - (marks[i - 1] as number));
  const firstCrash = input.crashTimesMs.length === 0 ? undefined : Math.min(...input.crashTimesMs);
  const blockedAfterCrash = firstCrash === undefined ? null : (commitTimes.find((t) => t > firstCrash) ?? end) - firstCrash;

  const layout = new Layout(input.prefix);
  const count = (dir: string, suffix = '') => input.objectKeys.filter((k) => k.startsWith(dir) && k.endsWith(suffix)).length;
  return {
    anomaly_types: [...input.verify.blackBox.anomalyTypes],
    white_box_anomaly_types: [...(input.verify.whiteBox?.anomalyTypes ?? [])],
    lost_commits: lost,
    failed_but_visible: failedVisible,
    double_applied: [...visibleAttempts.values()].filter((n) => n > 1).length,
    max_commit_gap_s: Math.round(gap) / 1000,
    blocked_after_crash_s: blockedAfterCrash === null ? null : Math.round(blockedAfterCrash) / 1000,
    lease_races: input.outcomes.lease_race ?? 0,
    crashed,
    final_state_error: input.finalState === undefined || input.finalState.ok ? null : input.finalState.error,
    compaction: { ...input.compaction },
    objects: { segments: count(layout.segmentsDir), checkpoints: count(layout.checkpointsDir, '.meta.json'), leases: count(layout.leasesDir) },
  };
}
