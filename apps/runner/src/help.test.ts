/** `--help` as a new user reads it: examples everywhere, the sweep-file format, derived defaults. */
import { spawnSync } from 'node:child_process';
import { CONFIG_FIELDS } from '@manifest-lab/workload';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../bin/manifest-lab.js', import.meta.url).pathname;

function help(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args, '--help'], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', COLUMNS: '110' } });
  expect(r.status, r.stderr).toBe(0);
  // Undo yargs' wrapping so phrases can be matched whole.
  return r.stdout.replace(/\s+/g, ' ');
}

describe('--help', () => {
  it('shows examples at the top level and for baseline and sweep', () => {
    expect(help()).toMatch(/Examples: manifest-lab baseline --duration-s 30 .* manifest-lab sweep --config sweeps\/comprehensive\.json/);
    const baseline = help('baseline');
    expect(baseline).toMatch(/Examples: manifest-lab baseline --duration-s 30 --seed 7 /);
    expect(baseline).toContain('"$MANIFEST_LAB_S3_BUCKET" --duration-s 30');
    expect(help('sweep')).toMatch(/Examples: manifest-lab sweep --config sweeps\/comprehensive\.json/);
  });

  it('sweep lists every field that may be an axis, and the replica keys of a sweep file', () => {
    const text = help('sweep');
    expect(text).toContain(`Fields that may be fixed or be axes (every config field; \`manifest-lab baseline --help\` describes each): ${CONFIG_FIELDS.join(', ')}.`);
    expect(text).toMatch(/"replicas": N runs each config N times .*\(default 1\)/);
    expect(text).toMatch(/"min_write_attempts": K adds replicas until a config has K write attempts, at most "max_replicas" \(default 64\)/);
  });

  it('lists the crash command, and crash shows its options, defaults and examples', () => {
    expect(help()).toMatch(/manifest-lab crash Kill -9 a writer process between its segment PUT and HEAD CAS on a real backend/);
    const text = help('crash');
    expect(text).toMatch(/Examples: manifest-lab crash --backend fs --dir objects /);
    expect(text).toContain('"$MANIFEST_LAB_S3_BUCKET" --lease-ttl-ms 5000');
    expect(text).toMatch(/--lease-ttl-ms .*\(the crate's default is 60000\) \[number\] \[default: 2000\]/);
    expect(text).toMatch(/--crash-writer The writer to kill, 0-based \[default: 1, or 0 with one writer\]/);
    expect(text).toMatch(/--writers .*\[default: 3\]/);
  });

  it('baseline states the warm-up rule instead of a fixed default', () => {
    const text = help('baseline');
    expect(text).toContain('--warmup-s initial seconds excluded from metrics (kept in the history) [default: 10 % of duration, ≤ 10 s]');
    expect(text).toContain('--duration-s length of the arrival schedule, seconds [default: 120]');
    expect(text).toContain('--create-bucket Create the --bucket first if it does not exist');
  });

  it('recommend says the document stays written when the --site build fails', () => {
    expect(help('recommend')).toMatch(/The document is written first: if the site build then fails, --out stays written and the exit code is the site build's/);
  });
});
