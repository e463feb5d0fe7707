import { dirname, join } from 'node:path';
import { HistoryError, KNOWN_MODELS, parseHistory, type Workload, WORKLOADS } from '@manifest-lab/verify';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { writeFileAtomic } from '../files.js';
import { checkBoth, type VerifyDocument } from '../isolation.js';
import { readInput } from '../read-input.js';
import { readStoreDump } from '../store-dump.js';
import { UserError } from '../user-error.js';

function builder(y: Argv) {
  return y
    .option('history', { type: 'string', demandOption: 'name a history, e.g. --history results/baseline/000-xxxx/history.jsonl', describe: 'History file (JSON lines)' })
    .option('workload', { type: 'string', choices: [...WORKLOADS], default: 'list-append', describe: 'How to read the micro-ops' })
    .option('model', { type: 'string', default: 'strict-serializable', describe: 'Consistency model the history must satisfy' })
    .option('store-dump', { type: 'string', describe: 'A store dump (store.jsonl) to replay for the white-box check' })
    .option('prefix', { type: 'string', default: 'baseline', describe: 'The manifest prefix within the store dump' })
    .option('out', { type: 'string', describe: 'Where to write verify.json (default: next to the history)' });
}

interface VerifyArgs {
  history: string;
  workload: string;
  model: string;
  'store-dump': string | undefined;
  prefix: string;
  out: string | undefined;
}

/** Exit codes: 0 valid, 1 anomalies found, 2 unknown or invalid input. */
async function handler(argv: ArgumentsCamelCase<VerifyArgs>): Promise<void> {
  if (!KNOWN_MODELS.has(argv.model)) {
    throw new UserError(`Unknown consistency model "${argv.model}". Use one of: strict-serializable, serializable, strong-session-serializable, snapshot-isolation, strong-session-snapshot-isolation, repeatable-read, read-committed, read-uncommitted.`);
  }
  const text = await readInput(argv.history, 'history', 'Check the path (each run writes <out>/<run>/history.jsonl).');
  const objects = argv['store-dump'] === undefined ? undefined : await readStoreDump(argv['store-dump']);
  let document: VerifyDocument;
  try {
    document = checkBoth(parseHistory(text), objects, argv.prefix, argv.model, argv.workload as Workload);
  } catch (err) {
    if (err instanceof HistoryError) {
      throw new UserError(`History ${argv.history} is not a valid ${argv.workload} history: ${err.message}. Fix the file, or pick the right --workload.`);
    }
    throw err;
  }
  const out = argv.out ?? join(dirname(argv.history), 'verify.json');
  await writeFileAtomic(out, `${JSON.stringify(document, null, 2)}\n`);
  const result = document.blackBox;
  const white = document.whiteBox;
  const lines = [
    `${argv.history}: ${result.stats.txns} transactions, ${result.stats.edges} dependency edges, checked against ${result.model} (${result.workload})`,
  ];
  if (result.valid === true) {
    lines.push('valid: no anomalies');
  } else {
    lines.push(`${result.valid === false ? 'INVALID' : 'UNKNOWN'}: ${result.anomalyTypes.join(', ')}`);
    if (result.notModels.length > 0) {
      const stronger = result.alsoNotModels.length;
      lines.push(`rules out: ${result.notModels.join(', ')}${stronger > 0 ? ` and ${stronger} stronger models (listed in verify.json)` : ''}`);
    }
    for (const t of result.anomalyTypes) {
      const list = result.anomalies[t] ?? [];
      lines.push(`- ${t} (${list.length}): ${list[0]?.explanation ?? ''}`);
    }
  }
  if (white !== undefined) {
    lines.push(
      `white-box replay of ${argv['store-dump']}: ${white.valid ? 'storage agrees with the history' : `INVALID: ${white.anomalyTypes.join(', ')}`} ` +
        `(${white.stats.published} published segments, ${white.stats.orphans} orphans, ${white.stats.failedVisible} failed commits visible)`,
    );
    for (const t of white.anomalyTypes) lines.push(`- ${t} (${white.anomalies[t]?.length ?? 0}): ${white.anomalies[t]?.[0]?.explanation ?? ''}`);
  }
  lines.push(`details: ${out}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const invalid = result.valid === false || white?.valid === false;
  process.exitCode = invalid ? 1 : result.valid === true ? 0 : 2;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify',
  describe: 'Check a history for isolation anomalies (exit 0 valid, 1 anomalies, 2 unknown or bad input)',
  builder,
  handler,
};
