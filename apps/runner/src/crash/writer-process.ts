/**
 * One writer of the crash experiment, as its own OS process (started by `crash-experiment.ts`
 * with `fork`, its spec as the one argument). It runs list-append write transactions against the
 * real backend in real time and appends every history event to its own file with a synchronous
 * write before going on, so a SIGKILL loses nothing it recorded. With `crashAtTxn` it stops,
 * for good, inside the HEAD CAS of the first attempt (of that transaction or a later one) whose
 * segment PUT succeeded, and tells the parent — whose SIGKILL then lands exactly between segment
 * PUT and HEAD CAS (hazard §6.2). It also tells the parent when its orphan recovery moves HEAD.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  decodeHead,
  deriveSeed,
  type HeadDoc,
  Layout,
  Manifest,
  type ManifestPhase,
  ObjectStoreDecorator,
  type ObjectStore,
  type PutOptions,
  RealClock,
  SeededRandom,
  type StoreRequest,
  TXN_ID_METADATA,
} from '@manifest-lab/manifest-core';
import { classifyWriteFailure, errorMessage, KeyPool, type MicroOp, retryDelayMs, type StoredValue } from '@manifest-lab/workload';
import { closeStore, openBackend } from '../backend.js';
import {
  type CrashPointMessage,
  ELEMENT_STRIDE,
  PROCESS_STRIDE,
  type ParentMessage,
  type WriterHistoryLine,
  type WriterMessage,
  type WriterSpec,
} from './protocol.js';

/** What the current attempt has stored, as seen at the storage boundary. */
interface AttemptState {
  segmentSent: boolean;
  segment: { key: string; txnId: number } | undefined;
  lease: string | undefined;
}

/**
 * Watches one attempt's requests; when armed, holds its HEAD CAS forever once its segment PUT
 * has succeeded. Requests are recognised by key and kind (a conditional PUT), not by manifest
 * phase, so the request itself is what is held: it never reaches the store.
 */
class CrashPointStore extends ObjectStoreDecorator {
  attempt: AttemptState = { segmentSent: false, segment: undefined, lease: undefined };
  armed = false;
  #headBody: Uint8Array | undefined;

  constructor(
    inner: ObjectStore,
    private readonly layout: Layout,
    private readonly stall: (attempt: AttemptState) => Promise<never>,
    private readonly adopted: (head: HeadDoc) => void,
  ) {
    super(inner);
  }

  override put(key: string, body: Uint8Array, options?: PutOptions): Promise<string> {
    if (key === this.layout.head) this.#headBody = body;
    return super.put(key, body, options);
  }

  beginAttempt(armed: boolean): void {
    this.attempt = { segmentSent: false, segment: undefined, lease: undefined };
    this.armed = armed;
  }

  protected override async around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    const { kind, key } = request;
    // An orphan adoption also CASes HEAD, but before this attempt stored any segment.
    if (this.armed && kind === 'CPUT' && key === this.layout.head && this.attempt.segment !== undefined) await this.stall(this.attempt);
    const segment = kind === 'CPUT' && key.startsWith(this.layout.segmentsDir);
    if (segment) this.attempt.segmentSent = true;
    const out = await op();
    if (segment) this.attempt.segment = { key, txnId: Number((request.options as PutOptions | undefined)?.metadata?.[TXN_ID_METADATA]) };
    if (kind === 'CPUT' && key.startsWith(this.layout.leasesDir)) this.attempt.lease = key;
    // Only orphan recovery CASes HEAD before the attempt has stored its segment.
    if (kind === 'CPUT' && key === this.layout.head && this.attempt.segment === undefined && this.#headBody !== undefined) {
      this.adopted(decodeHead(this.#headBody));
    }
    return out;
  }
}

async function runWriter(spec: WriterSpec): Promise<void> {
  const clock = new RealClock();
  const random = new SeededRandom(deriveSeed(spec.seed, `writer-${spec.writer}-${spec.incarnation}`));
  const inner = openBackend(spec.backend);
  if (inner === undefined) throw new Error('a crash-experiment writer needs a real backend (fs or s3)');
  const layout = new Layout(spec.backend.prefix);
  const fd = openSync(spec.historyPath, 'w');
  // writeSync: the event is in the kernel before the writer moves on, so a SIGKILL cannot lose it.
  const record = (line: WriterHistoryLine) => writeSync(fd, `${JSON.stringify(line)}\n`);

  const send = (msg: WriterMessage) => {
    if (process.send === undefined) throw new Error('writer-process must be started by the crash experiment (with an IPC channel)');
    process.send(msg);
  };
  const store = new CrashPointStore(inner, layout, async (attempt) => {
    const msg: CrashPointMessage = {
      kind: 'crash-point',
      txn,
      process: proc,
      segmentKey: attempt.segment?.key ?? '',
      segmentTxnId: attempt.segment?.txnId ?? 0,
      leaseKey: attempt.lease ?? '',
      wallMs: clock.wallNow(),
    };
    send(msg);
    // Hold the HEAD CAS until the parent's SIGKILL (or its exit: see 'disconnect' below).
    for (;;) await clock.sleep(60_000);
  }, (head) => send({ kind: 'adopted', process: proc, headSeq: head.last_segment_seq ?? 0, wallMs: clock.wallNow() }));
  let failedPhase: ManifestPhase | undefined;
  const manifest = new Manifest<string, StoredValue>({
    store,
    prefix: spec.backend.prefix,
    clock,
    random: random.fork('manifest'),
    retention: { leaseTtlMs: spec.leaseTtlMs },
    tracer: {
      phase(name, _start, _end, error) {
        if (error !== undefined) failedPhase = name;
      },
    },
  });
  const pool = new KeyPool(spec.keys.writers, spec.keys.perWriter, spec.keys.shared, spec.keys.overlap);

  let processes = 0;
  const nextProcess = () => {
    if (processes >= PROCESS_STRIDE) throw new Error(`writer ${spec.writer} used up its ${PROCESS_STRIDE} history process ids`);
    return spec.processBase + processes++;
  };
  let elements = 0;
  const nextElement = () => {
    if (elements >= ELEMENT_STRIDE) throw new Error(`writer ${spec.writer} used up its ${ELEMENT_STRIDE} list elements`);
    return spec.elementBase + elements++;
  };
  let proc = nextProcess();
  let txn = spec.firstTxn;

  let stopped = false;
  let started: () => void = () => undefined;
  const go = new Promise<void>((resolve) => {
    started = resolve;
  });
  process.on('message', (m) => {
    const kind = (m as ParentMessage).kind;
    if (kind === 'go') started();
    else if (kind === 'stop') stopped = true;
  });
  if (spec.awaitGo) {
    // One request first, so connection set-up is not part of the first transaction.
    await inner.head(layout.head);
    send({ kind: 'ready' });
    await go;
  }

  for (; txn <= spec.lastTxn || (spec.untilStop && !stopped); txn++) {
    if (txn > spec.firstTxn) await clock.sleep(random.next() * 2 * spec.thinkMs);
    const keys = pool.writerKeys(spec.writer, spec.opsPerTxn, random);
    for (let retry = 0; ; retry++) {
      store.beginAttempt(spec.crashAtTxn !== undefined && txn >= spec.crashAtTxn);
      failedPhase = undefined;
      // Fresh elements per attempt: a failed attempt may still land (info), and appends must stay unique.
      const xs = keys.map(() => nextElement());
      const invoked = keys.flatMap((k, i): MicroOp[] => [
        ['r', k, null],
        ['append', k, xs[i] as number],
      ]);
      record({ process: proc, type: 'invoke', value: invoked, wall_ms: clock.wallNow() });
      try {
        const session = await manifest.sessionWrite();
        const observed: MicroOp[] = [];
        try {
          for (const [i, k] of keys.entries()) {
            const list = (await session.get(k))?.l ?? null;
            const x = xs[i] as number;
            observed.push(['r', k, list], ['append', k, x]);
            session.put(k, { l: [...(list ?? []), x], pad: '' });
          }
          await session.commit();
        } finally {
          if (session.isOpen) await session.end();
        }
        record({ process: proc, type: 'ok', value: observed, wall_ms: clock.wallNow() });
        break;
      } catch (err) {
        const cls = classifyWriteFailure(err, { phase: failedPhase, segmentSent: store.attempt.segmentSent });
        record({
          process: proc,
          type: cls === 'ambiguous' ? 'info' : 'fail',
          value: invoked,
          wall_ms: clock.wallNow(),
          error: { class: cls, message: errorMessage(err) },
        });
        // A process whose attempt may have taken effect never invokes again.
        if (cls === 'ambiguous') proc = nextProcess();
        if (retry >= spec.maxRetries) break;
        await clock.sleep(retryDelayMs({ backoff: 'exponential-jitter', baseMs: 10, maxMs: 100 }, retry + 1, random));
      }
    }
  }
  closeSync(fd);
  closeStore(inner);
}

// The parent gone (its IPC channel closed) means no one will collect this writer: stop.
process.on('disconnect', () => process.exit(3));
try {
  await runWriter(JSON.parse(process.argv[2] ?? '') as WriterSpec);
  process.exit(0);
} catch (err) {
  writeSync(2, `writer: ${errorMessage(err)}\n`);
  process.exit(1);
}
