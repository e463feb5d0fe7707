// Benchmark: the wall time of building the site for the reference results — the baseline, the
// replicated 96-configuration comprehensive sweep and the seven chaos scenarios — generated first
// with the runner's CLI into a temporary directory (not timed). Goal: ≤ 10 s on 2 cores.
// Benchmarks may read the real clock (performance.now) directly; the site code does not.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildSite } from '../dist/site.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUNNER = join(ROOT, 'apps/runner/bin/manifest-lab.js');

const dir = await mkdtemp(join(tmpdir(), 'report-site-bench-'));
try {
  const results = join(dir, 'results');
  const runner = (...args) =>
    run(process.execPath, [RUNNER, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  await runner('sweep', '--config', 'sweeps/baseline.json', '--out', join(results, 'baseline'), '--no-progress');
  await runner('sweep', '--config', 'sweeps/comprehensive.json', '--out', join(results, 'comprehensive'), '--no-progress');
  await runner('chaos', '--from', join(results, 'comprehensive', 'results.csv'), '--out', join(results, 'chaos'));

  const t0 = performance.now();
  const { pages } = await buildSite({ results, out: join(dir, 'site') });
  const buildS = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'report-site',
        inputs: 'baseline + comprehensive (96 configs, replicated) + 7 chaos scenarios',
        pages: pages.length,
        build_wall_s: Number(buildS.toFixed(2)),
        goal_s: 10,
        within_goal: buildS <= 10,
        cores: cpus().length,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
