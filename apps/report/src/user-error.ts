/**
 * A problem with what the user asked for (a missing results directory, an unusable --out):
 * printed as one paragraph naming the problem and the fix, with no stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
