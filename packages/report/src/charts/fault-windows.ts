/** When faults were active in a run: from its chaos plan, or from the history's nemesis entries. */
import type { FaultWindow, RunDoc } from '../types.js';

/** Nemesis start/stop pairs in a history.jsonl (times in ns from the start of the run); a start never stopped is left out. */
export function faultWindowsFromHistory(historyJsonl: string): FaultWindow[] {
  const open = new Map<string, number>();
  const out: FaultWindow[] = [];
  for (const line of historyJsonl.split('\n')) {
    // Only nemesis lines matter; skip the parse for the rest (histories run to megabytes).
    if (!line.includes('"nemesis"')) continue;
    let e: { process?: unknown; f?: unknown; value?: unknown; time?: unknown };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.process !== 'nemesis' || typeof e.time !== 'number') continue;
    const label = typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
    if (e.f === 'start') open.set(label, e.time / 1e9);
    else if (e.f === 'stop') {
      const start = open.get(label);
      if (start !== undefined) {
        out.push({ label, start_s: start, end_s: e.time / 1e9 });
        open.delete(label);
      }
    }
  }
  return out.sort((a, b) => a.start_s - b.start_s);
}

/** The run's fault windows: the plan's when it has one, else the history's (if given). */
export function faultWindows(run: RunDoc, historyJsonl?: string): FaultWindow[] {
  const planned = run.chaos?.plan?.windows;
  if (planned !== undefined) return [...planned];
  return historyJsonl === undefined ? [] : faultWindowsFromHistory(historyJsonl);
}
