/**
 * A soak's history goes to disk as it is recorded, so the run holds none of it: batches of
 * events are appended to a file beside the run's, and read back — memory in proportion to the
 * history — only to verify the run after it has ended. The file is read in chunks and parsed a
 * line at a time, so its size is not bounded by the longest string V8 can hold (~512 M chars).
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type HistoryEvent, type HistorySink, historyToJsonl } from '@manifest-lab/workload';

/** Events handed over per write. */
export const SPILL_BATCH = 1024;

/** Bytes read at a time when the spill is read back. */
export const READ_CHUNK_BYTES = 1 << 20;

export interface HistorySpill {
  readonly sink: HistorySink;
  /** Events written so far. */
  readonly written: () => number;
  /** Close the file and return every event written, in order; the file is removed. */
  readBack(): HistoryEvent[];
  /** Close and remove the file (a run that failed). */
  discard(): void;
}

export function openHistorySpill(path: string, chunkBytes = READ_CHUNK_BYTES): HistorySpill {
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
      const events = readHistoryJsonl(path, chunkBytes);
      rmSync(path, { force: true });
      return events;
    },
    discard: () => {
      close();
      rmSync(path, { force: true });
    },
  };
}

/**
 * The events of a `historyToJsonl` file, in order, read `chunkBytes` at a time. Lines are split
 * on the newline byte before decoding: it never occurs inside a multi-byte UTF-8 character, so a
 * character cut by a chunk boundary is decoded whole with the rest of its line.
 */
export function readHistoryJsonl(path: string, chunkBytes = READ_CHUNK_BYTES): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const utf8 = new TextDecoder();
  const parseLine = (line: Uint8Array) => {
    // `historyToJsonl` writes every field, so a line parses to its event.
    if (line.length > 0) events.push(JSON.parse(utf8.decode(line)) as HistoryEvent);
  };
  const fd = openSync(path, 'r');
  try {
    const chunk = new Uint8Array(chunkBytes);
    let carry = new Uint8Array(0);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      let data = chunk.subarray(0, n);
      if (carry.length > 0) {
        const joined = new Uint8Array(carry.length + n);
        joined.set(carry);
        joined.set(data, carry.length);
        data = joined;
      }
      for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a)) {
        parseLine(data.subarray(0, nl));
        data = data.subarray(nl + 1);
      }
      // The unfinished line is copied: `chunk` is overwritten by the next read.
      carry = data.slice();
    }
    parseLine(carry);
  } finally {
    closeSync(fd);
  }
  return events;
}
