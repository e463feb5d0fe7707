import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  anomaliesProhibitedBy,
  checkHistory,
  checkWhiteBox,
  DEFAULT_SEARCH_BUDGET,
  HistoryError,
  KNOWN_MODELS,
  MODELS,
  parseHistory,
  type Workload,
  WORKLOADS,
} from '@manifest-lab/verify';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { writeFileAtomic } from '../files.js';
import { type VerifyDocument, verifyDocument } from '../isolation.js';
import { readInput } from '../read-input.js';
import { RUN_FILE } from '../run-output.js';
import { readStoreDump } from '../store-dump.js';
import { UserError } from '../user-error.js';

/**
 * Every model `--model` accepts: the documented ones first, then Elle's other names — leaving
 * out the few (linearizable, PRAM, ...) that rule out no anomaly this checker can find, since
 * every history would pass them.
 */
export const MODEL_CHOICES: readonly string[] = [
  ...MODELS,
  ...[...KNOWN_MODELS].filter((m) => !(MODELS as readonly string[]).includes(m) && anomaliesProhibitedBy([m]).size > 0).sort(),
];

function builder(y: Argv) {
  return y
    .option('history', { type: 'string', demandOption: 'name a history, e.g. --history results/baseline/000-xxxx/history.jsonl', describe: 'History file (JSON lines)' })
    .option('workload', { type: 'string', choices: [...WORKLOADS], default: 'list-append', describe: 'How to read the micro-ops' })
    .option('model', { type: 'string', choices: [...MODEL_CHOICES], default: 'strict-serializable', describe: 'Consistency model the history must satisfy' })
    .option('store-dump', { type: 'string', describe: 'A store dump (store.jsonl) to replay for the white-box check' })
    .option('prefix', {
      type: 'string',
      describe: "The manifest prefix within the store dump (default: the run's prefix from the run.json beside the history, else \"baseline\")",
    })
    .option('search-budget', {
      type: 'number',
      default: DEFAULT_SEARCH_BUDGET,
      describe: 'Cycle-search steps per cycle shape per strongly connected component; running out reports cycle-search-timeout (exit 2 unless anomalies are proven)',
    })
    .option('out', {
      type: 'string',
      describe: 'Also write the full result as JSON to this file (default: print only). Refused if it is an existing file in a run directory (one holding run.json)',
    })
    .example('$0 verify --history run/history.jsonl', "check a run's history against strict serializability; print only")
    .example('$0 verify --history h.jsonl --model snapshot-isolation --out h-si.json', 'check against snapshot isolation and save the result')
    .example('$0 verify --history h.jsonl --workload rw-register --model read-committed', 'read the micro-ops as register reads and writes')
    .example('$0 verify --history run/history.jsonl --store-dump run/store.jsonl --prefix baseline', 'also replay the stored objects (white-box)');
}

interface VerifyArgs {
  history: string;
  workload: string;
  model: string;
  'store-dump': string | undefined;
  prefix: string | undefined;
  'search-budget': number;
  out: string | undefined;
}

/** `verify` never overwrites what a run wrote: refuse an existing file beside a run.json, or an input. */
function checkOut(argv: VerifyArgs): void {
  const out = argv.out;
  if (out === undefined) return;
  const target = resolve(out);
  const inputs = [argv.history, argv['store-dump']].filter((p): p is string => p !== undefined).map((p) => resolve(p));
  if (inputs.includes(target)) {
    throw new UserError(`--out ${out} is one of this command's inputs, and verify does not overwrite its inputs. Name a new file for --out.`);
  }
  if (existsSync(target) && existsSync(join(dirname(target), RUN_FILE))) {
    throw new UserError(
      `--out ${out} already exists in a run directory (it holds ${RUN_FILE}), and verify never overwrites a run's files. ` +
        'Name a file outside the run directory, or a new file name, for --out.',
    );
  }
}

/** The manifest prefix a run recorded in the run.json beside its history, if there is one. */
async function runPrefix(history: string): Promise<string | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(dirname(history), RUN_FILE), 'utf8')) as { prefix?: unknown };
    return typeof doc.prefix === 'string' ? doc.prefix : undefined;
  } catch {
    return undefined;
  }
}

/** Exit codes: 0 valid, 1 anomalies found, 2 unknown or invalid input. */
async function handler(argv: ArgumentsCamelCase<VerifyArgs>): Promise<void> {
  if (!MODEL_CHOICES.includes(argv.model)) {
    throw new UserError(`Unknown consistency model "${argv.model}". Use one of: ${MODEL_CHOICES.join(', ')}.`);
  }
  const budget = argv['search-budget'];
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new UserError(`--search-budget must be a whole number of at least 1, not ${JSON.stringify(String(budget))}. Omit it for the default (${DEFAULT_SEARCH_BUDGET}).`);
  }
  checkOut(argv);
  const text = await readInput(argv.history, 'history', 'Check the path (each run writes <out>/<run>/history.jsonl).');
  const objects = argv['store-dump'] === undefined ? undefined : await readStoreDump(argv['store-dump']);
  const prefix = argv.prefix ?? (objects === undefined ? undefined : await runPrefix(argv.history)) ?? 'baseline';
  let document: VerifyDocument;
  try {
    const history = parseHistory(text);
    const blackBox = checkHistory(history, { workload: argv.workload as Workload, model: argv.model, searchBudget: budget });
    document = verifyDocument(blackBox, objects === undefined ? undefined : checkWhiteBox(objects, prefix, history));
  } catch (err) {
    if (err instanceof HistoryError) {
      throw new UserError(`History ${argv.history} is not a valid ${argv.workload} history: ${err.message}. Fix the file, or pick the right --workload.`);
    }
    throw err;
  }
  if (argv.out !== undefined) await writeFileAtomic(argv.out, `${JSON.stringify(document, null, 2)}\n`);
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
      const stronger = result.alsoNotModels;
      lines.push(`rules out: ${result.notModels.join(', ')}${stronger.length > 0 ? ` (and the stronger ${stronger.join(', ')})` : ''}`);
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
  lines.push(argv.out === undefined ? 'details: not saved (add --out FILE to save the full result as JSON)' : `details: ${argv.out}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const invalid = result.valid === false || white?.valid === false;
  process.exitCode = invalid ? 1 : result.valid === true ? 0 : 2;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify',
  describe: 'Check a history for isolation anomalies and print the verdict; writes only with --out (exit 0 valid, 1 anomalies, 2 unknown or bad input)',
  builder,
  handler,
};
