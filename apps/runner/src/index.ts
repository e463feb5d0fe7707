export { main } from './cli.js';
export { CSV_COLUMNS, csvRow, toCsv } from './csv.js';
export { type RunDocument, readRunDocument, runDocument, writeRunOutput } from './run-output.js';
export { bestWorstTable } from './summary-table.js';
export { canonicalJson, expandSweep, parseSweepDefinition, readSweepFile, type SweepDefinition, type SweepPoint } from './sweep-file.js';
export { runSweep, type SweepOptions, type SweepOutcome } from './sweep-runner.js';
export { UserError } from './user-error.js';
