// `pnpm bench` for verify: time to check synthetic list-append histories of 10k, 100k and 1M
// transactions from a correct database (so the checker must find nothing), with heap use.
// Uses the real clock on purpose: this file measures the code, it is not part of it.
import { SeededRandom } from '@manifest-lab/manifest-core';
import { checkHistory, pairHistory, syntheticListAppend } from '../dist/index.js';

const sizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const results = [];
for (const txns of sizes) {
  global.gc?.();
  const ops = [...syntheticListAppend(new SeededRandom(txns), { txns, concurrency: 10 })];
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const result = checkHistory(pairHistory(ops), { workload: 'list-append', model: 'strict-serializable' });
  const seconds = (performance.now() - t0) / 1000;
  const heapAfter = process.memoryUsage().heapUsed;
  results.push({
    txns,
    events: ops.length,
    valid: result.valid,
    anomalies: result.anomalyTypes,
    edges: result.stats.edges,
    seconds: Math.round(seconds * 100) / 100,
    txnsPerSecond: Math.round(txns / seconds),
    heapMiB: Math.round(Math.max(heapBefore, heapAfter) / 2 ** 20),
  });
}
process.stdout.write(`${JSON.stringify({ node: process.version, goals: { '100000': '<= 5 s', '1000000': '<= 60 s' }, results }, null, 2)}\n`);
