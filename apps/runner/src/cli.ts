import yargs from 'yargs';
import { baselineCommand } from './commands/baseline.js';
import { boundaryCommand } from './commands/boundary.js';
import { chaosCommand } from './commands/chaos.js';
import { compareCommand } from './commands/compare.js';
import { crashCommand } from './commands/crash.js';
import { mergeCommand } from './commands/merge.js';
import { recommendCommand } from './commands/recommend.js';
import { reportCommand } from './commands/report.js';
import { soakCommand } from './commands/soak.js';
import { sweepCommand } from './commands/sweep.js';
import { verifyCommand } from './commands/verify.js';
import { UserError } from './user-error.js';
import { VERSION } from './version.js';

/**
 * Run the CLI on `args` and return the exit code. User errors print one paragraph on stderr;
 * anything unexpected prints its message, and its stack with --verbose.
 */
export async function main(args: readonly string[]): Promise<number> {
  const verbose = args.includes('--verbose');
  try {
    await yargs([...args])
      .scriptName('manifest-lab')
      .version(VERSION)
      .usage('$0 <command> [options]\n\nRun experiments against a fusio-manifest port on the embedded S3-like store, in virtual (default) or real time.')
      .command(baselineCommand)
      .command(sweepCommand)
      .command(soakCommand)
      .command(mergeCommand)
      .command(chaosCommand)
      .command(crashCommand)
      .command(verifyCommand)
      .command(reportCommand)
      .command(compareCommand)
      .command(boundaryCommand)
      .command(recommendCommand)
      .example([
        ['$0 baseline --duration-s 30', 'One run of the reference baseline: 30 s of virtual time, verified'],
        ['$0 sweep --config sweeps/comprehensive.json', 'The reference 96-configuration grid on worker threads'],
        ['$0 crash --backend fs --dir objects', 'Kill -9 a writer process mid-commit, restart it, verify the run'],
        ['$0 verify --history history.jsonl', 'Check a Jepsen-style history for isolation anomalies'],
        ['$0 report results --out site', 'Render every result as a static website (site/index.html)'],
        ['$0 recommend results', 'Write a production readiness document (readiness.md) from the results'],
        ['$0 <command> --help', 'Every option of a command, with its default, and more examples'],
      ])
      .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces on errors' })
      .demandCommand(1, 'Name a command: baseline, sweep, boundary, chaos, crash, verify, compare, merge, report or recommend.')
      .parserConfiguration({ 'camel-case-expansion': false })
      .strict()
      .wrap(Math.min(110, process.stdout.columns ?? 110))
      .exitProcess(false)
      .fail((msg, err) => {
        if (err !== undefined && err !== null) throw err;
        const text = msg.replace(/\s+/g, ' ').trim();
        throw new UserError(`${/[.!?]$/.test(text) ? text : `${text}.`} Run \`manifest-lab --help\` (or \`manifest-lab <command> --help\`) for usage.`);
      })
      .parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`manifest-lab: ${err.message}\n`);
      if (verbose && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`manifest-lab: unexpected error: ${e.message}${verbose ? '' : ' (run with --verbose for the stack trace)'}\n`);
    if (verbose && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
