import { WRITE_FAILURE_CLASSES } from '@manifest-lab/workload';
import type { ConfigSummary, Estimate, Percentile, Rate } from './pool.js';
import { pct } from './text-table.js';

/** The lines a person reads after one configuration's runs: rates with intervals and counts. */
export function describeSummary(s: ConfigSummary): string {
  const r = s.rates;
  const classes = WRITE_FAILURE_CLASSES.filter((c) => s.outcomes[c] > 0).map((c) => `${c} ${s.outcomes[c]}`);
  const m = s.conflict_model;
  const lines = [
    `replicas: ${s.replicas} (seeds ${s.seeds.length > 4 ? `${s.seeds.slice(0, 4).join(', ')}, …` : s.seeds.join(', ')})`,
    `write: ${s.counts.write_txns} transactions, ${s.counts.write_attempts} attempts, ${s.counts.commits} commits; ` +
      `transaction failure rate ${rate(r.txn_failure_rate)}; precondition failures ${rate(r.precondition_failure_rate)} per attempt`,
    `       failures by class: ${classes.length === 0 ? 'none' : classes.join(', ')}${s.top_failure_class === null ? '' : ` (largest: ${s.top_failure_class})`}`,
    `       ${estimate(s.throughput.write_tps, 'txn/s', 3)}, p50 ${percentile(s.latency.write_p50_ms)}, p99 ${percentile(s.latency.write_p99_ms)}; ` +
      `snapshot→CAS window p50 ${percentile(s.latency.window_p50_ms)}, mean ${s.window_mean_ms === null ? '-' : `${s.window_mean_ms.toFixed(0)} ms`}`,
    `       HEAD-CAS model 1 − exp(−λ·w): ${m.model_conflict_rate === null ? '-' : pct(m.model_conflict_rate)} per attempt vs measured ${m.measured_conflict_rate === null ? '-' : pct(m.measured_conflict_rate)}` +
      `${m.ratio === null ? '' : ` (ratio ${m.ratio.toFixed(2)})`} over ${m.windows} attempts, λ_others ${m.lambda_others === null ? '-' : `${m.lambda_others.toFixed(3)}/s`}; ` +
      `another commit inside the window: ${m.direct_conflict_rate === null ? '-' : pct(m.direct_conflict_rate)}`,
    `read:  ${s.counts.read_txns} transactions, ${estimate(s.throughput.read_tps, 'txn/s', 2)}, p50 ${percentile(s.latency.read_p50_ms)}, p99 ${percentile(s.latency.read_p99_ms)}, ${s.counts.read_errors} errors`,
    `load:  writes offered ${num(s.throughput.write_offered_tps.value, 3)}/s, achieved ${num(s.throughput.write_achieved_tps.value, 3)}/s (late ${s.load.write_late}, dropped ${s.load.write_dropped}); ` +
      `reads offered ${num(s.throughput.read_offered_tps.value, 2)}/s, achieved ${num(s.throughput.read_achieved_tps.value, 2)}/s (late ${s.load.read_late}, dropped ${s.load.read_dropped}); overrun ${s.overrun_s.toFixed(1)} s`,
  ];
  if (s.load.saturated) {
    lines.push(
      `       SATURATED: ${[
        s.load.write_achieved_ratio !== null && s.load.write_achieved_ratio < 0.9 ? `writers achieved ${pct(s.load.write_achieved_ratio)} of their offered load` : '',
        s.load.read_achieved_ratio !== null && s.load.read_achieved_ratio < 0.9 ? `readers achieved ${pct(s.load.read_achieved_ratio)} of theirs` : '',
      ]
        .filter((x) => x !== '')
        .join('; ')} — the configured rate is not the load that ran.`,
    );
  }
  if (Object.values(s.latency).some((p) => p.flagged)) lines.push('       * percentile from fewer than 100 samples: closer to a maximum than to that percentile.');
  const iso = s.isolation;
  lines.push(
    `isolation (strict-serializable): ${iso.valid === true ? 'valid' : iso.valid === false ? `INVALID — ${iso.anomaly_types.join(', ')}` : `unknown — ${iso.anomaly_types.join(', ')}`} (${iso.runs_valid} of ${s.replicas} runs valid)`,
    ...(iso.white_box.runs === 0
      ? []
      : [
          iso.white_box.runs_valid === iso.white_box.runs
            ? `white-box: stored objects agree with the history (${iso.white_box.runs} of ${iso.white_box.runs} runs)`
            : `white-box: ${iso.white_box.anomaly_types.join(', ')} (${iso.white_box.runs - iso.white_box.runs_valid} of ${iso.white_box.runs} runs)`,
        ]),
    `cost:  ${s.requests_per_commit === null ? '-' : s.requests_per_commit.toFixed(1)} writer requests per commit, ${s.wasted_requests_per_commit === null ? '-' : s.wasted_requests_per_commit.toFixed(1)} of them wasted (by attempts that did not commit)`,
    ...(s.groups === null
      ? []
      : [`writers: local lose the CAS ${rate(s.groups.local.precondition_failure_rate)}, remote ${rate(s.groups.remote.precondition_failure_rate)} per attempt`]),
  );
  return lines.join('\n');
}

function rate(r: Rate): string {
  if (r.value === null) return '- (no samples)';
  return `${pct(r.value)} [95% CI ${pct(r.lo ?? 0)}–${pct(r.hi ?? 0)}] (${r.k} of ${r.n})`;
}

function estimate(e: Estimate, unit: string, digits: number): string {
  if (e.value === null) return '-';
  return `${e.value.toFixed(digits)} ${unit}${e.lo === null || e.hi === null ? '' : ` [${e.lo.toFixed(digits)}–${e.hi.toFixed(digits)}]`}`;
}

function percentile(p: Percentile): string {
  if (p.value === null) return '-';
  return `${p.value.toFixed(0)}${p.flagged ? '*' : ''} ms${p.lo === null || p.hi === null ? '' : ` [${p.lo.toFixed(0)}–${p.hi.toFixed(0)}]`}`;
}

function num(x: number | null, digits: number): string {
  return x === null ? '-' : x.toFixed(digits);
}

