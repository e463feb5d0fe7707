import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { readSoakAnalysis, SOAK_CSV, SOAK_JSON } from '../soak/soak-output.js';
import { DEFAULT_BUCKET_S } from '../soak/soak-run.js';
import { type SoakRow, soakTables } from '../soak/soak-table.js';
import { canonicalJson, checkSoakBuckets, expandSweep, type SweepDefinition } from '../sweep-file.js';
import { UserError } from '../user-error.js';
import { runSweepFiles, type SweepArgs, sweepOptions } from './sweep.js';

const EXAMPLES: [string, string][] = [
  ['$0 soak --config sweeps/soak.json', '10 min, 30 min and 1 h of virtual time, with and without a compactor'],
  ['$0 soak --config sweeps/soak.json --backend fs --dir objects', 'The same in real time on a local directory (1 h 40 min with 2 worker threads)'],
  ['$0 soak --config my-soak.json --time real --bucket-s 5', 'Real time on the embedded store, 5 s buckets'],
];

const HELP = [
  'A soak is a sweep whose runs are sampled in buckets of run time (the sweep file\'s "soak": {"bucket_s": 60}, or --bucket-s; default 60 s):',
  'per bucket, the commits, failures, reads and latency percentiles of the transactions completing in it, the objects in storage by kind, live and leaked leases, history events, and the worker\'s memory.',
  'Each run writes soak.csv (one row per bucket) and soak.json (stationarity, storage growth, lease leaks, a memory verdict) beside its run.json; the history goes to disk as it is recorded.',
].join('\n\n');

interface SoakArgs extends SweepArgs {
  'bucket-s': number | undefined;
  time: string | undefined;
}

function builder(y: Argv) {
  return sweepOptions(y)
    .example(EXAMPLES)
    .epilogue(HELP)
    .option('bucket-s', { type: 'number', describe: `Bucket of run time, seconds (default: the sweep file's soak.bucket_s, else ${DEFAULT_BUCKET_S})` })
    .option('time', { type: 'string', choices: ['virtual', 'real'], describe: 'Run every configuration in this time (default: the sweep file\'s; real backends run in real time)' });
}

async function handler(argv: ArgumentsCamelCase<SoakArgs>): Promise<void> {
  const bucket = argv['bucket-s'];
  if (bucket !== undefined && !(Number.isFinite(bucket) && bucket >= 1)) {
    throw new UserError(`--bucket-s must be a number of seconds of at least 1, got ${bucket}.`);
  }
  await runSweepFiles(argv, {
    prepare: (given, path) => {
      if (argv.time !== undefined && 'time' in given.axes) {
        throw new UserError(`Sweep file ${path} has \`time\` as an axis, so --time cannot set it; drop --time or the axis.`);
      }
      const def: SweepDefinition = {
        ...given,
        fixed: argv.time === undefined ? given.fixed : { ...given.fixed, time: argv.time },
        soak: { bucket_s: bucket ?? given.soak?.bucket_s ?? DEFAULT_BUCKET_S },
      };
      checkSoakBuckets(def, `Soak ${path}`, bucket === undefined ? '"soak": {"bucket_s"} in the file (or --bucket-s)' : '--bucket-s');
      return def;
    },
    after: async (def, outDir, outcome) => {
      const rows: SoakRow[] = [];
      const axesOf = new Map(expandSweep(def).map((p) => [p.id, p.axisValues]));
      for (const doc of outcome.docs) {
        const analysis = await readSoakAnalysis(join(outDir, doc.id));
        if (analysis === null) continue;
        const axes = axesOf.get(doc.id.slice(0, doc.id.indexOf('/'))) ?? {};
        const label = Object.keys(axes).length === 0 ? doc.id : `${Object.entries(axes).map(([k, v]) => `${k}=${canonicalJson(v)}`).join(' ')} ${doc.id.slice(doc.id.indexOf('/') + 1)}`;
        rows.push({ label, analysis });
      }
      process.stdout.write(`\nsoak ${def.name} (buckets of ${def.soak?.bucket_s} s):\n${soakTables(rows)}\nper run: ${outDir}/<config>/<replica>/${SOAK_CSV} (one row per bucket), ${SOAK_JSON} (the analysis)\n`);
    },
  });
}

export const soakCommand: CommandModule<object, SoakArgs> = {
  command: 'soak',
  describe: 'Run sweep files as soaks: rates, latency, storage, leases and memory per bucket of run time',
  builder,
  handler,
};
