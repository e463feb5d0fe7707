import { createHash } from 'node:crypto';
import { deriveSeed } from '@manifest-lab/manifest-core';
import { CONFIG_FIELDS, ConfigError, parseWorkloadConfig, type WorkloadConfig } from '@manifest-lab/workload';
import { z } from 'zod';
import { readInput } from './read-input.js';
import { UserError } from './user-error.js';

/** A sweep file: fixed config fields plus axes whose cartesian product is run. */
export interface SweepDefinition {
  readonly name: string;
  readonly seed: number;
  readonly fixed: Readonly<Record<string, unknown>>;
  readonly axes: Readonly<Record<string, readonly unknown[]>>;
}

/** One configuration of a sweep. */
export interface SweepPoint {
  readonly index: number;
  /** Directory name: index plus a hash of the full config, so an edited sweep never reuses stale results. */
  readonly id: string;
  readonly config: WorkloadConfig;
  readonly axisValues: Readonly<Record<string, unknown>>;
}

const sweepSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" and "-" (it names a directory)'),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    fixed: z.record(z.string(), z.unknown()).default({}),
    axes: z.record(z.string(), z.array(z.unknown()).min(1, 'an axis needs at least one value')).default({}),
    description: z.string().optional(),
  })
  .strict();

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
      `Sweep file ${source} is malformed: ${issues.join('; ')}. A sweep file is {"name", "seed", "fixed": {<config fields>}, "axes": {<config field>: [values]}}.`,
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
  return { name: def.name, seed: def.seed, fixed: def.fixed, axes: def.axes };
}

/**
 * The grid, first axis slowest. Each config gets a seed derived from the sweep seed and its
 * axis values (unless `seed` is itself an axis), so adding an axis value leaves the others'
 * seeds — and results — unchanged.
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
    const seed = 'seed' in axisValues || 'seed' in def.fixed ? undefined : deriveSeed(def.seed, canonicalJson(axisValues));
    let config: WorkloadConfig;
    try {
      config = parseWorkloadConfig(
        { ...def.fixed, ...axisValues, ...(seed === undefined ? {} : { seed }) },
        `config #${index} ${canonicalJson(axisValues)} of sweep ${source}`,
      );
    } catch (err) {
      if (err instanceof ConfigError) throw new UserError(`${err.message} Fix the sweep file and run again.`);
      throw err;
    }
    const hash = createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 8);
    return { index, id: `${String(index).padStart(3, '0')}-${hash}`, config, axisValues };
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
