import { createHash } from 'node:crypto';
import { HAZARD_NAMES } from '@manifest-lab/chaos';
import { deriveSeed } from '@manifest-lab/manifest-core';
import { CONFIG_FIELDS, ConfigError, parseWorkloadConfig, seedIdentity, type WorkloadConfig } from '@manifest-lab/workload';
import { z } from 'zod';
import { readInput } from './read-input.js';
import type { SoakSettings } from './soak/soak-run.js';
import { UserError } from './user-error.js';

/** A sweep file: fixed config fields plus axes whose cartesian product is run. */
export interface SweepDefinition {
  readonly name: string;
  readonly seed: number;
  readonly fixed: Readonly<Record<string, unknown>>;
  readonly axes: Readonly<Record<string, readonly unknown[]>>;
  /** Replicas per configuration, each with its own derived seed. */
  readonly replicas: number;
  /** Keep adding replicas to a configuration until it has this many write attempts (0 = off)… */
  readonly min_write_attempts: number;
  /** …but never more replicas than this. */
  readonly max_replicas: number;
  /** Soak runs: buckets of run time sampled, history spilled to disk (see `manifest-lab soak`). */
  readonly soak?: SoakSettings;
  /**
   * After the sweep, run every hazard scenario (or those in `scenarios`) under each profile the
   * sweep covers, `seeds` runs each, into `<out>/hazards/<profile>/` (what `chaos --scenarios
   * hazards --all-profiles` runs).
   */
  readonly hazards?: { readonly seeds: number; readonly scenarios?: readonly string[] };
}

export const DEFAULT_MAX_REPLICAS = 64;

/** One configuration of a sweep. */
export interface SweepPoint {
  readonly index: number;
  /** Directory name: index plus a hash of the full config, so an edited sweep never reuses stale results. */
  readonly id: string;
  /** The configuration, with replica 0's seed. */
  readonly config: WorkloadConfig;
  readonly axisValues: Readonly<Record<string, unknown>>;
  /** The seed of replica `r` (0-based). */
  readonly replicaSeed: (replica: number) => number;
}

const sweepSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" and "-" (it names a directory)'),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    fixed: z.record(z.string(), z.unknown()).default({}),
    axes: z.record(z.string(), z.array(z.unknown()).min(1, 'an axis needs at least one value')).default({}),
    replicas: z.number().int().min(1).max(10_000).default(1),
    min_write_attempts: z.number().int().min(0).max(10_000_000).default(0),
    max_replicas: z.number().int().min(1).max(10_000).default(DEFAULT_MAX_REPLICAS),
    description: z.string().optional(),
    soak: z.object({ bucket_s: z.number().min(1, 'a bucket is at least 1 s').max(86_400) }).strict().optional(),
    hazards: z
      .object({
        seeds: z.number().int().min(1).max(1000),
        scenarios: z.array(z.enum(HAZARD_NAMES as [string, ...string[]])).min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((d) => d.replicas <= d.max_replicas, { message: 'replicas must not exceed max_replicas', path: ['replicas'] });

export async function readSweepFile(path: string): Promise<SweepDefinition> {
  const text = await readInput(path, 'sweep file', 'Check the path (sweep files live in sweeps/, e.g. sweeps/comprehensive.json).');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`Sweep file ${path} is not valid JSON: ${(err as Error).message}. Fix the syntax and run again.`);
  }
  return parseSweepDefinition(json, path);
}

export function parseSweepDefinition(json: unknown, source: string): SweepDefinition {
  const parsed = sweepSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `\`${i.path.join('.') || '(top level)'}\`: ${i.message}`);
    throw new UserError(
      `Sweep file ${source} is malformed: ${issues.join('; ')}. A sweep file is {"name", "seed", "fixed": {<config fields>}, "axes": {<config field>: [values]}, "replicas", "min_write_attempts", "max_replicas", optionally "soak": {"bucket_s": <seconds>} and "hazards": {"seeds": <runs per hazard scenario>, "scenarios": [<hazard names>]}}.`,
    );
  }
  const def = parsed.data;
  const unknown = [...Object.keys(def.fixed), ...Object.keys(def.axes)].filter(
    (k) => !(CONFIG_FIELDS as string[]).includes(k),
  );
  if (unknown.length > 0) {
    throw new UserError(
      `Sweep file ${source} names unknown config field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `\`${k}\``).join(', ')}. Known fields: ${CONFIG_FIELDS.join(', ')}.`,
    );
  }
  const both = Object.keys(def.axes).filter((k) => k in def.fixed);
  if (both.length > 0) {
    throw new UserError(`Sweep file ${source} sets ${both.map((k) => `\`${k}\``).join(', ')} both in "fixed" and in "axes"; keep one.`);
  }
  const result: SweepDefinition = {
    name: def.name,
    seed: def.seed,
    fixed: def.fixed,
    axes: def.axes,
    replicas: def.replicas,
    min_write_attempts: def.min_write_attempts,
    max_replicas: def.max_replicas,
    ...(def.soak === undefined ? {} : { soak: def.soak }),
    ...(def.hazards === undefined
      ? {}
      : { hazards: { seeds: def.hazards.seeds, ...(def.hazards.scenarios === undefined ? {} : { scenarios: def.hazards.scenarios }) } }),
  };
  if (result.soak !== undefined) checkSoakBuckets(result, `Sweep file ${source}`, '"soak": {"bucket_s"}');
  return result;
}

/**
 * Refuse a soak whose bucket is longer than some configuration's measured window: it would
 * sample nothing to compare. `what` names the input, `knob` the setting to change.
 */
export function checkSoakBuckets(def: SweepDefinition, what: string, knob: string): void {
  const bucket = def.soak?.bucket_s;
  if (bucket === undefined) return;
  for (const p of expandSweep(def)) {
    const measured = p.config.duration_s - p.config.warmup_s;
    if (bucket > measured) {
      throw new UserError(
        `${what} soaks in buckets of ${bucket} s, longer than the ${measured} s measured by config #${p.index} ${canonicalJson(p.axisValues)} (duration_s ${p.config.duration_s} minus warmup_s ${p.config.warmup_s}); set ${knob} to at most ${measured}, or lengthen the run.`,
      );
    }
  }
}

/**
 * The grid, first axis slowest. Replica `r` of a configuration runs with a seed derived from
 * the sweep seed, the configuration and `r` (unless the sweep fixes `seed` itself, which is
 * then replica 0's), so adding an axis value leaves the other configurations' seeds — and
 * results — unchanged, and `baseline --seed S` equals a sweep with seed S and no axes.
 */
export function expandSweep(def: SweepDefinition, source = def.name): SweepPoint[] {
  const axes = Object.entries(def.axes);
  const points: Record<string, unknown>[] = [{}];
  for (const [field, values] of axes) {
    const next: Record<string, unknown>[] = [];
    for (const p of points) for (const v of values) next.push({ ...p, [field]: v });
    points.splice(0, points.length, ...next);
  }
  return points.map((axisValues, index) => {
    let config: WorkloadConfig;
    try {
      config = parseWorkloadConfig({ ...def.fixed, ...axisValues }, `config #${index} ${canonicalJson(axisValues)} of sweep ${source}`);
    } catch (err) {
      if (err instanceof ConfigError) throw new UserError(`${err.message} Fix the sweep file and run again.`);
      throw err;
    }
    const explicitSeed = 'seed' in axisValues || 'seed' in def.fixed;
    const { seed: _given, ...seedless } = config;
    const seedKey = canonicalJson(seedIdentity(seedless));
    const replicaSeed = (replica: number): number => {
      if (explicitSeed) return replica === 0 ? config.seed : deriveSeed(config.seed, `replica ${replica}`);
      return deriveSeed(def.seed, `${seedKey}#${replica}`);
    };
    const hash = createHash('sha256').update(explicitSeed ? canonicalJson(seedIdentity(config)) : `${def.seed}/${seedKey}`).digest('hex').slice(0, 8);
    return { index, id: `${String(index).padStart(3, '0')}-${hash}`, config: { ...config, seed: replicaSeed(0) }, axisValues, replicaSeed };
  });
}

/** JSON with object keys sorted, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
