/** Test helpers: the committed fixtures (see test-fixtures/README.md), loaded once. */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResults } from './load.js';
import type { ResultSets, SweepResult } from './types.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'lab');

let loaded: Promise<ResultSets> | undefined;
export function fixtures(): Promise<ResultSets> {
  loaded ??= loadResults(FIXTURES);
  return loaded;
}

export async function sweepNamed(name: string): Promise<SweepResult> {
  const s = (await fixtures()).sweeps.find((x) => x.name === name);
  if (s === undefined) throw new Error(`fixture sweep ${name} is missing`);
  return s;
}

/** A scratch copy of one fixture directory, to break. */
export async function scratchCopy(sub: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'report-test-'));
  await cp(join(FIXTURES, sub), join(dir, sub), { recursive: true });
  return dir;
}
