// Write and read a manifest on the embedded in-memory S3-like store.
// Run from the repository root: pnpm demo
import { Manifest, MemoryObjectStore } from '@manifest-lab/manifest-core';

const store = new MemoryObjectStore();
const manifest = new Manifest({ store, prefix: 'demo' });

const writer = await manifest.sessionWrite();
writer.put('greeting', 'hello, manifest');
writer.put('answer', 42);
const { txnId } = await writer.commit();
console.log(`committed txn ${txnId}`);

const reader = await manifest.sessionRead();
try {
  console.log('greeting =', await reader.get('greeting'));
  console.log('scan     =', JSON.stringify(await reader.scan()));
} finally {
  await reader.end(); // releases the read lease (in TypeScript: `await using reader = ...`)
}

console.log('objects  =', store.dump().map((o) => o.key).join(', '));
console.log('requests =', JSON.stringify(store.requestCounts()));
