/**
 * Conformance with Jepsen's Elle on the 41 histories of its own test suite
 * (shared/reference/elle-cases): same validity, same anomaly set, for the model each case
 * was checked against.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHistory } from './check.js';
import { parseHistory } from './history.js';

const DIR = new URL('../../../../shared/reference/elle-cases/', import.meta.url).pathname;

interface Expected {
  readonly file: string;
  readonly workload: 'list-append' | 'rw-register';
  readonly model: string;
  readonly valid: boolean | 'unknown';
  readonly anomalies: readonly string[];
}

const cases = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Expected[];

describe('Elle conformance', () => {
  it('has all 41 cases', () => {
    expect(cases).toHaveLength(41);
  });
  for (const c of cases) {
    it(`${c.file} (${c.model})`, () => {
      const history = parseHistory(readFileSync(join(DIR, c.file), 'utf8'));
      const result = checkHistory(history, { workload: c.workload, model: c.model });
      expect({ valid: result.valid, anomalies: [...result.anomalyTypes].sort() }).toEqual({
        valid: c.valid,
        anomalies: [...c.anomalies].sort(),
      });
    });
  }
});
