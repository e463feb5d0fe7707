import { describe, expect, it } from 'vitest';
import { parseWorkloadConfig } from './config.js';
import { historyToJsonl } from './history.js';
import { runWorkload } from './run-workload.js';

const config = parseWorkloadConfig({ num_writers: 3, writer_rate: 2, num_readers: 2, reader_rate: 3, key_overlap_ratio: 0.8, duration_s: 20, warmup_s: 0, seed: 11 });

describe('WorkloadEnvironment.observe', () => {
  it('sees every request and transaction, and changes nothing in the run', async () => {
    const plain = await runWorkload(config);
    const requests = new Map<string, number>();
    const txns = new Map<string, number>();
    let writerAttempts = 0;
    const observed = await runWorkload(config, {
      observe: {
        request: (kind, ms, ok) => {
          expect(ms).toBeGreaterThanOrEqual(0);
          requests.set(`${kind}/${ok}`, (requests.get(`${kind}/${ok}`) ?? 0) + 1);
        },
        transaction: (role, outcome, ms, attempts) => {
          expect(ms).toBeGreaterThanOrEqual(0);
          txns.set(`${role}/${outcome}`, (txns.get(`${role}/${outcome}`) ?? 0) + 1);
          if (role === 'writer') writerAttempts += attempts;
        },
      },
    });
    expect(historyToJsonl(observed.history)).toBe(historyToJsonl(plain.history));
    expect(observed.metrics).toEqual(plain.metrics);
    // warmup_s 0: the run's own counters cover every transaction the observer saw.
    const w = plain.metrics.write.counters;
    for (const [outcome, n] of Object.entries(plain.metrics.outcomes)) expect(txns.get(`writer/${outcome}`) ?? 0).toBe(n);
    expect(writerAttempts).toBe(w.attempts);
    expect(txns.get('reader/read_ok') ?? 0).toBe(plain.metrics.read.counters.successes);
    expect(txns.get('writer/committed')).toBeGreaterThan(0);
    expect(txns.get('writer/conflict')).toBeGreaterThan(0);
    const total = [...requests.values()].reduce((a, b) => a + b, 0);
    const byRun = Object.values(plain.requestCounts).reduce((a, b) => a + b, 0);
    expect(total).toBe(byRun);
    expect(requests.get('CPUT/false')).toBeGreaterThan(0); // a lost HEAD CAS is a failed request
  });
});
