/**
 * `merge`: combine the output directories of `sweep --shard i/n` runs into one result set,
 * identical to what the unsharded sweep writes (same config directories, `results.csv`,
 * `runs.csv`, `summary.json` files and `sweep.json`).
 */
import { appendRunIndex } from './run-index.js';
import { cp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { codeVersion } from './code-version.js';
import { ensureWritableDir } from './files.js';
import type { ConfigSummary } from './pool.js';
import { type RunDocument, readRunDocument } from './run-output.js';
import { canonicalJson, expandSweep, parseSweepDefinition, type SweepDefinition } from './sweep-file.js';
import { replicaDir, type Shard, type ShardMarker, SWEEP_JSON, writeSweepResults } from './sweep-runner.js';
import { UserError } from './user-error.js';

const USAGE = 'pass every output directory of one `manifest-lab sweep --shard i/n` run (all n of them, same sweep file and build)';

/** Parse `--shard i/n` (0-based: 0 ≤ i < n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m === null ? Number.NaN : Number(m[1]);
  const count = m === null ? Number.NaN : Number(m[2]);
  if (!(count >= 1 && index < count && Number.isSafeInteger(count))) {
    throw new UserError(
      `--shard ${text} is not a shard: write it as i/n, two whole numbers with 0 <= i < n (shards are 0-based, so four shards are --shard 0/4, 1/4, 2/4 and 3/4); shard i runs the configurations whose index is i modulo n.`,
    );
  }
  return { index, count };
}

interface ShardDir {
  readonly dir: string;
  readonly definition: SweepDefinition;
  readonly shard: ShardMarker;
  readonly configs: readonly { readonly id: string; readonly replicas: number }[];
}

async function readShardDir(dir: string): Promise<ShardDir> {
  const file = join(dir, SWEEP_JSON);
  let doc: { schema?: unknown; definition?: unknown; shard?: ShardMarker; configs?: { id: string; replicas: number }[] };
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UserError(`${dir} is not a finished sweep shard: ${file} cannot be read (${why}); ${USAGE}.`);
  }
  if (doc.schema !== 'manifest-lab/sweep@2' || !Array.isArray(doc.configs)) {
    throw new UserError(`${file} is not a manifest-lab sweep@2 document; ${USAGE}.`);
  }
  if (doc.shard === undefined) {
    throw new UserError(`${dir} holds an unsharded sweep (its sweep.json has no "shard" marker), which needs no merging; ${USAGE}.`);
  }
  return { dir, definition: parseSweepDefinition(doc.definition, file), shard: doc.shard, configs: doc.configs };
}

export interface MergeOutcome {
  readonly definition: SweepDefinition;
  readonly shards: number;
  readonly summaries: ConfigSummary[];
  readonly docs: RunDocument[];
}

/**
 * Check that `dirs` are all the shards of one sweep made by this build, copy their
 * configuration directories into `outDir`, and write the sweep's results from the copied
 * `run.json` files with the runner's own pooling and CSV code.
 */
export async function mergeShards(dirs: readonly string[], outDir: string): Promise<MergeOutcome> {
  if (dirs.length === 0) throw new UserError(`merge needs shard directories; ${USAGE}.`);
  if (dirs.some((d) => resolve(d) === resolve(outDir))) {
    throw new UserError(`--out ${outDir} is also one of the shard directories; merge into a new directory, e.g. --out results/merged.`);
  }
  const shards = await Promise.all(dirs.map(readShardDir));
  const [first] = shards as [ShardDir, ...ShardDir[]];
  const defJson = canonicalJson(first.definition);
  for (const s of shards) {
    if (canonicalJson(s.definition) !== defJson) {
      throw new UserError(
        `${s.dir} and ${first.dir} are shards of different sweeps (their sweep.json definitions differ: "${s.definition.name}" vs "${first.definition.name}"); ${USAGE}.`,
      );
    }
    if (s.shard.count !== first.shard.count) {
      throw new UserError(`${s.dir} is shard ${s.shard.index}/${s.shard.count} but ${first.dir} is shard ${first.shard.index}/${first.shard.count}: they split the sweep differently; ${USAGE}.`);
    }
    if (s.shard.code !== first.shard.code) {
      throw new UserError(`${s.dir} and ${first.dir} were made by different builds (code ${s.shard.code} vs ${first.shard.code}), so their results do not belong together; rerun the shards from one build.`);
    }
  }
  const n = first.shard.count;
  const byIndex = new Map<number, ShardDir>();
  for (const s of shards) {
    const other = byIndex.get(s.shard.index);
    if (other !== undefined) throw new UserError(`${other.dir} and ${s.dir} are both shard ${s.shard.index}/${n} (overlapping shards); pass each shard once.`);
    byIndex.set(s.shard.index, s);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new UserError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} of sweep ${first.definition.name} ${missing.length > 1 ? 'are' : 'is'} missing (got ${[...byIndex.keys()].sort((a, b) => a - b).map((i) => `${i}/${n}`).join(', ')}); ${USAGE}.`,
    );
  }
  if (first.shard.code !== codeVersion()) {
    throw new UserError(
      `the shards were made by code ${first.shard.code} but this manifest-lab is code ${codeVersion()}; merge with the same build that ran the shards (same commit, \`pnpm build\`) so the pooled results match an unsharded run.`,
    );
  }
  await ensureWritableDir(outDir, '--out', { create: true });
  const points = expandSweep(first.definition);
  const merged: { point: (typeof points)[number]; docs: Map<number, RunDocument> }[] = [];
  for (const point of points) {
    const s = byIndex.get(point.index % n) as ShardDir;
    const entry = s.configs.find((c) => c.id === point.id);
    if (entry === undefined) {
      throw new UserError(`${s.dir} lacks configuration ${point.id}, which its sweep definition puts in shard ${s.shard.index}/${n}; rerun that shard to finish it.`);
    }
    await cp(join(s.dir, point.id), join(outDir, point.id), { recursive: true });
    const docs = new Map<number, RunDocument>();
    for (let r = 0; r < entry.replicas; r++) {
      const doc = await readRunDocument(join(outDir, point.id, replicaDir(r)));
      if (doc === null) {
        throw new UserError(`${join(s.dir, point.id, replicaDir(r))} has no readable run.json from this build; rerun shard ${s.shard.index}/${n} to finish it.`);
      }
      docs.set(r, doc);
    }
    merged.push({ point, docs });
  }
  const { summaries, docs } = await writeSweepResults(outDir, first.definition, merged);
  // The shards appended nothing to the trend index; the merged result does, once.
  await appendRunIndex(outDir, summaries);
  return { definition: first.definition, shards: n, summaries, docs };
}
