/**
 * The configuration of one experiment, validated with zod. Field names are snake_case because
 * they are what sweep files, CSV columns and `run.json` use.
 */
import { GC_MODES, type GcMode, LATENCY_PROFILE_NAMES, type LatencyProfileName, PROFILES, type Profile } from '@manifest-lab/manifest-core';
import { z } from 'zod';

export const RETRY_BACKOFFS = ['none', 'fixed', 'exponential', 'exponential-jitter', 'decorrelated-jitter', 'adaptive'] as const;
export type RetryBackoff = (typeof RETRY_BACKOFFS)[number];
export const ARRIVALS = ['poisson', 'uniform'] as const;
export const TIME_MODES = ['virtual', 'real'] as const;

/** How the warm-up defaults when a config leaves `warmup_s` out. */
export const WARMUP_DEFAULT_RULE = '10 % of duration, ≤ 10 s';

/** The default warm-up for a run of `durationS` seconds: 10 % of it, at most 10 s. */
export function defaultWarmupS(durationS: number): number {
  return Math.min(10, durationS / 10);
}

const rate = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

const fieldsSchema = z
  .object({
    num_writers: count.max(1024).default(2).describe('writer clients'),
    writer_rate: rate.default(0.1).describe('write transactions per second, per writer (arrival rate)'),
    num_readers: count.max(1024).default(10).describe('reader clients'),
    reader_rate: rate.default(5).describe('read transactions per second, per reader'),
    key_overlap_ratio: z.number().min(0).max(1).default(0.2).describe('share of key choices drawn from the shared pool'),
    keys_per_writer: z.number().int().positive().default(10).describe('private keys per writer'),
    shared_keys: z.number().int().positive().default(10).describe('keys in the shared pool'),
    ops_per_txn: z.number().int().positive().max(64).default(2).describe('keys read and appended per write transaction; keys read per read transaction'),
    value_bytes: count.max(1_000_000).default(64).describe('padding bytes stored with each value'),
    duration_s: z.number().positive().max(86_400).default(120).describe('length of the arrival schedule, seconds'),
    warmup_s: z
      .number()
      .nonnegative()
      .optional()
      .describe(`initial seconds excluded from metrics (kept in the history); default: ${WARMUP_DEFAULT_RULE}`),
    max_retry_count: count.max(100).default(3).describe('retries of a write transaction after PreconditionFailed'),
    retry_backoff: z.enum(RETRY_BACKOFFS).default('exponential-jitter').describe('sleep between retries'),
    retry_backoff_ms: z.number().nonnegative().default(50).describe('base retry sleep, ms'),
    retry_backoff_max_ms: z.number().nonnegative().default(2000).describe('cap on a retry sleep, ms'),
    reader_scan_ratio: z.number().min(0).max(1).default(0.1).describe('share of read transactions that scan instead of point reads'),
    arrival: z.enum(ARRIVALS).default('poisson').describe('arrival process'),
    max_backlog: z.number().int().positive().default(10).describe('overdue arrivals a busy client keeps; older ones are dropped'),
    lease_ttl_ms: z.number().int().positive().default(60_000).describe('lease TTL, ms'),
    compact_interval_s: z.number().nonnegative().default(0).describe('a compactor publishes a checkpoint this often, seconds (0 = no compactor)'),
    latency_profile: z
      .enum(LATENCY_PROFILE_NAMES as [LatencyProfileName, ...LatencyProfileName[]])
      .default('s3-standard')
      .describe('simulated storage latency of the embedded store'),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1).describe('seed of every random choice'),
    time: z.enum(TIME_MODES).default('virtual').describe('virtual (simulated) or real time'),
    profile: z.enum(PROFILES as [Profile, ...Profile[]]).default('fusio-0.5').describe('manifest algorithms'),
    // Research knobs (issue 11). Each default is the behaviour from before the knob existed.
    compact_gc: z
      .enum(GC_MODES as unknown as [GcMode, ...GcMode[]])
      .default('none')
      .describe('garbage collection after each checkpoint of the compact_interval_s compactor: none | inline (compact_and_gc) | three-phase'),
    remote_writers: count.max(1024).default(0).describe('how many writers (writer-0, writer-1, …) are remote'),
    remote_latency_ms: z.number().finite().nonnegative().max(60_000).default(0).describe('round trip added to every request of a remote writer, ms (half each way)'),
    orphan_recovery_every: z.number().int().min(1).max(1_000_000).default(1).describe('run orphan recovery on 1 in N write sessions (1 = every one, as fusio-manifest 0.5)'),
    writer_crash_prob: z.number().min(0).max(1).default(0).describe('probability that a writer process dies between its segment PUT and its HEAD CAS (it restarts at once)'),
    head_cache_ms: z.number().finite().nonnegative().max(3_600_000).default(0).describe('a client reuses the HEAD (body + ETag) it last read or wrote for this long, ms (0 = GET it every time)'),
    // Issue 12.
    max_clock_skew_ms: z
      .number()
      .int()
      .nonnegative()
      .max(3_600_000)
      .default(1000)
      .describe('strict profiles: the largest wall-clock difference between hosts the manifest tolerates, ms (lease expiry and GC grace get this margin; fusio-0.5 ignores it)'),
  })
  .strict();

/**
 * Fields added after sweep seeds were first derived from the whole config: at their defaults
 * they are left out of a config's seed identity (`seedIdentity`), so adding a knob leaves every
 * existing sweep's seeds, directories and results unchanged.
 */
const LATER_FIELDS = ['compact_gc', 'remote_writers', 'remote_latency_ms', 'orphan_recovery_every', 'writer_crash_prob', 'head_cache_ms', 'max_clock_skew_ms'] as const;

const CONFIG_KEYS = Object.keys(fieldsSchema.shape) as (keyof z.output<typeof fieldsSchema>)[];

/** Field, default and meaning; the defaults are the reference baseline. */
export const workloadConfigSchema = fieldsSchema
  // An omitted warm-up follows the run's length (fields stay in schema order either way).
  .transform(({ warmup_s, ...rest }) => {
    const filled = { ...rest, warmup_s: warmup_s ?? defaultWarmupS(rest.duration_s) };
    return Object.fromEntries(CONFIG_KEYS.map((k) => [k, filled[k]])) as typeof filled;
  })
  .refine((c) => c.warmup_s < c.duration_s, { message: 'warmup_s must be less than duration_s', path: ['warmup_s'] })
  .refine((c) => c.retry_backoff_ms <= c.retry_backoff_max_ms, {
    message: 'retry_backoff_ms must not exceed retry_backoff_max_ms',
    path: ['retry_backoff_ms'],
  })
  .refine((c) => c.num_writers + c.num_readers > 0, { message: 'at least one writer or reader is needed', path: ['num_writers'] })
  .refine((c) => c.remote_writers <= c.num_writers, {
    message: 'remote_writers must not exceed num_writers (it says how many of the writers are remote)',
    path: ['remote_writers'],
  })
  .refine((c) => c.compact_gc === 'none' || c.compact_interval_s > 0, {
    message: 'compact_gc needs a compactor: set compact_interval_s above 0',
    path: ['compact_gc'],
  });

export type WorkloadConfig = z.output<typeof workloadConfigSchema>;
export type WorkloadConfigInput = z.input<typeof workloadConfigSchema>;

/** The fields, in schema order: CSV columns and CLI flags come from this list. */
export const CONFIG_FIELDS = Object.keys(fieldsSchema.shape) as (keyof WorkloadConfig)[];

/** Each field's one-line description, for `--help`. */
export const CONFIG_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(fieldsSchema.shape).map(([k, v]) => [k, v.description ?? '']),
);

/** Bad configuration: the message names each bad field and what it accepts. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: readonly string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validate and fill in defaults, or throw a `ConfigError` listing every problem. */
export function parseWorkloadConfig(input: unknown, context = 'workload config'): WorkloadConfig {
  const result = workloadConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    const field = i.path.length > 0 ? i.path.join('.') : '(config)';
    if (i.code === 'unrecognized_keys') {
      return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `\`${k}\``).join(', ')} (known: ${CONFIG_FIELDS.join(', ')})`;
    }
    return `\`${field}\`: ${i.message}`;
  });
  throw new ConfigError(`Invalid ${context}: ${issues.join('; ')}.`, issues);
}

/** The config without the later fields that are at their defaults: what a sweep derives seeds from. */
export function seedIdentity<T extends Partial<WorkloadConfig>>(config: T): Partial<T> {
  const defaults = defaultWorkloadConfig() as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(config).filter(([k, v]) => !(LATER_FIELDS as readonly string[]).includes(k) || v !== defaults[k]),
  ) as Partial<T>;
}

export function defaultWorkloadConfig(): WorkloadConfig {
  return parseWorkloadConfig({});
}
