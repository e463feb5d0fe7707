export { main } from './cli.js';
export { CSV_COLUMNS, RUN_CSV_COLUMNS, runsCsv, summariesCsv, toCsv } from './csv.js';
export { type ConfigSummary, type Estimate, type Percentile, poolReplicas, type Rate } from './pool.js';
export { type RunDocument, readRunDocument, runDocument, writeRunOutput } from './run-output.js';
export { bestWorstTable, configTable } from './summary-table.js';
export { canonicalJson, expandSweep, parseSweepDefinition, readSweepFile, type SweepDefinition, type SweepPoint } from './sweep-file.js';
export { runSweep, type SweepOptions, type SweepOutcome } from './sweep-runner.js';
export { UserError } from './user-error.js';
