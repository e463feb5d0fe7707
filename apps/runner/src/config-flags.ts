import { GC_MODES, LATENCY_PROFILE_NAMES, PROFILES } from '@manifest-lab/manifest-core';
import {
  ARRIVALS,
  CONFIG_DESCRIPTIONS,
  CONFIG_FIELDS,
  ConfigError,
  defaultWorkloadConfig,
  parseWorkloadConfig,
  RETRY_BACKOFFS,
  TIME_MODES,
  type WorkloadConfig,
} from '@manifest-lab/workload';
import type { Argv } from 'yargs';
import { UserError } from './user-error.js';

const CHOICES: Partial<Record<keyof WorkloadConfig, readonly string[]>> = {
  retry_backoff: RETRY_BACKOFFS,
  arrival: ARRIVALS,
  time: TIME_MODES,
  latency_profile: LATENCY_PROFILE_NAMES,
  profile: PROFILES,
  compact_gc: GC_MODES,
};

export function flagName(field: string): string {
  return field.replaceAll('_', '-');
}

/**
 * A field's help text and default. A description ending in `; default: RULE` has a derived
 * default (e.g. `warmup_s` follows `duration_s`): the rule is shown, not the baseline's value.
 */
function helpText(field: keyof WorkloadConfig, def: unknown): string {
  const description = CONFIG_DESCRIPTIONS[field] ?? '';
  const rule = /^(.*); default: (.+)$/.exec(description);
  return rule === null ? `${description} [default: ${def}]` : `${rule[1]} [default: ${rule[2]}]`;
}

/** One `--kebab-case` option per config field, documented with its default. */
export function withConfigOptions<T>(y: Argv<T>): Argv<T> {
  const defaults = defaultWorkloadConfig();
  let out = y;
  for (const field of CONFIG_FIELDS) {
    const def = defaults[field];
    const choices = CHOICES[field];
    out = out.option(flagName(field), {
      group: 'Workload (defaults: the reference baseline):',
      describe: helpText(field, def),
      type: typeof def === 'number' ? 'number' : 'string',
      ...(choices === undefined ? {} : { choices: [...choices] }),
    }) as Argv<T>;
  }
  return out;
}

/** The config the flags describe: given flags over `base`, defaults for the rest. */
export function configFromFlags(argv: Record<string, unknown>, base: Record<string, unknown> = {}): WorkloadConfig {
  const given: Record<string, unknown> = { ...base };
  for (const field of CONFIG_FIELDS) {
    const v = argv[flagName(field)];
    if (v !== undefined) given[field] = v;
  }
  try {
    return parseWorkloadConfig(given, 'options');
  } catch (err) {
    if (err instanceof ConfigError) {
      const msg = err.issues.map((i) => i.replace(/`([a-z0-9_]+)`/g, (_, f: string) => `--${flagName(f)}`)).join('; ');
      throw new UserError(`Invalid options: ${msg}. Run with --help to see each option and its default.`);
    }
    throw err;
  }
}

/** Real backends run in real time: virtual time cannot wait on a network or a disk. */
export function realTimeFor(backend: { kind: string }, argv: Record<string, unknown>): Record<string, unknown> {
  if (backend.kind === 'memory') return {};
  if (argv.time === 'virtual') {
    throw new UserError(`--backend ${backend.kind} runs in real time (virtual time cannot wait on I/O); drop --time virtual.`);
  }
  return { time: 'real' };
}

/** Refuse a count flag that is not a whole number of at least `min` (one paragraph, exit 2). */
export function requireWholeNumber(flag: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new UserError(`${flag} must be a whole number of at least ${min}, got ${value}.`);
}
