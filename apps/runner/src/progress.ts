import { RealClock } from '@manifest-lab/manifest-core';
import cliProgress from 'cli-progress';

export interface Progress {
  /** One more item done. */
  tick(label: string): void;
  /** The work grew (e.g. a sweep planned more replicas). */
  setTotal(total: number): void;
  stop(): void;
}

/**
 * Progress on stderr: a bar with ETA on a terminal; otherwise a plain line at most every 5 % and
 * every second (and always at the end), so CI logs stay readable.
 */
export function createProgress(
  title: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  unit = 'configs',
): Progress {
  if (total === 0) return { tick() {}, setTotal() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${title} [{bar}] {value}/{total} ${unit} | {percentage}% | ETA {eta_formatted} | {label}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { label: '' });
    return {
      tick: (label) => bar.increment(1, { label }),
      setTotal: (n) => bar.setTotal(n),
      stop: () => bar.stop(),
    };
  }
  const clock = new RealClock();
  const t0 = clock.now();
  let done = 0;
  let lastStep = -1;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    tick(label) {
      done++;
      const step = Math.floor((done * 20) / total);
      const elapsed = (clock.now() - t0) / 1000;
      // At most one line per 5 % and per second; always the last.
      if (done !== total && (step === lastStep || elapsed - lastAt < 1)) return;
      lastStep = step;
      lastAt = elapsed;
      const eta = done === 0 ? 0 : (elapsed / done) * (total - done);
      stream.write(`${title}: ${done}/${total} ${unit} (${Math.round((done / total) * 100)}%), ${elapsed.toFixed(1)} s elapsed, ETA ${eta.toFixed(1)} s — last ${label}\n`);
    },
    setTotal(n) {
      total = n;
    },
    stop() {},
  };
}
