import { describe, expect, it } from 'vitest';
import { composePlans, constantFault, FaultPlanError, faultPlanToJson, parseFaultPlan, randomOutages, windowApplies } from './fault-plan.js';

const SEED = Number(process.env.MANIFEST_LAB_SEED ?? 9);

describe('fault plans', () => {
  it(`places random outages inside the run, apart, and the same for the same seed (seed ${SEED})`, () => {
    for (let s = SEED; s < SEED + 50; s++) {
      const plan = randomOutages(s, { durationS: 300, count: 3, lengthS: 10, fromS: 20 });
      expect(plan.windows).toHaveLength(3);
      for (const [i, w] of plan.windows.entries()) {
        expect(w.end_s - w.start_s, `seed ${s}`).toBeCloseTo(10, 6);
        expect(w.start_s, `seed ${s}`).toBeGreaterThanOrEqual(20);
        expect(w.end_s, `seed ${s}`).toBeLessThanOrEqual(300);
        if (i > 0) expect(w.start_s, `seed ${s}`).toBeGreaterThanOrEqual(plan.windows[i - 1]?.end_s as number);
      }
      expect(randomOutages(s, { durationS: 300, count: 3, lengthS: 10, fromS: 20 })).toEqual(plan);
    }
    expect(randomOutages(SEED, { durationS: 300, count: 3, lengthS: 10 })).not.toEqual(randomOutages(SEED + 1, { durationS: 300, count: 3, lengthS: 10 }));
    expect(() => randomOutages(SEED, { durationS: 20, count: 3, lengthS: 10 })).toThrow(/do not fit in 20 s/);
  });

  it('round-trips through JSON, composes in start order, and names every bad field', () => {
    const a = constantFault('slow', { kind: 'latency', ms: 100, p99_ms: 400 }, 60, { kinds: ['GET'] }, 30);
    const b = randomOutages(SEED, { durationS: 60, count: 2, lengthS: 5 });
    const plan = composePlans('combined', a, b);
    expect(plan.windows.map((w) => w.start_s)).toEqual([...plan.windows.map((w) => w.start_s)].sort((x, y) => x - y));
    const text = faultPlanToJson(plan);
    expect(parseFaultPlan(JSON.parse(text))).toEqual(JSON.parse(text));
    expect(faultPlanToJson(parseFaultPlan(JSON.parse(text)))).toBe(text);
    const bad = { name: 'x', windows: [{ start_s: 5, end_s: 2, fault: { kind: 'errors', rate: 2, error: 'teapot' }, target: { clients: ['me'] }, label: 'b' }] };
    expect(() => parseFaultPlan(bad, 'plan.json')).toThrow(FaultPlanError);
    try {
      parseFaultPlan(bad, 'plan.json');
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid plan\.json: /);
      for (const field of ['windows.0.fault.rate', 'windows.0.fault.error', 'windows.0.target.clients.0']) expect((err as Error).message).toContain(field);
    }
  });

  it('matches requests by time, client, kind and key', () => {
    const [w] = constantFault('cut', { kind: 'outage', mode: 'reset' }, 20, { clients: ['writer-0'], kinds: ['CPUT'], key_contains: 'HEAD.json' }, 10).windows;
    if (w === undefined) throw new Error('no window');
    expect(windowApplies(w, 10_000, 'writer-0', 'CPUT', 'p/HEAD.json')).toBe(true);
    expect(windowApplies(w, 9_999, 'writer-0', 'CPUT', 'p/HEAD.json')).toBe(false);
    expect(windowApplies(w, 20_000, 'writer-0', 'CPUT', 'p/HEAD.json')).toBe(false);
    expect(windowApplies(w, 15_000, 'writer-1', 'CPUT', 'p/HEAD.json')).toBe(false);
    expect(windowApplies(w, 15_000, 'writer-0', 'GET', 'p/HEAD.json')).toBe(false);
    expect(windowApplies(w, 15_000, 'writer-0', 'CPUT', 'p/segments/1.json')).toBe(false);
  });
});
