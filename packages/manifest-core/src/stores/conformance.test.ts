/**
 * One conformance suite, three backends: the embedded store, a local directory, and S3 — a
 * real Ceph RGW on 127.0.0.1, started by scripts/rgw/start.sh (see vitest.setup-rgw.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it, inject } from 'vitest';
import { describeObjectStoreConformance } from '../test/conformance.js';
import { FsObjectStore } from './fs-object-store.js';
import { MemoryObjectStore } from './memory-object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

describeObjectStoreConformance('MemoryObjectStore', async () => ({ store: new MemoryObjectStore(), cleanup: async () => {} }));

describeObjectStoreConformance('FsObjectStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'manifest-lab-fs-'));
  return { store: new FsObjectStore({ dir }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

let bucketSeq = 0;
/** A fresh bucket on the test RGW for each test. */
async function rgwStore(): Promise<{ store: S3ObjectStore; cleanup: () => Promise<void> }> {
  const endpoint = inject('rgwEndpoint');
  const bucket = `conformance-${process.pid}-${bucketSeq++}`;
  const store = new S3ObjectStore({ bucket, endpoint, region: 'us-east-1', forcePathStyle: true });
  await store.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { store, cleanup: async () => {} };
}

describeObjectStoreConformance('S3ObjectStore on Ceph RGW', rgwStore, { timeoutMs: 60_000 });

describe('FsObjectStore across processes', () => {
  it('of 20 OS processes racing one If-Match on a shared directory, exactly one wins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-lab-fs-race-'));
    try {
      const store = new FsObjectStore({ dir });
      const base = await store.put('race/key', new TextEncoder().encode('base'));
      const moduleUrl = new URL('../../dist/stores/fs-object-store.js', import.meta.url).href;
      const script = `
        const { FsObjectStore } = await import(${JSON.stringify(moduleUrl)});
        const s = new FsObjectStore({ dir: ${JSON.stringify(dir)} });
        try { await s.put('race/key', new TextEncoder().encode('p' + process.pid), { condition: { ifMatch: ${JSON.stringify(base)} } }); console.log('won'); }
        catch (e) { console.log(e.kind === 'precondition-failed' ? 'lost' : 'error ' + e.message); }`;
      const outcomes = await Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
              let out = '';
              child.stdout.on('data', (d: Buffer) => {
                out += d.toString();
              });
              child.on('error', reject);
              child.on('exit', () => resolve(out.trim()));
            }),
        ),
      );
      expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'lost')).toHaveLength(19);
      const winnerPid = (await store.get('race/key'))?.body;
      expect(new TextDecoder().decode(winnerPid)).toMatch(/^p\d+$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('worker threads of one process writing to one directory never mix up their objects', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-lab-fs-threads-'));
    try {
      const moduleUrl = new URL('../../dist/stores/fs-object-store.js', import.meta.url).href;
      const code = `
        const { workerData, parentPort } = require('node:worker_threads');
        import(workerData.moduleUrl).then(async ({ FsObjectStore }) => {
          const s = new FsObjectStore({ dir: workerData.dir });
          for (let i = 0; i < 100; i++) await s.put('t' + workerData.id + '/' + i, new TextEncoder().encode(workerData.id + ':' + i));
          parentPort.postMessage('done');
        });`;
      const { Worker } = await import('node:worker_threads');
      await Promise.all(
        Array.from({ length: 4 }, (_, id) => new Promise<void>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { dir, id, moduleUrl } });
          w.once('message', () => resolve());
          w.once('error', reject);
        }).then(() => undefined)),
      );
      const store = new FsObjectStore({ dir });
      for (let id = 0; id < 4; id++) {
        for (let i = 0; i < 100; i++) expect(new TextDecoder().decode((await store.get(`t${id}/${i}`))?.body)).toBe(`${id}:${i}`);
      }
      expect((await store.list('t')).keys).toHaveLength(400);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a lock works the same whether the directory is named with a trailing slash or not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-lab-fs-slash-'));
    try {
      const a = new FsObjectStore({ dir });
      const b = new FsObjectStore({ dir: `${dir}/` });
      const t0 = await a.put('k', new TextEncoder().encode('0'));
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).put('k', new TextEncoder().encode(`w${i}`), { condition: { ifMatch: t0 } })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a process killed mid-write leaves no torn or visible object, and its stale lock is broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-lab-fs-crash-'));
    try {
      const store = new FsObjectStore({ dir });
      await store.put('k', new TextEncoder().encode('old'));
      const moduleUrl = new URL('../../dist/stores/fs-object-store.js', import.meta.url).href;
      // A child that starts many large writes and is killed with SIGKILL while they run.
      const script = `
        const { FsObjectStore } = await import(${JSON.stringify(moduleUrl)});
        const s = new FsObjectStore({ dir: ${JSON.stringify(dir)} });
        const big = new Uint8Array(8 * 1024 * 1024).fill(120);
        console.log('ready');
        for (;;) await s.put('k', big);`;
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout.once('data', () => setImmediate(() => child.kill('SIGKILL')));
        child.on('error', reject);
        child.on('exit', () => resolve());
      });
      const after = await store.get('k');
      const body = new TextDecoder().decode(after?.body);
      expect(body === 'old' || (body.length === 8 * 1024 * 1024 && /^x+$/.test(body))).toBe(true);
      expect((await store.list('')).keys).toEqual(['k']);
      // The dead writer may have held the lock: a new write must still get through.
      await store.put('k', new TextEncoder().encode('new'));
      expect(new TextDecoder().decode((await store.get('k'))?.body)).toBe('new');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
