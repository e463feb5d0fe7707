/**
 * A problem with the files given to the report — not a bug in it. Callers print `message`
 * alone (no stack): it names the file and says how to fix it.
 */
export class ReportInputError extends Error {
  readonly file: string;

  constructor(file: string, problem: string, fix: string) {
    super(`${file}: ${problem}. ${fix}`);
    this.name = 'ReportInputError';
    this.file = file;
  }
}
