/** The model/anomaly algebra, checked against the boundaries Elle's own tests assert. */
import { describe, expect, it } from 'vitest';
import { anomaliesProhibitedBy, boundary, impossibleModels } from './models.js';

// Elle names PL-SS "strong-serializable"; this checker calls it "strict-serializable".
const elle = (xs: string[]) => xs.map((x) => (x === 'strong-serializable' ? 'strict-serializable' : x)).sort();

describe('boundary (Elle consistency_model_test friendly-boundary)', () => {
  it('empty', () => {
    expect(boundary([])).toEqual({ not: [], alsoNot: [] });
  });

  it('internal', () => {
    expect(boundary(['internal'])).toEqual({
      not: ['read-atomic'],
      alsoNot: elle([
        'causal-cerone', 'parallel-snapshot-isolation', 'prefix', 'update-atomic', 'serializable', 'snapshot-isolation',
        'strong-serializable', 'strong-session-serializable', 'strong-session-snapshot-isolation', 'strong-snapshot-isolation',
      ]),
    });
  });

  it('G1a', () => {
    expect(boundary(['G1a'])).toEqual({
      not: ['read-committed'],
      alsoNot: elle([
        'read-atomic', 'update-atomic', 'causal-cerone', 'consistent-view', 'cursor-stability', 'forward-consistent-view',
        'monotonic-atomic-view', 'monotonic-snapshot-read', 'monotonic-view', 'parallel-snapshot-isolation', 'prefix',
        'repeatable-read', 'serializable', 'snapshot-isolation', 'strong-read-committed', 'strong-snapshot-isolation',
        'strong-serializable', 'strong-session-read-committed', 'strong-session-serializable',
        'strong-session-snapshot-isolation', 'update-serializable',
      ]),
    });
  });

  it('G-single', () => {
    expect(boundary(['G-single'])).toEqual({
      not: ['consistent-view'],
      alsoNot: elle([
        'snapshot-isolation', 'serializable', 'strong-serializable', 'strong-session-snapshot-isolation',
        'strong-snapshot-isolation', 'strong-session-serializable', 'forward-consistent-view', 'update-serializable',
      ]),
    });
  });

  it('internal and G2', () => {
    expect(boundary(['G2', 'internal'])).toEqual({
      not: ['read-atomic'],
      alsoNot: elle([
        'update-atomic', 'causal-cerone', 'parallel-snapshot-isolation', 'prefix', 'serializable', 'snapshot-isolation',
        'strong-serializable', 'strong-session-serializable', 'strong-session-snapshot-isolation', 'strong-snapshot-isolation',
      ]),
    });
  });

  it('lost update', () => {
    expect(boundary(['lost-update']).not).toEqual(['cursor-stability', 'update-atomic']);
  });

  it('G-single-realtime', () => {
    expect(boundary(['G-single-realtime'])).toEqual({ not: ['strong-snapshot-isolation'], alsoNot: ['strict-serializable'] });
  });
});

describe('prohibited anomalies', () => {
  it('strict serializability rules out real-time cycles; serializability does not', () => {
    expect(anomaliesProhibitedBy(['strict-serializable']).has('G-single-item-realtime')).toBe(true);
    expect(anomaliesProhibitedBy(['serializable']).has('G-single-item-realtime')).toBe(false);
    expect(anomaliesProhibitedBy(['serializable']).has('G2-item')).toBe(true);
    expect(anomaliesProhibitedBy(['snapshot-isolation']).has('G2-item')).toBe(false);
    expect(anomaliesProhibitedBy(['snapshot-isolation']).has('G-single-item')).toBe(true);
    expect(anomaliesProhibitedBy(['read-committed']).has('G1c')).toBe(true);
    expect(anomaliesProhibitedBy(['read-uncommitted']).has('G1c')).toBe(false);
  });

  it('all-impossible-models: strong-session-serializable implies only itself and strict', () => {
    expect([...impossibleModels(['G2-process'])].sort()).toEqual(['PL-SS', 'strong-session-serializable']);
  });
});
