/**
 * A writer crash as a real `kill -9`, then a restart — the reference's "checkpoint recovery
 * (restart manifest mid-test)" and fusio-manifest 0.5's hazard §6.2. Writers run as separate OS
 * processes against a real backend; one is held between its segment PUT and its HEAD CAS and
 * SIGKILLed there, leaving an orphan segment and its lease. The others cannot commit until that
 * lease expires and one of them adopts the orphan; a replacement process continues the killed
 * writer's work. The processes' histories are merged by wall-clock time and checked black-box
 * (strict serializability) and white-box (the stored objects).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  basename,
  type Clock,
  decodeHead,
  decodeLease,
  dumpObjects,
  Layout,
  Manifest,
  type ObjectStore,
  parseSegmentSeq,
  RealClock,
} from '@manifest-lab/manifest-core';
import { pairHistory } from '@manifest-lab/verify';
import {
  type HistoryError,
  type HistoryEvent,
  historyToJsonl,
  isTxnEvent,
  KeyPool,
  type MicroOp,
  type StoredValue,
  type TxnEvent,
} from '@manifest-lab/workload';
import { type Backend, closeStore, describeBackend, openBackend } from '../backend.js';
import { writeFileAtomic } from '../files.js';
import { checkBoth, type IsolationSummary, RUN_MODEL, summarize, type VerifyDocument } from '../isolation.js';
import { HISTORY_FILE, VERIFY_FILE } from '../run-output.js';
import {
  type AdoptedMessage,
  type CrashPointMessage,
  ELEMENT_STRIDE,
  type ParentMessage,
  PROCESS_STRIDE,
  type WriterHistoryLine,
  type WriterMessage,
  type WriterSpec,
} from './protocol.js';

export const CRASH_FILE = 'crash.json';
/** Each writer process's own history (appended as it goes), under the output directory. */
export const PROCESS_DIR = 'processes';

export interface CrashExperimentOptions {
  readonly backend: Exclude<Backend, { kind: 'memory' }>;
  readonly writers: number;
  readonly txnsPerWriter: number;
  readonly leaseTtlMs: number;
  readonly seed: number;
  /** The writer (0-based) to kill, and the transaction (1-based) whose HEAD CAS it dies before. */
  readonly crashWriter: number;
  readonly crashAtTxn: number;
  readonly outDir: string;
  /** Keys per transaction (default 2). */
  readonly opsPerTxn?: number;
  /** Mean pause between a writer's transactions, ms (default 50). */
  readonly thinkMs?: number;
  /** Give up (killing every writer) after this long; default scales with the TTL and the work. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** The built writer entry point (default: `writer-process.js` of this build). */
  readonly writerScript?: string;
}

/** One writer process as the parent saw it. */
export interface ProcessRecord {
  readonly writer: number;
  readonly incarnation: number;
  readonly pid: number;
  readonly exit: { readonly code: number | null; readonly signal: string | null };
  readonly history: string;
  readonly commits: number;
  readonly attempts: number;
}

/** `crash.json`. Times are ms since the experiment started unless named `_at_ms` (epoch ms). */
export interface CrashReport {
  readonly schema: 'manifest-lab/crash@1';
  readonly backend: string;
  readonly storage: string;
  readonly prefix: string;
  readonly seed: number;
  readonly writers: number;
  readonly txns_per_writer: number;
  readonly lease_ttl_ms: number;
  readonly started_at_ms: number;
  readonly runtime_ms: number;
  readonly verdict: 'valid' | 'invalid' | 'unknown';
  readonly isolation: IsolationSummary;
  readonly killed: {
    readonly writer: number;
    readonly pid: number;
    readonly signal: 'SIGKILL';
    /** `kill(pid, 0)` after the exit was reaped: ESRCH. */
    readonly pid_gone: boolean;
    readonly txn: number;
    /** The history process of the attempt in flight; its invoke got an `info` completion. */
    readonly process: number;
    readonly history_ended_with_invoke: boolean;
    readonly crash_point_ms: number;
    readonly killed_ms: number;
    readonly segment: string;
    readonly segment_seq: number | null;
    readonly segment_txn_id: number;
    /** HEAD's last segment seq read just after the kill: below the orphan's, as the CAS never ran. */
    readonly head_seq_after_kill: number | null;
    readonly lease: string;
    readonly lease_expires_ms: number | null;
  };
  readonly replacement: { readonly writer: number; readonly pid: number; readonly started_ms: number; readonly txns: readonly [number, number]; readonly commits: number };
  readonly orphan: {
    /** The killed attempt's appends are all in the final state. */
    readonly adopted: boolean;
    readonly elements_visible: number;
    readonly elements: number;
    /** HEAD's last segment seq at the end is at or past the orphan's. */
    readonly published: boolean;
    /** The process whose orphan recovery published it (a HEAD CAS before its own segment), and when. */
    readonly adopted_by: { readonly writer: number; readonly incarnation: number; readonly process: number } | null;
    readonly adopted_ms: number | null;
  };
  readonly blocking: {
    /** From the crash point (orphan stored, its lease live) to the first commit after the kill; null if none. */
    readonly blocked_ms: number | null;
    readonly blocked_over_ttl: number | null;
    readonly first_commit_after_kill_ms: number | null;
    /** The first commit after the kill, less the orphan lease's expiry (adoption latency). */
    readonly first_commit_after_lease_expiry_ms: number | null;
    readonly failed_attempts_while_blocked: number;
    /** The processes with failed attempts in that window (incarnation 1: the replacement). */
    readonly blocked_writers: readonly { readonly writer: number; readonly incarnation: number }[];
    readonly longest_commit_gap_ms: number;
  };
  readonly commits: number;
  readonly attempts: number;
  readonly failures_by_class: Readonly<Record<string, number>>;
  readonly processes: readonly ProcessRecord[];
  readonly files: { readonly history: string; readonly verify: string; readonly processes: string };
}

export interface CrashOutcome {
  readonly report: CrashReport;
  readonly verify: VerifyDocument;
  readonly history: readonly HistoryEvent[];
}

const KEYS = { perWriter: 2, shared: 2, overlap: 0.5 } as const;
export const DEFAULT_THINK_MS = 50;
/** Mean retry sleep is ~50 ms (full jitter, capped at 100 ms): retry long enough to outlive a stuck lease. */
const retriesFor = (leaseTtlMs: number) => Math.ceil((4 * leaseTtlMs) / 50) + 50;

/** A running writer process. */
class Writer {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Settles once the writer is connected and waiting for `go`; rejects if it exits first. */
  readonly ready: Promise<void>;
  stderr = '';
  done = false;

  constructor(
    script: string,
    readonly spec: WriterSpec,
    onCrashPoint: (msg: CrashPointMessage) => void,
    onAdopted: (msg: AdoptedMessage) => void,
  ) {
    // execArgv: []: a test runner's loader flags must not leak into the writer.
    this.child = fork(script, [JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (d: string) => {
      if (this.stderr.length < 8192) this.stderr += d;
    });
    let readySeen: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => {
      readySeen = resolve;
    });
    this.child.on('message', (m) => {
      const msg = m as WriterMessage;
      if (msg.kind === 'ready') readySeen();
      else if (msg.kind === 'crash-point') onCrashPoint(msg);
      else if (msg.kind === 'adopted') onAdopted(msg);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
      // A process that could not be started never exits: settle here instead.
      this.child.once('error', (err) => {
        this.stderr += `${err.message}\n`;
        if (this.child.pid === undefined) {
          this.done = true;
          resolve({ code: -1, signal: null });
        }
      });
    });
  }

  tell(kind: ParentMessage['kind']): void {
    const msg: ParentMessage = { kind };
    if (!this.done && this.child.connected) this.child.send(msg);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  describe(): string {
    return `writer ${this.spec.writer}${this.spec.incarnation > 0 ? ' (replacement)' : ''}, pid ${this.pid}`;
  }
}

/** `kill(pid, 0)`: false once the process is gone. */
/** Whether a process with this pid still exists (signal 0 probes without sending). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function defaultWriterScript(): string {
  const here = fileURLToPath(import.meta.url);
  // Run from src/ (as TypeScript, under vitest) the writer still starts from the build.
  return here.endsWith('.ts') ? join(dirname(here), '../../dist/crash/writer-process.js') : join(dirname(here), 'writer-process.js');
}

export async function runCrashExperiment(options: CrashExperimentOptions): Promise<CrashOutcome> {
  const { backend, writers, txnsPerWriter, leaseTtlMs, seed, crashWriter, crashAtTxn, outDir } = options;
  if (!(writers >= 1) || !(crashWriter >= 0 && crashWriter < writers)) throw new RangeError(`crash writer ${crashWriter} is not one of ${writers} writers`);
  if (!(crashAtTxn >= 1 && crashAtTxn <= txnsPerWriter)) throw new RangeError(`crash transaction ${crashAtTxn} is not within 1..${txnsPerWriter}`);
  const clock = options.clock ?? new RealClock();
  const script = options.writerScript ?? defaultWriterScript();
  if (!existsSync(script)) throw new Error(`the writer entry point ${script} is missing: build first (pnpm build)`);
  // Capped: a timer longer than 2^31-1 ms would fire at once.
  const timeoutMs = Math.min(options.timeoutMs ?? 60_000 + 6 * leaseTtlMs + 2_000 * writers * txnsPerWriter, 2 ** 31 - 1);
  const procDir = join(outDir, PROCESS_DIR);
  await mkdir(procDir, { recursive: true });

  const store = openBackend(backend) as ObjectStore;
  const startMs = clock.wallNow();
  const running: Writer[] = [];
  let crashSeen: ((msg: CrashPointMessage) => void) | undefined;
  let orphanSeq: number | null = null;
  let adoption: { writer: Writer; msg: AdoptedMessage } | undefined;
  const crashPoint = new Promise<CrashPointMessage>((resolve) => {
    crashSeen = resolve;
  });
  const spawn = (writer: number, incarnation: number, slot: number, firstTxn: number, lastTxn: number, crashAt?: number) => {
    const awaitGo = incarnation === 0;
    const spec: WriterSpec = {
      backend,
      writer,
      incarnation,
      keys: { writers, ...KEYS },
      opsPerTxn: options.opsPerTxn ?? 2,
      firstTxn,
      lastTxn,
      leaseTtlMs,
      seed,
      processBase: slot * PROCESS_STRIDE,
      elementBase: slot * ELEMENT_STRIDE,
      maxRetries: retriesFor(leaseTtlMs),
      thinkMs: options.thinkMs ?? DEFAULT_THINK_MS,
      historyPath: join(procDir, `writer-${writer}-${incarnation}.jsonl`),
      awaitGo,
      untilStop: incarnation === 0 && writer !== crashWriter,
      ...(crashAt === undefined ? {} : { crashAtTxn: crashAt }),
    };
    const w = new Writer(
      script,
      spec,
      (msg) => {
        if (w.spec.crashAtTxn === undefined) return;
        orphanSeq = parseSegmentSeq(basename(msg.segmentKey));
        crashSeen?.(msg);
        crashSeen = undefined;
      },
      (msg) => {
        if (adoption !== undefined || orphanSeq === null || msg.headSeq < orphanSeq) return;
        adoption = { writer: w, msg };
        // The stall is over: the survivors may finish.
        for (const other of running) other.tell('stop');
      },
    );
    running.push(w);
    return w;
  };

  // Everything that waits also gives up on the deadline or an interrupt.
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason ?? new Error('interrupted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = clock.sleep(timeoutMs, stop.signal).then(
    () => {
      throw new Error(`the crash experiment did not finish within ${Math.round(timeoutMs / 1000)} s`);
    },
    (err: unknown) => {
      throw err;
    },
  );
  deadline.catch(() => undefined);
  const bounded = <T>(p: Promise<T>) => Promise.race([p, deadline]);

  let run: ProcessRun;
  try {
    for (let w = 0; w < writers; w++) spawn(w, 0, w, 1, txnsPerWriter, w === crashWriter ? crashAtTxn : undefined);
    // Start together, so the crash lands among writers already contending (process start-up takes ~1 s).
    await bounded(
      Promise.all(
        running.map((w) =>
          Promise.race([
            w.ready,
            w.exited.then((e): never => {
              throw new Error(`${w.describe()} exited (${e.signal ?? `code ${e.code}`}) before it started${tail(w.stderr)}`);
            }),
          ]),
        ),
      ),
    );
    for (const w of running) w.tell('go');
    const victim = running[crashWriter] as Writer;
    const at = await bounded(
      Promise.race([
        crashPoint,
        victim.exited.then((e): never => {
          throw new Error(`${victim.describe()} exited (${e.signal ?? `code ${e.code}`}) without reaching its crash point${tail(victim.stderr)}`);
        }),
      ]),
    );
    // The writer is parked inside its HEAD CAS: kill -9 lands between segment PUT and CAS.
    const killWall = clock.wallNow();
    victim.child.kill('SIGKILL');
    const exit = await bounded(victim.exited);
    if (exit.signal !== 'SIGKILL') throw new Error(`${victim.describe()} ended by ${exit.signal ?? `exit code ${exit.code}`}, not by the SIGKILL`);
    const pidGone = !pidAlive(victim.pid);
    const leaseObj = at.leaseKey === '' ? null : await store.get(at.leaseKey);
    const leaseExpires = leaseObj === null ? null : decodeLease(leaseObj.body).expires_at_ms;
    // Evidence the CAS never went out: HEAD still stops short of the orphan (its lease keeps it so).
    const headObj = await store.get(new Layout(backend.prefix).head);
    const headSeq = headObj === null ? null : decodeHead(headObj.body).last_segment_seq;
    const killed = { writer: victim, killWall, pidGone, leaseExpires, headSeq };
    // The replacement: the same writer's keys, new history processes, the killed writer's remaining work.
    const startWall = clock.wallNow();
    const replacement = { writer: spawn(crashWriter, 1, writers, at.txn + 1, Math.max(txnsPerWriter, at.txn + 1)), startWall };
    // The survivors keep going until the orphan is adopted (see spawn), or at the latest until the replacement is done.
    await bounded(replacement.writer.exited);
    for (const w of running) w.tell('stop');
    const exits = await bounded(Promise.all(running.map(async (w) => ({ w, e: await w.exited }))));
    for (const { w, e } of exits) {
      if (w !== victim && e.code !== 0) throw new Error(`${w.describe()} failed (${e.signal ?? `exit code ${e.code}`})${tail(w.stderr)}`);
    }
    run = { startMs, at, killed, replacement, running, adoption };
  } catch (err) {
    for (const w of running) if (!w.done) w.child.kill('SIGKILL');
    await Promise.all(running.map((w) => w.exited));
    closeStore(store);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }

  try {
    return await analyse(options, store, clock, run);
  } finally {
    closeStore(store);
  }
}

/** What the process phase leaves for the analysis. Walls are epoch ms. */
interface ProcessRun {
  readonly startMs: number;
  readonly at: CrashPointMessage;
  readonly killed: { readonly writer: Writer; readonly killWall: number; readonly pidGone: boolean; readonly leaseExpires: number | null; readonly headSeq: number | null };
  readonly replacement: { readonly writer: Writer; readonly startWall: number };
  readonly running: readonly Writer[];
  readonly adoption: { readonly writer: Writer; readonly msg: AdoptedMessage } | undefined;
}

/** Read the final state, merge the histories, verify, measure, and write the results. */
async function analyse(options: CrashExperimentOptions, store: ObjectStore, clock: Clock, run: ProcessRun): Promise<CrashOutcome> {
  const { backend, writers, txnsPerWriter, leaseTtlMs, seed, crashWriter, outDir } = options;
  const { startMs, at, killed, replacement, running, adoption } = run;
  // A read of every key after all writers stopped: the final state, checked with the rest.
  const finalReader = (writers + 1) * PROCESS_STRIDE;
  const manifest = new Manifest<string, StoredValue>({ store, prefix: backend.prefix, clock, retention: { leaseTtlMs } });
  const allKeys = new KeyPool(writers, KEYS.perWriter, KEYS.shared, KEYS.overlap).all().sort();
  const readInvokeWall = clock.wallNow();
  const session = await manifest.sessionRead();
  const entries = new Map(await session.scan());
  const finalSeq = session.snapshot.lastSegmentSeq ?? 0;
  await session.end();
  const readOkWall = clock.wallNow();
  const finalState = allKeys.map((k): MicroOp => ['r', k, entries.get(k)?.l ?? null]);

  // Streams to merge: each writer's file, in its own order, and the parent's own events.
  const streams: Stamped[][] = running.map((w) => readWriterHistory(w.spec.historyPath, w === killed.writer));
  const victimLines = streams[crashWriter] as Stamped[];
  const lastLine = victimLines[victimLines.length - 1];
  const endedWithInvoke = lastLine?.type === 'invoke' && lastLine.process === at.process;
  const parent: Stamped[] = [{ wall: killed.killWall, nemesis: 'start', label: `kill -9 writer ${crashWriter} (pid ${killed.writer.pid})` }];
  if (endedWithInvoke && lastLine !== undefined) {
    parent.push({
      wall: killed.killWall,
      process: at.process,
      type: 'info',
      value: lastLine.value ?? [],
      error: { class: 'crashed', message: 'writer process killed (SIGKILL) between its segment PUT and its HEAD CAS' },
    });
  }
  parent.push(
    { wall: replacement.startWall, nemesis: 'stop', label: `restart writer ${crashWriter} (pid ${replacement.writer.pid})` },
    { wall: readInvokeWall, process: finalReader, type: 'invoke', value: allKeys.map((k): MicroOp => ['r', k, null]) },
    { wall: readOkWall, process: finalReader, type: 'ok', value: finalState },
  );
  streams.push(parent);
  const history = mergeStreams(streams, startMs);

  const objects = await dumpObjects(store, `${backend.prefix}/`);
  const verify = checkBoth(pairHistory(history), objects, backend.prefix, RUN_MODEL, 'list-append');
  const isolation = summarize(verify.blackBox, verify.whiteBox);
  const verdict =
    verify.blackBox.valid === false || verify.whiteBox?.valid === false ? 'invalid' : verify.blackBox.valid === true ? 'valid' : 'unknown';

  // Counts come from the history: what each process recorded before it exited or was killed.
  const writes = history.filter((e): e is TxnEvent => isTxnEvent(e) && e.process !== finalReader);
  const okTimes = writes.filter((e) => e.type === 'ok').map((e) => e.time / 1e6);
  const failures: Record<string, number> = {};
  for (const e of writes) if (e.type === 'fail' || e.type === 'info') failures[e.error?.class ?? 'unknown'] = (failures[e.error?.class ?? 'unknown'] ?? 0) + 1;
  const rel = (wall: number) => wall - startMs;
  const crashMs = rel(at.wallMs);
  const killMs = rel(killed.killWall);
  const firstAfter = okTimes.find((t) => t > killMs) ?? null;
  const blocked = firstAfter === null ? null : firstAfter - crashMs;
  let longestGap = 0;
  okTimes.forEach((t, i) => {
    if (i > 0) longestGap = Math.max(longestGap, t - (okTimes[i - 1] as number));
  });
  const killedAppends = (lastLine?.value ?? []).filter(([f]) => f === 'append') as (readonly ['append', string, number])[];
  const visible = endedWithInvoke ? killedAppends.filter(([, k, x]) => (entries.get(k)?.l ?? []).includes(x)).length : 0;
  const segSeq = parseSegmentSeq(basename(at.segmentKey));
  const ownedBy = (w: Writer, e: TxnEvent) => e.process >= w.spec.processBase && e.process < w.spec.processBase + PROCESS_STRIDE;
  const whileBlocked = writes.filter(
    (e) => (e.type === 'fail' || e.type === 'info') && !ownedBy(killed.writer, e) && e.time / 1e6 >= crashMs && (firstAfter === null || e.time / 1e6 <= firstAfter),
  );
  const perProcess = (w: Writer) => {
    const own = writes.filter((e) => ownedBy(w, e));
    return { commits: own.filter((e) => e.type === 'ok').length, attempts: own.filter((e) => e.type === 'invoke').length };
  };
  const round = (n: number) => Math.round(n * 10) / 10;

  const report: CrashReport = {
    schema: 'manifest-lab/crash@1',
    backend: backend.kind,
    storage: describeBackend(backend),
    prefix: backend.prefix,
    seed,
    writers,
    txns_per_writer: txnsPerWriter,
    lease_ttl_ms: leaseTtlMs,
    started_at_ms: startMs,
    runtime_ms: rel(clock.wallNow()),
    verdict,
    isolation,
    killed: {
      writer: crashWriter,
      pid: killed.writer.pid,
      signal: 'SIGKILL',
      pid_gone: killed.pidGone,
      txn: at.txn,
      process: at.process,
      history_ended_with_invoke: endedWithInvoke,
      crash_point_ms: crashMs,
      killed_ms: killMs,
      segment: at.segmentKey,
      segment_seq: segSeq,
      segment_txn_id: at.segmentTxnId,
      head_seq_after_kill: killed.headSeq,
      lease: at.leaseKey,
      lease_expires_ms: killed.leaseExpires === null ? null : rel(killed.leaseExpires),
    },
    replacement: {
      writer: crashWriter,
      pid: replacement.writer.pid,
      started_ms: rel(replacement.startWall),
      txns: [replacement.writer.spec.firstTxn, replacement.writer.spec.lastTxn],
      commits: perProcess(replacement.writer).commits,
    },
    orphan: {
      adopted: endedWithInvoke && killedAppends.length > 0 && visible === killedAppends.length,
      elements_visible: visible,
      elements: killedAppends.length,
      published: segSeq !== null && finalSeq >= segSeq,
      adopted_by: adoption === undefined ? null : { writer: adoption.writer.spec.writer, incarnation: adoption.writer.spec.incarnation, process: adoption.msg.process },
      adopted_ms: adoption === undefined ? null : rel(adoption.msg.wallMs),
    },
    blocking: {
      blocked_ms: blocked === null ? null : round(blocked),
      blocked_over_ttl: blocked === null ? null : Math.round((blocked / leaseTtlMs) * 1000) / 1000,
      first_commit_after_kill_ms: firstAfter === null ? null : round(firstAfter),
      first_commit_after_lease_expiry_ms: firstAfter === null || killed.leaseExpires === null ? null : round(firstAfter - rel(killed.leaseExpires)),
      failed_attempts_while_blocked: whileBlocked.length,
      blocked_writers: running.filter((w) => whileBlocked.some((e) => ownedBy(w, e))).map((w) => ({ writer: w.spec.writer, incarnation: w.spec.incarnation })),
      longest_commit_gap_ms: round(longestGap),
    },
    commits: okTimes.length,
    attempts: writes.filter((e) => e.type === 'invoke').length,
    failures_by_class: failures,
    processes: running.map((w) => ({
      writer: w.spec.writer,
      incarnation: w.spec.incarnation,
      pid: w.pid,
      exit: { code: w.child.exitCode, signal: w.child.signalCode },
      history: join(PROCESS_DIR, basename(w.spec.historyPath)),
      ...perProcess(w),
    })),
    files: { history: HISTORY_FILE, verify: VERIFY_FILE, processes: `${PROCESS_DIR}/` },
  };
  await writeFileAtomic(join(outDir, HISTORY_FILE), historyToJsonl(history));
  await writeFileAtomic(join(outDir, VERIFY_FILE), `${JSON.stringify(verify, null, 2)}\n`);
  await writeFileAtomic(join(outDir, CRASH_FILE), `${JSON.stringify(report, null, 2)}\n`);
  return { report, verify, history };
}

function tail(stderr: string): string {
  const t = stderr.trim();
  return t === '' ? '' : `: ${t.split('\n').slice(-3).join(' | ')}`;
}

/** An event before merging: a transaction event or a nemesis mark, at an epoch-ms wall time. */
export type Stamped =
  | { readonly wall: number; readonly process: number; readonly type: WriterHistoryLine['type']; readonly value: readonly MicroOp[]; readonly error?: HistoryError; readonly nemesis?: undefined }
  | { readonly wall: number; readonly nemesis: 'start' | 'stop'; readonly label: string; readonly process?: undefined; readonly type?: undefined; readonly value?: undefined };

/** A writer's history file. Only a killed writer may end in a torn line; it is dropped. */
function readWriterHistory(path: string, killed: boolean): Stamped[] {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  const out: Stamped[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let e: WriterHistoryLine;
    try {
      e = JSON.parse(line) as WriterHistoryLine;
    } catch (err) {
      if (killed && i >= lines.length - 2) return;
      throw new Error(`${path} line ${i + 1} is not valid JSON (${(err as Error).message})`);
    }
    out.push({ wall: e.wall_ms, process: e.process, type: e.type, value: e.value, ...(e.error === undefined ? {} : { error: e.error }) });
  });
  return out;
}

/**
 * Merge per-process streams into one history by wall time, keeping each stream's order. On a
 * tie (the clock has 1 ms resolution) invocations go first: that only drops real-time edges
 * the timestamps cannot prove, so it never invents an anomaly.
 */
export function mergeStreams(streams: readonly (readonly Stamped[])[], startMs: number): HistoryEvent[] {
  const pos = streams.map(() => 0);
  const out: HistoryEvent[] = [];
  for (;;) {
    let best = -1;
    for (let s = 0; s < streams.length; s++) {
      const e = (streams[s] as readonly Stamped[])[pos[s] as number];
      if (e === undefined) continue;
      if (best < 0) {
        best = s;
        continue;
      }
      const b = (streams[best] as readonly Stamped[])[pos[best] as number] as Stamped;
      if (e.wall < b.wall || (e.wall === b.wall && e.type === 'invoke' && b.type !== 'invoke')) best = s;
    }
    if (best < 0) return out;
    const e = (streams[best] as readonly Stamped[])[pos[best] as number] as Stamped;
    pos[best] = (pos[best] as number) + 1;
    const index = out.length;
    const time = Math.round((e.wall - startMs) * 1e6);
    if (e.nemesis !== undefined) out.push({ index, process: 'nemesis', type: 'info', f: e.nemesis, value: e.label, time });
    else out.push({ index, process: e.process, type: e.type, f: 'txn', value: e.value, time, ...(e.error === undefined ? {} : { error: e.error }) });
  }
}
