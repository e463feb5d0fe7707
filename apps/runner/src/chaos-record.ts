/** The chaos part of a run: how a fault plan becomes a workload environment, and what `run.json` records of it. */
import { type ChaosEnvironment, type FaultCounts, type FaultPlan, type HazardFindings, totalFaultCounts } from '@manifest-lab/chaos';
import type { WorkloadEnvironment, WorkloadRun } from '@manifest-lab/workload';
import { hazardFindings } from './hazard-findings.js';
import type { VerifyDocument } from './isolation.js';

export interface ChaosRecord {
  readonly plan: FaultPlan;
  /** Requests each fault window delayed, dropped, failed, paused or crashed at the store seam, summed over clients. */
  readonly fault_counts: FaultCounts;
  /** Real time: what the faults on the wire and the CPU burners did. */
  readonly real_time?: RealTimeRecord;
  readonly findings: HazardFindings;
}

/** What the real-time fault machinery did in one run. */
export interface RealTimeRecord {
  /** The TCP fault proxy's counts (connections, resets, delayed chunks, bytes, …), when it carried the network windows. */
  readonly proxy?: Readonly<Record<string, number>>;
  /** Toxics added and removed on a Toxiproxy server, at run time (ms). */
  readonly toxiproxy?: readonly { readonly atMs: number; readonly action: string; readonly toxic: string }[];
  /** CPU-burning windows started. */
  readonly cpu_burns: number;
}

/** The workload environment that applies a plan. */
export function chaosEnvironmentParts(env: ChaosEnvironment): Pick<WorkloadEnvironment, 'wrapClientStore' | 'wrapClientClock' | 'background' | 'faultWindows'> {
  return { wrapClientStore: env.wrapClientStore, wrapClientClock: env.wrapClientClock, background: env.background, faultWindows: env.faultWindows };
}

export function chaosRecord(
  plan: FaultPlan,
  env: ChaosEnvironment,
  run: WorkloadRun,
  verify: VerifyDocument,
  objectKeys: readonly string[],
  realTime?: RealTimeRecord,
): ChaosRecord {
  return {
    plan,
    fault_counts: totalFaultCounts(env.stores),
    ...(realTime === undefined ? {} : { real_time: realTime }),
    findings: hazardFindings({
      history: run.history,
      finalState: run.finalState,
      verify,
      compaction: env.compaction,
      objectKeys: objectKeys.filter((k) => k.startsWith(`${run.prefix}/`)),
      prefix: run.prefix,
      outcomes: run.metrics.outcomes,
      crashTimesMs: env.stores.flatMap((s) => (s.crashedAtMs === undefined ? [] : [s.crashedAtMs])),
      durationMs: run.config.duration_s * 1000,
    }),
  };
}
