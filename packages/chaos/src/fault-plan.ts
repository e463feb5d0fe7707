/**
 * A fault plan: a schedule of fault windows over run time — what goes wrong, when, and to whom.
 * Plans are plain JSON (validated with zod), compose by concatenation, and are generated from a
 * seed, so a chaos run replays from (seed, config, plan, code) like any other run.
 */
import { deriveSeed, REQUEST_KINDS, type RequestKind, SeededRandom } from '@manifest-lab/manifest-core';
import { z } from 'zod';

/** What a window does to the requests it matches. */
export type Fault =
  /** Add delay before each request: a fixed amount, or lognormal with this median and p99. */
  | { readonly kind: 'latency'; readonly ms: number; readonly p99_ms?: number }
  /**
   * The service is unreachable: `blackhole` requests hang until the window ends and then time
   * out (nothing applied); `reset` requests fail at once (nothing applied).
   */
  | { readonly kind: 'outage'; readonly mode: 'blackhole' | 'reset' }
  /** A share of requests fail before taking effect: 503 SlowDown, 500, or a timeout. */
  | { readonly kind: 'errors'; readonly rate: number; readonly error: 'slowdown' | 'internal' | 'timeout' }
  /** A share of requests take effect but their response is lost: the caller sees a timeout. */
  | { readonly kind: 'ambiguous'; readonly rate: number }
  /**
   * CPU overload, as a model for virtual time: `threads` busy loops at `duty` share the host's
   * `cores` with the clients, so each client step (modelled as `work_ms` of CPU per request:
   * encoding, hashing, parsing) takes (cores + threads·duty) / cores times as long — processor
   * sharing. The extra time is added before each request.
   */
  | { readonly kind: 'cpu'; readonly threads: number; readonly duty: number; readonly cores: number; readonly work_ms: number }
  /**
   * Bytes on the wire are limited to `bytes_per_s` (each way): in the TCP fault proxy a real
   * throttle; at the store seam, each request waits for its body to pass at that rate.
   */
  | { readonly kind: 'bandwidth'; readonly bytes_per_s: number }
  /**
   * The client process stalls (a GC pause, a descheduled VM, SIGSTOP): the first matching
   * request of each client in the window waits `ms` before it is sent. Longer than the lease
   * TTL, between segment PUT and HEAD CAS, it reproduces §6.1.
   */
  | { readonly kind: 'pause'; readonly ms: number }
  /**
   * The client process dies at its first matching request in the window — `after` that request
   * took effect (a segment PUT that landed) or `before` it was sent — without any cleanup (its
   * lease stays), and a new process takes its place `restart_ms` later.
   */
  | { readonly kind: 'crash'; readonly when: 'before' | 'after'; readonly restart_ms: number }
  /** The client's wall clock (lease stamps and expiry checks) runs `ms` ahead (or behind, if negative). */
  | { readonly kind: 'skew'; readonly ms: number }
  /**
   * Compaction (and GC) during the workload: `compactors` processes (`compactor-0`, …) each
   * publish a checkpoint every `every_s` — and, with `gc: 'inline'`, delete the segments it
   * covers (`compact_and_gc`); with `gc: 'three-phase'`, run gc_compute, gc_apply and
   * gc_delete_and_reset after it. `min_ttl_ms` shortens the checkpoint and segment retention
   * (default: the crate's 60 s and 30 s).
   */
  | {
      readonly kind: 'compaction';
      readonly every_s: number;
      readonly compactors: number;
      readonly gc: 'none' | 'inline' | 'three-phase';
      readonly min_ttl_ms?: number;
    };

/** Which requests a window touches; an omitted field matches everything. */
export interface FaultTarget {
  /** Client names, e.g. `writer-0`, `reader-3` (a partition cuts only these). */
  readonly clients?: readonly string[];
  readonly kinds?: readonly RequestKind[];
  /** Only keys containing this text, e.g. `/segments/` or `HEAD.json`. */
  readonly key_contains?: string;
}

export interface FaultWindow {
  /** Run time, seconds; the window is [start_s, end_s). */
  readonly start_s: number;
  readonly end_s: number;
  readonly fault: Fault;
  readonly target?: FaultTarget;
  /** A name for plots and nemesis entries. */
  readonly label: string;
}

export interface FaultPlan {
  readonly name: string;
  readonly windows: readonly FaultWindow[];
}

const rate = z.number().min(0).max(1);
const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('latency'), ms: z.number().nonnegative(), p99_ms: z.number().positive().optional() }).strict(),
  z.object({ kind: z.literal('outage'), mode: z.enum(['blackhole', 'reset']) }).strict(),
  z.object({ kind: z.literal('errors'), rate, error: z.enum(['slowdown', 'internal', 'timeout']) }).strict(),
  z.object({ kind: z.literal('ambiguous'), rate }).strict(),
  z
    .object({
      kind: z.literal('cpu'),
      threads: z.number().int().positive(),
      duty: z.number().gt(0).max(1),
      cores: z.number().int().positive(),
      work_ms: z.number().positive(),
    })
    .strict(),
  z.object({ kind: z.literal('bandwidth'), bytes_per_s: z.number().positive() }).strict(),
  z.object({ kind: z.literal('pause'), ms: z.number().nonnegative() }).strict(),
  z.object({ kind: z.literal('crash'), when: z.enum(['before', 'after']).default('after'), restart_ms: z.number().nonnegative().default(1000) }).strict(),
  z.object({ kind: z.literal('skew'), ms: z.number() }).strict(),
  z
    .object({
      kind: z.literal('compaction'),
      every_s: z.number().positive(),
      compactors: z.number().int().positive().max(16).default(1),
      gc: z.enum(['none', 'inline', 'three-phase']).default('none'),
      min_ttl_ms: z.number().int().nonnegative().optional(),
    })
    .strict(),
]);

/** The extra time per request under a `cpu` fault (see `Fault`). */
export function cpuSlowdownMs(f: { threads: number; duty: number; cores: number; work_ms: number }): number {
  return f.work_ms * ((f.cores + f.threads * f.duty) / f.cores - 1);
}
const windowSchema = z
  .object({
    start_s: z.number().nonnegative(),
    end_s: z.number().positive(),
    fault: faultSchema,
    target: z
      .object({
        clients: z.array(z.string().regex(/^(writer|reader|compactor)-\d+$/, 'a client is writer-N, reader-N or compactor-N')).min(1).optional(),
        kinds: z.array(z.enum([...REQUEST_KINDS] as [RequestKind, ...RequestKind[]])).min(1).optional(),
        key_contains: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    label: z.string().min(1),
  })
  .strict()
  .refine((w) => w.end_s > w.start_s, { message: 'end_s must be after start_s', path: ['end_s'] })
  .refine((w) => w.fault.kind !== 'latency' || w.fault.p99_ms === undefined || w.fault.p99_ms >= w.fault.ms, {
    message: 'p99_ms must be at least ms (the median)',
    path: ['fault', 'p99_ms'],
  });
const planSchema = z.object({ name: z.string().min(1), windows: z.array(windowSchema) }).strict();

export class FaultPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultPlanError';
  }
}

/** Validate a plan (e.g. parsed from a file); the error names every bad field. */
export function parseFaultPlan(json: unknown, source = 'fault plan'): FaultPlan {
  const parsed = planSchema.safeParse(json);
  if (parsed.success) return parsed.data as FaultPlan;
  const issues = parsed.error.issues.map((i) => `\`${i.path.join('.') || '(top level)'}\`: ${i.message}`);
  throw new FaultPlanError(`Invalid ${source}: ${issues.join('; ')}.`);
}

/** Serialise with windows in start order and fields in one order: a plan always gives the same bytes. */
export function faultPlanToJson(plan: FaultPlan): string {
  const windows = sortWindows(plan.windows).map((w) => ({
    label: w.label,
    start_s: w.start_s,
    end_s: w.end_s,
    fault: canonical(w.fault as unknown as Record<string, unknown>, ['kind', 'mode', 'ms', 'p99_ms', 'rate', 'error', 'threads', 'duty', 'cores', 'work_ms', 'bytes_per_s', 'when', 'restart_ms', 'every_s', 'compactors', 'gc', 'min_ttl_ms']),
    ...(w.target === undefined ? {} : { target: canonical(w.target as unknown as Record<string, unknown>, ['clients', 'kinds', 'key_contains']) }),
  }));
  return `${JSON.stringify({ name: plan.name, windows }, null, 2)}\n`;
}

function canonical(o: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(order.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** Several plans as one: every window of each, in start order. */
export function composePlans(name: string, ...plans: readonly FaultPlan[]): FaultPlan {
  return { name, windows: sortWindows(plans.flatMap((p) => p.windows)) };
}

/** One window over the whole run (or `[start_s, end_s)`). */
export function constantFault(label: string, fault: Fault, durationS: number, target?: FaultTarget, startS = 0): FaultPlan {
  return { name: label, windows: [{ start_s: startS, end_s: durationS, fault, label, ...(target === undefined ? {} : { target }) }] };
}

/**
 * `count` non-overlapping outages of `lengthS` seconds at seeded random times inside
 * [`fromS`, `durationS`) — the reference's "3 random 10-second outages".
 */
export function randomOutages(
  seed: number,
  opts: { durationS: number; count: number; lengthS: number; fromS?: number; mode?: 'blackhole' | 'reset'; target?: FaultTarget },
): FaultPlan {
  const from = opts.fromS ?? 0;
  const slack = opts.durationS - from - opts.count * opts.lengthS;
  if (opts.count < 0 || opts.lengthS <= 0 || slack < 0) {
    throw new FaultPlanError(
      `${opts.count} outages of ${opts.lengthS} s do not fit in ${opts.durationS - from} s; shorten them or lengthen the run.`,
    );
  }
  // Spread the free time over count+1 gaps by sorted uniform cut points: every placement of
  // non-overlapping windows is equally likely.
  const random = new SeededRandom(deriveSeed(seed, 'random-outages'));
  const cuts = Array.from({ length: opts.count }, () => random.next() * slack).sort((a, b) => a - b);
  const mode = opts.mode ?? 'blackhole';
  const windows = cuts.map((cut, i): FaultWindow => {
    const start = round3(from + cut + i * opts.lengthS);
    return {
      start_s: start,
      end_s: round3(start + opts.lengthS),
      fault: { kind: 'outage', mode },
      label: `outage ${i + 1} (${mode})`,
      ...(opts.target === undefined ? {} : { target: opts.target }),
    };
  });
  return { name: `${opts.count} random ${opts.lengthS}-second outages`, windows };
}

/** The plan's windows as the workload records them (nemesis entries, split metrics). */
export function faultWindowRecords(plan: FaultPlan): { label: string; start_s: number; end_s: number }[] {
  return sortWindows(plan.windows).map((w) => ({ label: w.label, start_s: w.start_s, end_s: w.end_s }));
}

/** Whether `w` applies to a request of `kind` on `key` by `client` at run time `ms`. */
export function windowApplies(w: FaultWindow, ms: number, client: string, kind: RequestKind, key: string): boolean {
  if (ms < w.start_s * 1000 || ms >= w.end_s * 1000) return false;
  const t = w.target;
  if (t === undefined) return true;
  return (
    (t.clients === undefined || t.clients.includes(client)) &&
    (t.kinds === undefined || t.kinds.includes(kind)) &&
    (t.key_contains === undefined || key.includes(t.key_contains))
  );
}

function sortWindows(windows: readonly FaultWindow[]): FaultWindow[] {
  return [...windows].sort((a, b) => a.start_s - b.start_s || a.end_s - b.end_s || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
