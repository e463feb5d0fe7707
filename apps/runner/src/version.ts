import { createRequire } from 'node:module';

/** This package's version, reported in every `run.json`. */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
