import { describe, expect, it } from 'vitest';
import { parseWorkloadConfig } from './config.js';
import { WRITE_PHASES } from './phases.js';
import { runWorkload } from './run-workload.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 3);

describe('phase timing, load and the conflict model', { timeout: 120_000 }, () => {
  it(`accounts for a committed transaction's time phase by phase (seed ${SEED})`, async () => {
    const run = await runWorkload(parseWorkloadConfig({ num_writers: 1, writer_rate: 0.2, num_readers: 0, duration_s: 200, warmup_s: 5, seed: SEED }));
    const m = run.metrics;
    expect(m.outcomes.committed).toBe(m.write.counters.txns);
    // One writer, no conflicts: every attempt goes through every manifest phase once.
    for (const p of ['recovery', 'snapshot', 'lease', 'reads', 'head_check', 'segment_put', 'head_cas', 'lease_release'] as const) {
      expect(m.phases[p].count, p).toBe(m.write.counters.attempts);
    }
    // The phase means add up to the transaction latency (queueing included).
    const sum = WRITE_PHASES.reduce((a, p) => a + m.phases[p].mean_ms * (m.phases[p].count / m.write.counters.txns), 0);
    expect(sum / m.write.latency.mean_ms).toBeGreaterThan(0.99);
    expect(sum / m.write.latency.mean_ms).toBeLessThan(1.01);
    // The window spans reads and commit but not recovery.
    expect(m.conflict_model.window_mean_ms).toBeGreaterThan(m.phases.reads.mean_ms);
    expect(m.conflict_model.window_mean_ms).toBeLessThan(m.write.latency.mean_ms);
    expect(m.conflict_model.lambda_others).toBe(0);
    expect(m.conflict_model.model_conflict_rate).toBe(0);
  });

  it(`agrees with the HEAD-CAS conflict model under contention (seed ${SEED})`, async () => {
    const run = await runWorkload(
      parseWorkloadConfig({ num_writers: 3, writer_rate: 0.15, num_readers: 2, reader_rate: 1, duration_s: 900, warmup_s: 5, seed: SEED }),
    );
    const c = run.metrics.conflict_model;
    expect(run.metrics.write.counters.precondition_failures, `seed ${SEED}`).toBeGreaterThan(100);
    const ratio = (c.model_conflict_rate as number) / (c.measured_conflict_rate as number);
    expect(ratio, `seed ${SEED}: model ${c.model_conflict_rate} vs measured ${c.measured_conflict_rate}`).toBeGreaterThan(0.75);
    expect(ratio, `seed ${SEED}`).toBeLessThan(1.25);
    // A conflict is another commit inside the window: counted from commit times, the share
    // matches the measured rate almost exactly (segment-seq races aside).
    expect(Math.abs((c.direct_conflict_rate as number) - (c.measured_conflict_rate as number)), `seed ${SEED}`).toBeLessThan(0.02);
  });

  it(`reports offered vs achieved load, saturation and the overrun (seed ${SEED})`, async () => {
    const base = { num_writers: 2, writer_rate: 0.2, key_overlap_ratio: 0.2, duration_s: 60, warmup_s: 5, seed: SEED };
    const busy = await runWorkload(parseWorkloadConfig({ ...base, num_readers: 10, reader_rate: 5 }));
    const r = busy.metrics.load.read;
    expect(r.offered_tps).toBeCloseTo(r.scheduled / 55, 5);
    expect(r.achieved_ratio as number).toBeLessThan(0.9);
    expect(r.saturated).toBe(true);
    expect(busy.metrics.load.saturated).toBe(true);
    expect(r.dropped).toBeGreaterThan(0);
    expect(busy.metrics.overrun_s).toBeCloseTo(Math.max(0, busy.elapsedMs / 1000 - 60), 2);
    // TPS counts only what completed inside the measured window.
    expect(busy.metrics.read.tps).toBeCloseTo(r.completed / 55 - busy.metrics.read.counters.errors * 0, 1);
    const calm = await runWorkload(parseWorkloadConfig({ ...base, num_readers: 1, reader_rate: 0.2 }));
    expect(calm.metrics.load.read.saturated).toBe(false);
    expect(calm.metrics.load.write.saturated).toBe(false);
    expect(calm.metrics.load.write.achieved_ratio as number).toBeGreaterThan(0.9);
  });

  it(`writes the run as Chrome trace spans, phases nested in transactions (seed ${SEED})`, async () => {
    const run = await runWorkload(parseWorkloadConfig({ num_writers: 2, writer_rate: 0.5, num_readers: 1, reader_rate: 1, duration_s: 20, warmup_s: 2, max_retry_count: 0, seed: SEED }), {
      trace: true,
    });
    const doc = JSON.parse(run.trace?.toJson({ seed: SEED }) ?? '{}') as {
      traceEvents: { ph: string; cat?: string; name: string; ts: number; dur: number; tid: number; args?: Record<string, unknown> }[];
    };
    const spans = doc.traceEvents.filter((e) => e.ph === 'X');
    const names = doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name);
    expect(names).toEqual(['writer 0', 'writer 1', 'reader 0']);
    const txns = spans.filter((e) => e.cat === 'txn');
    // Without retries, one transaction span per attempt.
    expect(txns.length).toBe(run.history.filter((e) => e.type === 'invoke').length);
    for (const cat of ['phase', 'request']) {
      const inner = spans.filter((e) => e.cat === cat);
      expect(inner.length, cat).toBeGreaterThan(txns.length);
      // Each lies inside a transaction of its own track.
      for (const s of inner) {
        expect(txns.some((t) => t.tid === s.tid && t.ts <= s.ts && s.ts + s.dur <= t.ts + t.dur), `${cat} ${s.name} at ${s.ts}`).toBe(true);
      }
    }
    // Perfetto's JSON importer needs the complete events of one thread to nest: sorted by start
    // (longest first on ties), each either inside the enclosing open span or after it ends.
    for (const tid of new Set(spans.map((e) => e.tid))) {
      const own = spans.filter((e) => e.tid === tid).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
      const open: number[] = [];
      for (const e of own) {
        while (open.length > 0 && (open[open.length - 1] as number) <= e.ts) open.pop();
        const top = open[open.length - 1];
        if (top !== undefined) expect(e.ts + e.dur, `${e.name} at ${e.ts} on track ${tid}`).toBeLessThanOrEqual(top);
        open.push(e.ts + e.dur);
      }
    }
    expect(spans.some((e) => e.cat === 'phase' && e.name === 'head_cas')).toBe(true);
    expect(spans.some((e) => e.cat === 'request' && e.name.startsWith('CPUT'))).toBe(true);
  });
});
