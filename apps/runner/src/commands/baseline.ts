import { join } from 'node:path';
import { dumpObjects, MemoryObjectStore } from '@manifest-lab/manifest-core';
import { runWorkload } from '@manifest-lab/workload';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { backendFromFlags, checkBackend, closeStore, describeBackend, openBackend, withBackendOptions } from '../backend.js';
import { configFromFlags, realTimeFor, withConfigOptions } from '../config-flags.js';
import { toCsv } from '../csv.js';
import { writeFileAtomic } from '../files.js';
import { createProgress } from '../progress.js';
import { describeRun } from '../report-run.js';
import { verifyRun } from '../isolation.js';
import { runDocument, writeRunOutput } from '../run-output.js';
import { STORE_DUMP_FILE, writeStoreDump } from '../store-dump.js';
import { RESULTS_CSV } from '../sweep-runner.js';

function builder(y: Argv) {
  return withBackendOptions(withConfigOptions(y))
    .option('out', {
      type: 'string',
      default: 'results/baseline',
      describe: 'Directory for run.json, history.jsonl, verify.json and results.csv',
    })
    .option('dump-store', {
      type: 'boolean',
      default: false,
      describe: 'Also write every stored object to store.jsonl (for `manifest-lab verify --store-dump`)',
    });
}

interface BaselineArgs {
  out: string;
  'dump-store': boolean;
}

async function handler(argv: ArgumentsCamelCase<BaselineArgs>): Promise<void> {
  const flags = argv as Record<string, unknown>;
  const backend = backendFromFlags(flags, 'baseline');
  const config = configFromFlags(flags, realTimeFor(backend, flags));
  const store = openBackend(backend);
  await checkBackend(backend, store);
  if (backend.kind !== 'memory') process.stderr.write(`storage: ${describeBackend(backend)}\n`);
  const progress = createProgress('baseline', Math.ceil(config.duration_s), process.stderr, 's');
  let shown = 0;
  const run = await runWorkload(config, {
    prefix: backend.kind === 'memory' ? 'baseline' : `${backend.prefix}/baseline`,
    ...(store === undefined ? {} : { store }),
    onProgress: (elapsedMs) => {
      for (; shown < Math.floor(elapsedMs / 1000); shown++) progress.tick(`t=${shown + 1} s`);
    },
  });
  progress.stop();
  const { document, summary } = await verifyRun(run);
  if (argv['dump-store']) {
    const objects = run.store instanceof MemoryObjectStore ? run.store.dump() : await dumpObjects(run.store, `${run.prefix}/`);
    await writeStoreDump(join(argv.out, STORE_DUMP_FILE), objects);
  }
  closeStore(store);
  const doc = runDocument(run, { sweep: 'baseline', id: 'baseline', backend: backend.kind }, summary);
  await writeRunOutput(argv.out, run, doc, document);
  await writeFileAtomic(join(argv.out, RESULTS_CSV), toCsv([doc]));
  process.stdout.write(
    `baseline: ${config.num_writers} writers, ${config.num_readers} readers, ${config.duration_s} s ${config.time} time, seed ${config.seed}, on ${describeBackend(backend)} (manifest prefix ${run.prefix}/)\n` +
      `${describeRun(doc)}\nresults: ${argv.out}/run.json, ${argv.out}/history.jsonl, ${argv.out}/verify.json, ${argv.out}/${RESULTS_CSV}\n`,
  );
}

export const baselineCommand: CommandModule<object, BaselineArgs> = {
  command: 'baseline',
  describe: 'Run the reference baseline (2 writers, 10 readers, 120 s, overlap 0.2); any field can be overridden',
  builder,
  handler,
};
