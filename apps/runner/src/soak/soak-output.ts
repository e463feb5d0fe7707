/** A soak run's files: `soak.csv` (one row per bucket) and `soak.json` (the analysis). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import type { SoakAnalysis } from './analysis.js';
import type { SoakBucket } from './buckets.js';

export const SOAK_CSV = 'soak.csv';
export const SOAK_JSON = 'soak.json';

/** Columns in order. Memory and wall time are measurements of the process: they differ between replays of a seed. */
export const SOAK_COLUMNS = [
  'index',
  'start_s',
  'end_s',
  'measured',
  'write_txns',
  'commits',
  'write_failures',
  'write_attempts',
  'read_txns',
  'read_errors',
  'write_p50_ms',
  'write_p99_ms',
  'read_p50_ms',
  'read_p99_ms',
  'head',
  'segments',
  'checkpoints',
  'leases_live',
  'leases_expired',
  'gc_objects',
  'other',
  'objects',
  'store_bytes',
  'decoded_segments',
  'decoded_checkpoints',
  'history_events',
  'heap_used_mb',
  'heap_live_mb',
  'rss_mb',
  'wall_s',
] as const satisfies readonly (keyof SoakBucket)[];

export function soakCsv(buckets: readonly SoakBucket[]): string {
  const rows = buckets.map((b) => SOAK_COLUMNS.map((c) => (b[c] === null ? '' : String(b[c]))).join(','));
  return `${[SOAK_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

export async function writeSoakOutput(dir: string, buckets: readonly SoakBucket[], analysis: SoakAnalysis): Promise<void> {
  await writeFileAtomic(join(dir, SOAK_CSV), soakCsv(buckets));
  await writeFileAtomic(join(dir, SOAK_JSON), `${JSON.stringify(analysis, null, 2)}\n`);
}

/** The analysis of the soak run in `dir`, or null if it has none. */
export async function readSoakAnalysis(dir: string): Promise<SoakAnalysis | null> {
  try {
    const doc = JSON.parse(await readFile(join(dir, SOAK_JSON), 'utf8')) as SoakAnalysis;
    return doc.schema === 'manifest-lab/soak@1' ? doc : null;
  } catch {
    return null;
  }
}
