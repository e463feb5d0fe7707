/**
 * Per-request latency of each backend, measured side by side: 200 sequential requests of each
 * kind (GET, HEAD, PUT, conditional PUT, LIST, DELETE) with ~200-byte bodies, against the memory
 * store, a local directory and — when MANIFEST_LAB_S3_ENDPOINT is set (`pnpm bench` from the
 * root starts the project's Ceph RGW) — S3. Real clock on purpose: this measures, it is not
 * part of the code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { FsObjectStore, MemoryObjectStore, type ObjectStore, S3ObjectStore } from '../src/index.js';

const N = Number(process.env.BENCH_REQUESTS ?? 200);
const body = new TextEncoder().encode(JSON.stringify({ txn_id: 1, records: [{ key: 'x'.repeat(40), op: 'Put', value: 'v'.repeat(120) }] }));

function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] as number) * 1000) / 1000;
  return { p50_ms: at(0.5), p99_ms: at(0.99) };
}

async function time(fn: (i: number) => Promise<unknown>) {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return summary(out);
}

async function measure(store: ObjectStore) {
  const keys = Array.from({ length: N }, (_, i) => `bench/k${String(i).padStart(5, '0')}`);
  const put = await time((i) => store.put(keys[i] as string, body));
  let tag = await store.put('bench/cas', body);
  const cput = await time(async () => {
    tag = await store.put('bench/cas', body.slice().reverse(), { condition: { ifMatch: tag } });
  });
  const get = await time((i) => store.get(keys[i] as string));
  const head = await time((i) => store.head(keys[i] as string));
  const list = await time(() => store.list('bench/', { limit: 100 }));
  const del = await time((i) => store.delete(keys[i] as string));
  return { GET: get, HEAD: head, PUT: put, CPUT: cput, LIST: list, DELETE: del };
}

export async function backendLatencies() {
  const out: Record<string, unknown> = { requestsPerKind: N, memory: await measure(new MemoryObjectStore()) };
  const dir = await mkdtemp(join(tmpdir(), 'manifest-lab-bench-'));
  try {
    out.fs = await measure(new FsObjectStore({ dir }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const endpoint = process.env.MANIFEST_LAB_S3_ENDPOINT;
  if (endpoint !== undefined) {
    const bucket = `bench-${process.pid}`;
    const s3 = new S3ObjectStore({ bucket, endpoint, region: 'us-east-1', forcePathStyle: true });
    await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
    out[`s3 (${endpoint})`] = await measure(s3);
  } else {
    out.s3 = 'skipped: set MANIFEST_LAB_S3_ENDPOINT (run `pnpm bench` from the repository root, which starts the project RGW)';
  }
  return out;
}
