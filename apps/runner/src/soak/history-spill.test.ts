import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HistoryEvent, historyToJsonl } from '@manifest-lab/workload';
import { afterAll, describe, expect, it } from 'vitest';
import { openHistorySpill, readHistoryJsonl } from './history-spill.js';

const work = mkdtempSync(join(tmpdir(), 'manifest-lab-spill-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const events: HistoryEvent[] = Array.from({ length: 50 }, (_, i) =>
  i % 10 === 9
    ? { index: i, process: 'nemesis', type: 'info', f: i % 20 === 9 ? 'start' : 'stop', value: `partition — ${i}`, time: i * 1.5 }
    : { index: i, process: i % 3, type: 'ok', f: 'txn', value: [['w', `k-é-${i}`, i]], time: i * 1.5, txn: i },
) as HistoryEvent[];

describe('the history spill', () => {
  it('reads back every event in order, lines and characters split across chunk boundaries', () => {
    const text = historyToJsonl(events);
    // Chunk sizes smaller than a line, cutting lines (and the 2- and 3-byte characters) anywhere.
    for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) {
      const path = join(work, `spill-${chunk}.jsonl`);
      const spill = openHistorySpill(path, chunk);
      for (let i = 0; i < events.length; i += 8) spill.sink.write(events.slice(i, i + 8));
      expect(spill.written()).toBe(50);
      const back = spill.readBack();
      expect(historyToJsonl(back), `chunk ${chunk}`).toBe(text);
      expect(back.map((e) => e.index)).toEqual(events.map((e) => e.index));
      expect(existsSync(path)).toBe(false);
    }
  });

  it('reads a last line without its newline, and an empty file', () => {
    const path = join(work, 'unterminated.jsonl');
    writeFileSync(path, historyToJsonl(events.slice(0, 3)).trimEnd());
    expect(readHistoryJsonl(path, 5).map((e) => e.index)).toEqual([0, 1, 2]);
    writeFileSync(path, '');
    expect(readHistoryJsonl(path, 5)).toEqual([]);
  });
});
