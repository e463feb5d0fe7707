import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Clock } from '../ports/clock.js';

/** The process's real clocks. The only module that reads them. */
export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await sleepFor(Math.max(0, ms), undefined, signal === undefined ? {} : { signal });
  }
}
