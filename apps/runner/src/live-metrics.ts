/**
 * `--metrics-port`: Prometheus metrics of a real-time run, served on 127.0.0.1 while it runs.
 * Workers post observations (`observations.ts`); the main thread counts them in a registry of
 * its own (never prom-client's global one) and serves `/metrics`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Observation } from './observations.js';
import { UserError } from './user-error.js';

/** Seconds; storage requests and transactions span ~1 ms (embedded) to many seconds (S3 under faults). */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class LiveMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({ name: 'manifest_lab_requests_total', help: 'Storage requests by kind and outcome (ok|error)', labelNames: ['kind', 'outcome'], registers: [this.registry] });
  readonly #requestSeconds = new Histogram({ name: 'manifest_lab_request_duration_seconds', help: 'Storage request latency by kind', labelNames: ['kind'], buckets: BUCKETS, registers: [this.registry] });
  readonly #txns = new Counter({
    name: 'manifest_lab_transactions_total',
    help: 'Transactions by role and outcome (writers: committed or the failure class; readers: read_ok|read_error)',
    labelNames: ['role', 'outcome'],
    registers: [this.registry],
  });
  readonly #txnSeconds = new Histogram({
    name: 'manifest_lab_transaction_duration_seconds',
    help: 'Transaction latency from intended arrival to end, by role and outcome',
    labelNames: ['role', 'outcome'],
    buckets: BUCKETS,
    registers: [this.registry],
  });
  readonly #attempts = new Counter({ name: 'manifest_lab_attempts_total', help: 'Transaction attempts (retries included) by role', labelNames: ['role'], registers: [this.registry] });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  record(batch: readonly Observation[]): void {
    for (const o of batch) {
      if (o[0] === 'r') {
        const [, kind, ms, ok] = o;
        this.#requests.inc({ kind, outcome: ok ? 'ok' : 'error' });
        this.#requestSeconds.observe({ kind }, ms / 1000);
      } else {
        const [, role, outcome, ms, attempts] = o;
        this.#txns.inc({ role, outcome });
        this.#txnSeconds.observe({ role, outcome }, ms / 1000);
        this.#attempts.inc({ role }, attempts);
      }
    }
  }
}

export interface MetricsServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Serve `registry` at http://127.0.0.1:`port`/metrics (port 0: any free port); 404 for anything else. */
export async function serveMetrics(registry: Registry, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new UserError(`--metrics-port ${port}: cannot listen on 127.0.0.1:${port} (${err.code}); pick another port, or 0 for any free one.`)
          : err,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a scraper's keep-alive must not hold the process open
      }),
  };
}

/** The `--metrics-port` option of `baseline` and `sweep`. */
export const METRICS_PORT_OPTION = {
  type: 'number',
  describe: 'Serve live Prometheus metrics at http://127.0.0.1:N/metrics while the run goes on (0: any free port, printed on stderr); real-time runs only',
} as const;

/** Check `--metrics-port` against the run: a whole port number, and a run that lasts (real time). */
export function checkMetricsPort(port: number | undefined, realTime: boolean): void {
  if (port === undefined) return;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--metrics-port must be a port number from 0 to 65535 (0: any free port), got ${port}.`);
  if (!realTime) {
    throw new UserError(
      '--metrics-port serves live metrics while a run goes on, but this run is in virtual time: it simulates the whole duration in milliseconds and ends before anything could scrape it. Add --time real (or use --backend fs|s3, which run in real time), or drop --metrics-port and read the results files instead.',
    );
  }
}

/** Start the registry and server for a run (none without a port); print the URL on stderr. */
export async function startLiveMetrics(port: number | undefined): Promise<{ readonly record: (batch: readonly Observation[]) => void; stop(): Promise<void> } | undefined> {
  if (port === undefined) return undefined;
  const live = new LiveMetrics();
  const server = await serveMetrics(live.registry, port);
  process.stderr.write(`metrics: ${server.url} (Prometheus; served until the run ends)\n`);
  return { record: (batch) => live.record(batch), stop: () => server.stop() };
}
