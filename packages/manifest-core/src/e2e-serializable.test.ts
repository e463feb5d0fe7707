/**
 * The reference's end-to-end scenarios on all three backends: the embedded store in virtual
 * time, a local directory, and S3 on the project's Ceph RGW (both in real time).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { RealClock } from './clock/real-clock.js';
import { VirtualClock } from './clock/virtual-clock.js';
import { Manifest } from './manifest.js';
import { FsObjectStore } from './stores/fs-object-store.js';
import { MemoryObjectStore } from './stores/memory-object-store.js';
import { S3ObjectStore } from './stores/s3-object-store.js';
import { describeReferenceScenarios } from './test/reference-scenarios.js';

describeReferenceScenarios('memory, virtual time', async () => {
  const clock = new VirtualClock();
  return {
    manifest: new Manifest({ store: new MemoryObjectStore(), prefix: 'test', clock }),
    run: (fn) => clock.run(fn),
    cleanup: async () => {},
  };
});

describeReferenceScenarios('fs, real time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'manifest-lab-scenario-'));
  return {
    manifest: new Manifest({ store: new FsObjectStore({ dir }), prefix: 'test', clock: new RealClock() }),
    run: (fn) => fn(),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

let seq = 0;
describeReferenceScenarios(
  'S3 on Ceph RGW, real time',
  async () => {
    const bucket = `scenarios-${process.pid}-${seq++}`;
    const store = new S3ObjectStore({ bucket, endpoint: inject('rgwEndpoint'), region: 'us-east-1', forcePathStyle: true });
    await store.client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { manifest: new Manifest({ store, prefix: 'test', clock: new RealClock() }), run: (fn) => fn(), cleanup: async () => {} };
  },
  60_000,
);
