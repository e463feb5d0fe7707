import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UserError } from '../user-error.js';

/**
 * The report site is an app of its own (`apps/report`), and no package imports an app: this
 * command runs that app's CLI as a child process, with the same Node, from its place in the repo.
 */
const REPORT_BIN = fileURLToPath(new URL('../../../report/bin/report-site.js', import.meta.url));
const REPORT_CLI = fileURLToPath(new URL('../../../report/dist/cli.js', import.meta.url));

function builder(y: Argv) {
  return y
    .positional('results', { type: 'string', demandOption: true, describe: 'The results directory to render (sweeps, chaos, hazards)' })
    .option('out', { type: 'string', default: 'site', describe: 'Directory for the site (replaced as a whole once the new one is complete)' })
    .option('compare', { type: 'string', array: true, describe: 'Twice: the two sweep directories the compare page puts side by side [default: every pair found]' })
    .example('$0 report results --out site', 'Render every result under results/ as a static website in site/')
    .example('$0 report results --compare results/baseline --compare results/overlap', 'The same, comparing two sweeps side by side');
}

interface ReportArgs {
  results: string;
  out: string;
  compare: string[] | undefined;
}

async function handler(argv: ArgumentsCamelCase<ReportArgs>): Promise<void> {
  if (!existsSync(REPORT_BIN) || !existsSync(REPORT_CLI)) {
    throw new UserError(
      `The report site app is missing or not built (${existsSync(REPORT_BIN) ? 'apps/report/dist/cli.js' : 'apps/report/bin/report-site.js'} not found). ` +
        'Build it with `pnpm turbo run build --filter=@manifest-lab/report-site`, or run `pnpm turbo run report`, which builds it and renders results/ into site/.',
    );
  }
  const args = [REPORT_BIN, argv.results, '--out', argv.out, ...(argv.compare ?? []).flatMap((c) => ['--compare', c]), ...((argv as Record<string, unknown>).verbose === true ? ['--verbose'] : [])];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve(status ?? 128 + signalNumber(signal)));
  });
  process.exitCode = code;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <results>',
  describe: 'Render a results directory as a static website (the report-site app; exit 0 written, 2 bad input)',
  builder,
  handler,
};
