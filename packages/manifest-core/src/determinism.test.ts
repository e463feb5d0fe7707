/**
 * A guard for the determinism rule: no module outside the clock implementations reads the real
 * clock or sets a real timer, so virtual-time runs replay exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('.', import.meta.url).pathname;
const FORBIDDEN = /\b(Date\.now|performance\.now|setTimeout|setInterval|setImmediate)\s*\(|node:timers/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

describe('determinism', () => {
  it('only src/clock/ touches the real clock or timers', () => {
    const offenders = sources(SRC)
      .filter((f) => !relative(SRC, f).startsWith('clock/'))
      .filter((f) => FORBIDDEN.test(readFileSync(f, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
    expect(sources(SRC).length).toBeGreaterThan(20);
  });

  it('Math.random is not used anywhere in src', () => {
    const offenders = sources(SRC).filter((f) => /Math\.random\s*\(/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
