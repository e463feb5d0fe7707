import { readFile } from 'node:fs/promises';
import { UserError } from './user-error.js';

/** Read a user-named input file, or fail with one paragraph naming it and `hint` (the fix). */
export async function readInput(path: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. ${hint}`);
  }
}
