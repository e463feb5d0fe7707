/**
 * A soak's history goes to disk as it is recorded, so the run holds none of it: batches of
 * events are appended to a file beside the run's, and read back — all at once, memory in
 * proportion to the history — only to verify the run after it has ended.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type HistoryEvent, type HistorySink, historyToJsonl } from '@manifest-lab/workload';

/** Events handed over per write. */
export const SPILL_BATCH = 1024;

export interface HistorySpill {
  readonly sink: HistorySink;
  /** Events written so far. */
  readonly written: () => number;
  /** Close the file and return every event written, in order; the file is removed. */
  readBack(): HistoryEvent[];
  /** Close and remove the file (a run that failed). */
  discard(): void;
}

export function openHistorySpill(path: string): HistorySpill {
  // Synchronous appends: the recorder calls the sink inside a transaction's step, and virtual
  // time must not move while it writes.
  mkdirSync(dirname(path), { recursive: true });
  let fd: number | undefined = openSync(path, 'w');
  let written = 0;
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    sink: {
      batch: SPILL_BATCH,
      write: (events) => {
        if (fd === undefined) throw new Error(`history spill ${path} is closed`);
        writeSync(fd, historyToJsonl(events));
        written += events.length;
      },
    },
    written: () => written,
    readBack: () => {
      close();
      const events = parseHistoryJsonl(readFileSync(path, 'utf8'));
      rmSync(path, { force: true });
      return events;
    },
    discard: () => {
      close();
      rmSync(path, { force: true });
    },
  };
}

/** The events of a `historyToJsonl` text (it writes every field, so a line parses to its event). */
export function parseHistoryJsonl(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const line of text.split('\n')) if (line !== '') events.push(JSON.parse(line) as HistoryEvent);
  return events;
}
