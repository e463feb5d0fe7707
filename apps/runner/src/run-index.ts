/**
 * `<results root>/index.jsonl`: one line per configuration of every finished sweep (and
 * baseline), for trend tracking across commits. The root is the parent of the sweep's output
 * directory (`results/` for `results/<sweep>`).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RealClock } from '@manifest-lab/manifest-core';
import { codeVersion } from './code-version.js';
import type { ConfigSummary } from './pool.js';
import { canonicalJson } from './sweep-file.js';

export const INDEX_JSONL = 'index.jsonl';

export interface IndexLine {
  readonly schema: 'manifest-lab/index@1';
  readonly time: string;
  readonly commit: string | null;
  readonly code: string;
  readonly sweep: string;
  readonly config_id: string;
  readonly config_hash: string;
  readonly replicas: number;
  readonly txn_failure_rate: number | null;
  readonly txn_failure_rate_lo: number | null;
  readonly txn_failure_rate_hi: number | null;
  readonly precondition_failure_rate: number | null;
  readonly write_tps: number | null;
  readonly write_p99_ms: number | null;
  readonly isolation_valid: boolean | 'unknown';
}

/**
 * A hash of the configuration without its seed: equal for the same configuration in any
 * sweep, so trends (and `compare`) can follow one configuration across runs.
 */
export function configHash(config: Readonly<Record<string, unknown>>): string {
  const { seed: _seed, ...rest } = config;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 16);
}

/** `git rev-parse HEAD` in the current directory, or null (no git, not a repository). */
export function gitCommit(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { timeout: 5000, windowsHide: true }, (err, stdout) => {
      const sha = String(stdout ?? '').trim();
      resolve(err === null && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null);
    });
  });
}

export function indexLines(summaries: readonly ConfigSummary[], time: string, commit: string | null, code: string): IndexLine[] {
  return summaries.map((s) => ({
    schema: 'manifest-lab/index@1',
    time,
    commit,
    code,
    sweep: s.sweep,
    config_id: s.id,
    config_hash: configHash(s.config as unknown as Record<string, unknown>),
    replicas: s.replicas,
    txn_failure_rate: s.rates.txn_failure_rate.value,
    txn_failure_rate_lo: s.rates.txn_failure_rate.lo,
    txn_failure_rate_hi: s.rates.txn_failure_rate.hi,
    precondition_failure_rate: s.rates.precondition_failure_rate.value,
    write_tps: s.throughput.write_tps.value,
    write_p99_ms: s.latency.write_p99_ms.value,
    isolation_valid: s.isolation.valid,
  }));
}

/**
 * Append the sweep's lines to `<parent of outDir>/index.jsonl` with one `appendFile` call, so
 * concurrent sweeps never interleave within a line. A failure only warns: the sweep's own
 * results are already written.
 */
export async function appendRunIndex(outDir: string, summaries: readonly ConfigSummary[]): Promise<void> {
  if (summaries.length === 0) return;
  const path = join(dirname(outDir), INDEX_JSONL);
  try {
    const lines = indexLines(summaries, new Date(new RealClock().wallNow()).toISOString(), await gitCommit(), codeVersion());
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  } catch (err) {
    process.stderr.write(`manifest-lab: warning: could not append to ${path}: ${(err as Error).message}\n`);
  }
}
