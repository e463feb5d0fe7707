import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { backendFromFlags, checkBackend, closeStore, describeBackend, openBackend, withBackendOptions } from '../backend.js';
import { requireWholeNumber } from '../config-flags.js';
import { CRASH_FILE, type CrashReport, PROCESS_DIR, runCrashExperiment } from '../crash/crash-experiment.js';
import { ensureWritableDir } from '../files.js';
import { interruptSignal } from '../interrupt.js';
import { HISTORY_FILE, VERIFY_FILE } from '../run-output.js';
import { INTERRUPTED_EXIT } from '../sweep-runner.js';
import { UserError } from '../user-error.js';

/** Long TTLs make the run last as long: the crate's 60 s default is allowed, not more. */
const MAX_LEASE_TTL_MS = 600_000;

function builder(y: Argv) {
  return withBackendOptions(y)
    .option('writers', { type: 'number', default: 3, describe: 'Writer processes (one of them is killed and restarted)' })
    .option('txns', {
      type: 'number',
      default: 6,
      describe: 'Write transactions per writer; the writers not killed go on until the restarted one has finished, so the stall always meets them',
    })
    .option('lease-ttl-ms', {
      type: 'number',
      default: 2000,
      describe: "Lease TTL of every session, ms: how long the killed writer's lease blocks the others (the crate's default is 60000)",
    })
    .option('crash-writer', { type: 'number', describe: 'The writer to kill, 0-based [default: 1, or 0 with one writer]' })
    .option('crash-at-txn', { type: 'number', default: 2, describe: 'Kill it in this transaction (1-based), after its segment PUT and before its HEAD CAS' })
    .option('seed', { type: 'number', default: 1, describe: "Seed of the writers' key choices and retry jitter" })
    .option('out', { type: 'string', default: 'results/crash', describe: 'Directory for history.jsonl, verify.json, crash.json and each process\'s history' })
    .example('$0 crash --backend fs --dir objects', 'Three writer processes on a local directory; kill -9 writer 1 mid-commit, restart it, verify')
    .example(
      '$0 crash --backend s3 --endpoint "$MANIFEST_LAB_S3_ENDPOINT" --path-style --bucket "$MANIFEST_LAB_S3_BUCKET" --lease-ttl-ms 5000',
      'The same on the project\'s Ceph RGW, with a 5 s lease',
    );
}

interface CrashArgs {
  writers: number;
  txns: number;
  'lease-ttl-ms': number;
  'crash-writer': number | undefined;
  'crash-at-txn': number;
  seed: number;
  out: string;
}

/** Exit codes: 0 the run verified valid, 1 isolation violated, 2 unknown or bad input. */
async function handler(argv: ArgumentsCamelCase<CrashArgs>): Promise<void> {
  const flags = argv as Record<string, unknown>;
  if (flags.backend === 'memory') {
    throw new UserError(
      '`manifest-lab crash` kills a real writer process (kill -9), so it needs a real backend: add --backend fs --dir DIR, or --backend s3 --bucket NAME (with --endpoint URL --path-style for MinIO or Ceph RGW). ' +
        'For the same crash on the embedded store in virtual time, run `manifest-lab chaos --scenarios hazards`.',
    );
  }
  requireWholeNumber('--writers', argv.writers, 1);
  if (argv.writers > 64) throw new UserError(`--writers ${argv.writers} is too many for one machine's processes; use at most 64.`);
  requireWholeNumber('--txns', argv.txns, 1);
  requireWholeNumber('--lease-ttl-ms', argv['lease-ttl-ms'], 1);
  if (argv['lease-ttl-ms'] > MAX_LEASE_TTL_MS) {
    throw new UserError(`--lease-ttl-ms ${argv['lease-ttl-ms']} would block the writers for as long; use at most ${MAX_LEASE_TTL_MS} (the crate's default is 60000).`);
  }
  const crashWriter = argv['crash-writer'] ?? (argv.writers > 1 ? 1 : 0);
  requireWholeNumber('--crash-writer', crashWriter, 0);
  if (crashWriter >= argv.writers) throw new UserError(`--crash-writer ${crashWriter} is not one of the ${argv.writers} writers (numbered 0 to ${argv.writers - 1}).`);
  requireWholeNumber('--crash-at-txn', argv['crash-at-txn'], 1);
  if (argv['crash-at-txn'] > argv.txns) throw new UserError(`--crash-at-txn ${argv['crash-at-txn']} is past the last transaction (--txns ${argv.txns}); pass a number from 1 to ${argv.txns}.`);
  if (!Number.isSafeInteger(argv.seed)) throw new UserError(`--seed must be a whole number, not ${JSON.stringify(String(argv.seed))}.`);

  const backend = backendFromFlags(flags, 'crash');
  if (backend.kind === 'memory') throw new Error('unreachable: memory was refused above');
  await ensureWritableDir(argv.out, '--out');
  const store = openBackend(backend);
  try {
    await checkBackend(backend, store);
  } finally {
    closeStore(store);
  }
  process.stderr.write(`storage: ${describeBackend(backend)}\n`);

  const interrupt = interruptSignal();
  let report: CrashReport;
  try {
    ({ report } = await runCrashExperiment({
      backend,
      writers: argv.writers,
      txnsPerWriter: argv.txns,
      leaseTtlMs: argv['lease-ttl-ms'],
      seed: argv.seed,
      crashWriter,
      crashAtTxn: argv['crash-at-txn'],
      outDir: argv.out,
      signal: interrupt.signal,
    }));
  } catch (err) {
    if (interrupt.signal.aborted) {
      throw new UserError(
        `interrupted: every writer process was killed and nothing was verified; only their own histories are in ${join(argv.out, PROCESS_DIR)}/. Run the command again for a fresh run.`,
        INTERRUPTED_EXIT,
      );
    }
    throw err;
  } finally {
    interrupt.dispose();
  }
  process.stdout.write(`${describeCrash(report)}\nresults: ${[HISTORY_FILE, VERIFY_FILE, CRASH_FILE].map((f) => join(argv.out, f)).join(', ')}\n`);
  process.exitCode = report.verdict === 'valid' ? 0 : report.verdict === 'invalid' ? 1 : 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The summary a user reads: the verdict, the kill, how long it blocked the others, the orphan's fate. */
export function describeCrash(r: CrashReport): string {
  const k = r.killed;
  const b = r.blocking;
  const iso = r.isolation;
  const failures = Object.entries(r.failures_by_class)
    .sort((x, y) => y[1] - x[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const verdict =
    r.verdict === 'valid'
      ? 'valid'
      : `${r.verdict === 'invalid' ? 'INVALID' : 'UNKNOWN'} — ${[...iso.anomaly_types, ...(iso.white_box?.anomaly_types ?? []).map((t) => `white-box ${t}`)].join(', ')}`;
  return [
    `crash: ${r.writers} writer processes × ${r.txns_per_writer}+ transactions on ${r.storage}; lease TTL ${seconds(r.lease_ttl_ms)}, seed ${r.seed}; ${seconds(r.runtime_ms)}`,
    `writer ${k.writer} killed (SIGKILL, pid ${k.pid}${k.pid_gone ? ', gone' : ', STILL ALIVE'}) between segment PUT and HEAD CAS at +${seconds(k.killed_ms)} (transaction ${k.txn}, ${k.segment_seq === null ? k.segment : `segment ${k.segment_seq}`}); restarted as pid ${r.replacement.pid} at +${seconds(r.replacement.started_ms)}`,
    `others blocked ${b.blocked_ms === null ? 'to the end (no commit after the kill)' : seconds(b.blocked_ms)} (lease TTL ${seconds(r.lease_ttl_ms)}; ${b.failed_attempts_while_blocked} failed attempts by ${b.blocked_writers.length} writer processes meanwhile); orphan adopted: ${r.orphan.adopted ? 'yes' : 'no'} (${r.orphan.elements_visible} of ${r.orphan.elements} of its appends visible at the end)`,
    `commits ${r.commits} of ${r.attempts} attempts; failed attempts by class: ${failures === '' ? 'none' : failures}`,
    `isolation (${iso.model}, list-append, ${iso.txns} transactions): ${verdict}${iso.white_box === undefined ? '' : iso.white_box.valid ? '; white-box: stored objects agree with the history' : ''}`,
  ].join('\n');
}

export const crashCommand: CommandModule<object, CrashArgs> = {
  command: 'crash',
  describe: 'Kill -9 a writer process between its segment PUT and HEAD CAS on a real backend (fs, s3), restart it, and verify the run (exit 0 valid, 1 anomalies)',
  builder,
  handler,
};
