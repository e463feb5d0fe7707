import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticServer {
  /** `http://127.0.0.1:<port>/<prefix>/` — the site's root URL. */
  readonly url: string;
  /** Every request served: path and status. */
  readonly log: { path: string; status: number }[];
  close(): Promise<void>;
}

/**
 * Serve `root` read-only on 127.0.0.1 under a sub-path (as GitHub Pages serves a project site),
 * so an absolute `/...` link would miss. GET and HEAD only; nothing outside `root` is reachable.
 */
export async function serveStatic(root: string, prefix = 'manifest-lab'): Promise<StaticServer> {
  const log: { path: string; status: number }[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body = '') => {
      log.push({ path: url.pathname, status });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405);
    const base = `/${prefix}/`;
    if (!url.pathname.startsWith(base)) return send(404, 'outside the site');
    let rel: string;
    try {
      rel = normalize(decodeURIComponent(url.pathname.slice(base.length)));
    } catch {
      return send(400);
    }
    if (rel.startsWith(`..${sep}`) || rel === '..') return send(403);
    let file = join(root, rel);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const info = await stat(file);
      log.push({ path: url.pathname, status: 200 });
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch {
      send(404, 'not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${prefix}/`,
    log,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}
