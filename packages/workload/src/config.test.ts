import { describe, expect, it } from 'vitest';
import { CONFIG_DESCRIPTIONS, CONFIG_FIELDS, ConfigError, defaultWorkloadConfig, parseWorkloadConfig } from './config.js';

describe('WorkloadConfig', () => {
  it('defaults to the reference baseline: 2 writers, 10 readers, 120 s, overlap 0.2', () => {
    expect(defaultWorkloadConfig()).toMatchObject({
      num_writers: 2,
      num_readers: 10,
      duration_s: 120,
      key_overlap_ratio: 0.2,
      time: 'virtual',
      profile: 'fusio-0.5',
      latency_profile: 's3-standard',
    });
  });

  it('lists every field the issue names', () => {
    for (const f of [
      'num_writers', 'writer_rate', 'num_readers', 'reader_rate', 'key_overlap_ratio', 'keys_per_writer',
      'shared_keys', 'ops_per_txn', 'value_bytes', 'duration_s', 'warmup_s', 'max_retry_count',
      'retry_backoff', 'lease_ttl_ms', 'latency_profile', 'seed', 'time', 'profile',
    ]) {
      expect(CONFIG_FIELDS).toContain(f);
    }
  });

  it('names every bad field, what it accepts, and unknown fields', () => {
    let err: unknown;
    try {
      parseWorkloadConfig({ num_writers: -1, key_overlap_ratio: 1.5, retry_backoff: 'linear', bogus: true }, 'sweep file x.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toMatch(/^Invalid sweep file x\.json: /);
    expect(msg).toContain('`num_writers`: Too small');
    expect(msg).toContain('`key_overlap_ratio`: Too big');
    expect(msg).toMatch(/`retry_backoff`: Invalid option: expected one of "none"\|"fixed"\|"exponential"\|"exponential-jitter"/);
    expect(msg).toContain('unknown field `bogus`');
    expect((err as ConfigError).issues).toHaveLength(4);
  });

  it('defaults the warm-up to 10 % of the duration, at most 10 s, unless given', () => {
    expect(defaultWorkloadConfig().warmup_s).toBe(10);
    expect(parseWorkloadConfig({ duration_s: 30 }).warmup_s).toBe(3);
    expect(parseWorkloadConfig({ duration_s: 4 }).warmup_s).toBeCloseTo(0.4, 12);
    expect(parseWorkloadConfig({ duration_s: 100 }).warmup_s).toBe(10);
    expect(parseWorkloadConfig({ duration_s: 600 }).warmup_s).toBe(10);
    expect(parseWorkloadConfig({ duration_s: 30, warmup_s: 0 }).warmup_s).toBe(0);
    expect(parseWorkloadConfig({ duration_s: 600, warmup_s: 25 }).warmup_s).toBe(25);
    expect(() => parseWorkloadConfig({ duration_s: 30, warmup_s: -1 })).toThrow(/`warmup_s`: Too small/);
    expect(CONFIG_DESCRIPTIONS.warmup_s).toMatch(/default: 10 % of duration, ≤ 10 s$/);
    // Fields keep schema order whether or not the warm-up was given (run.json stays stable).
    expect(Object.keys(parseWorkloadConfig({ duration_s: 30 }))).toEqual(CONFIG_FIELDS);
    expect(Object.keys(parseWorkloadConfig({ warmup_s: 1, duration_s: 30 }))).toEqual(CONFIG_FIELDS);
  });

  it('checks relations between fields', () => {
    expect(() => parseWorkloadConfig({ duration_s: 10, warmup_s: 10 })).toThrow(/warmup_s must be less than duration_s/);
    expect(() => parseWorkloadConfig({ num_writers: 0, num_readers: 0 })).toThrow(/at least one writer or reader/);
    expect(() => parseWorkloadConfig({ retry_backoff_ms: 10, retry_backoff_max_ms: 5 })).toThrow(/retry_backoff_ms must not exceed/);
    expect(() => parseWorkloadConfig({ seed: 1.5 })).toThrow(/`seed`/);
    expect(() => parseWorkloadConfig({ num_writers: '2' })).toThrow(/`num_writers`: Invalid input: expected number/);
  });
});
