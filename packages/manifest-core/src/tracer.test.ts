import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from './errors.js';
import { simulate } from './test/simulation.js';
import type { ManifestPhase, Tracer } from './tracer.js';

function recorder() {
  const spans: { name: ManifestPhase; start: number; end: number; failed: boolean }[] = [];
  const tracer: Tracer = { phase: (name, start, end, error) => spans.push({ name, start, end, failed: error !== undefined }) };
  return { spans, tracer };
}

describe('phase tracing', () => {
  it('reports a write transaction phase by phase, in order, without changing it', async () => {
    const { spans, tracer } = recorder();
    const txn = await simulate(async ({ open, clock }) => {
      const m = open({ tracer });
      const w = await m.sessionWrite();
      await clock.sleep(7); // the client's own reads, untraced
      w.put('k', 1);
      return (await w.commit()).txnId;
    });
    expect(txn).toBe(1);
    expect(spans.map((s) => s.name)).toEqual(['recovery', 'snapshot', 'lease', 'head_check', 'segment_put', 'head_cas', 'lease_release']);
    expect(spans.every((s) => !s.failed && s.end >= s.start)).toBe(true);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.start).toBeGreaterThanOrEqual(spans[i - 1]?.end as number);
    const lease = spans.find((s) => s.name === 'lease');
    const check = spans.find((s) => s.name === 'head_check');
    expect((check?.start as number) - (lease?.end as number)).toBe(7);
  });

  it('reports the phase a conflict ended in, and read sessions too', async () => {
    const { spans, tracer } = recorder();
    const err = await simulate(async ({ open }) => {
      const a = open({ tracer });
      const b = open();
      const wa = await a.sessionWrite();
      const wb = await b.sessionWrite();
      wb.put('x', 1);
      await wb.commit();
      wa.put('x', 2);
      const e = await wa.commit().catch((e: unknown) => e);
      const r = await a.sessionRead();
      await r.end();
      return e;
    });
    expect(err).toBeInstanceOf(PreconditionFailedError);
    const names = spans.map((s) => `${s.name}${s.failed ? '!' : ''}`);
    // The stale snapshot is caught by the commit's HEAD check; the lease is still released.
    expect(names).toEqual(['recovery', 'snapshot', 'lease', 'head_check', 'lease_release', 'snapshot', 'lease', 'lease_release']);
  });
});
