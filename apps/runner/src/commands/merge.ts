import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { mergeShards } from '../merge.js';
import { RESULTS_CSV } from '../sweep-runner.js';

function builder(y: Argv) {
  return y
    .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'The output directories of every `sweep --shard i/n` run' })
    .option('out', { type: 'string', demandOption: 'name the merged output directory, e.g. --out results/comprehensive', describe: 'Merged output directory' })
    .example([['$0 merge shards/shard-0 shards/shard-1 shards/shard-2 --out results/comprehensive', 'Combine three shards into one result set']])
    .epilogue(
      'Checks that the directories are all n shards of one sweep (same sweep.json definition, same n, every i once, same build), copies their configuration directories into --out and writes results.csv, runs.csv, each summary.json and sweep.json exactly as an unsharded run would.',
    );
}

interface MergeArgs {
  dirs: string[];
  out: string;
}

async function handler(argv: ArgumentsCamelCase<MergeArgs>): Promise<void> {
  const m = await mergeShards(argv.dirs, argv.out);
  process.stdout.write(
    `merged ${m.shards} shards of sweep ${m.definition.name}: ${m.summaries.length} configs, ${m.docs.length} runs\n` +
      `results: ${argv.out}/${RESULTS_CSV} (one pooled row per config), ${argv.out}/runs.csv (one row per run), ${argv.out}/<config>/summary.json\n`,
  );
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Combine the outputs of `sweep --shard i/n` runs into one result set, as one unsharded run writes it',
  builder,
  handler,
};
