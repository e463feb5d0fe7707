import { RealClock } from '@manifest-lab/manifest-core';
import cliProgress from 'cli-progress';

export interface Progress {
  /** One more item done. */
  tick(label: string): void;
  stop(): void;
}

/**
 * Progress on stderr: a bar with ETA on a terminal; otherwise a plain line at every 5 % (and at
 * the end), so CI logs stay readable.
 */
export function createProgress(
  title: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  unit = 'configs',
): Progress {
  if (total === 0) return { tick() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${title} [{bar}] {value}/{total} ${unit} | {percentage}% | ETA {eta_formatted} | {label}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { label: '' });
    return {
      tick: (label) => bar.increment(1, { label }),
      stop: () => bar.stop(),
    };
  }
  const clock = new RealClock();
  const t0 = clock.now();
  let done = 0;
  let lastStep = -1;
  return {
    tick(label) {
      done++;
      const step = Math.floor((done * 20) / total);
      if (step === lastStep && done !== total) return;
      lastStep = step;
      const elapsed = (clock.now() - t0) / 1000;
      const eta = done === 0 ? 0 : (elapsed / done) * (total - done);
      stream.write(`${title}: ${done}/${total} ${unit} (${Math.round((done / total) * 100)}%), ${elapsed.toFixed(1)} s elapsed, ETA ${eta.toFixed(1)} s — last ${label}\n`);
    },
    stop() {},
  };
}
