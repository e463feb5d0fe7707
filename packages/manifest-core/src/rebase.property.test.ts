/**
 * Property, under every profile: random concurrent read-modify-write programs (gets, range scans,
 * puts, deletes; a compactor sometimes runs alongside) under virtual time with seeded latency are
 * serializable *including the writers' reads* — committed transactions form one serial order by
 * txn id, each committed writer read exactly the state before its txn id (so a rebased
 * transaction's snapshot reads are still right at its new position), failed ones are invisible,
 * and readers see their snapshot (fusio-0.5 without the compactor: its §6.1 hazard breaks the
 * property there). Under `strict-rebase` the programs must also rebase some.
 * Reproduce a failure with FC_SEED=<seed printed by fast-check> (the program's seed is printed
 * in the counterexample).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock/virtual-clock.js';
import { PreconditionFailedError } from './errors.js';
import { Manifest } from './manifest.js';
import { PROFILE_RULES, PROFILES, type Profile } from './profile.js';
import { SeededRandom } from './random.js';
import { inRange, type KeyRange } from './read-path.js';
import { MemoryObjectStore } from './stores/memory-object-store.js';
import { HookedObjectStore } from './test/hooked-object-store.js';

type Op =
  | { kind: 'get'; key: string }
  | { kind: 'scan'; start?: string; end?: string }
  | { kind: 'put'; key: string }
  | { kind: 'del'; key: string };
type ClientSpec =
  | { role: 'writer'; txns: Op[][]; thinkMs: number }
  | { role: 'reader'; txns: string[][]; thinkMs: number }
  | { role: 'compactor'; rounds: number; thinkMs: number };

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const key = fc.constantFrom(...KEYS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record(
      { kind: fc.constant('scan' as const), start: key, end: fc.constantFrom(...KEYS, 'z') },
      { requiredKeys: ['kind'] },
    ),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('del' as const), key }) },
);
const client: fc.Arbitrary<ClientSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      role: fc.constant('writer' as const),
      txns: fc.array(fc.array(op, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }),
      thinkMs: fc.integer({ min: 0, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      role: fc.constant('reader' as const),
      txns: fc.array(fc.array(key, { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      thinkMs: fc.integer({ min: 0, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      role: fc.constant('compactor' as const),
      rounds: fc.integer({ min: 1, max: 3 }),
      thinkMs: fc.integer({ min: 5, max: 60 }),
    }),
  },
);

type Read = readonly ['get', string, number | undefined] | readonly ['scan', KeyRange<string>, [string, number][]];
interface Committed {
  readonly txnId: number;
  readonly snapshotTxn: number;
  readonly reads: readonly Read[];
  readonly writes: readonly (readonly [string, number | null])[];
}

async function runProgram(profile: Profile, seed: number, clients: ClientSpec[]) {
  const clock = new VirtualClock();
  const rng = new SeededRandom(seed);
  const latency = rng.fork('latency');
  const store = new HookedObjectStore(new MemoryObjectStore(), {
    before: () => clock.sleep(latency.int(0, 30)),
  });
  let nextValue = 0;
  const committed: Committed[] = [];
  const failedValues = new Set<number>();
  const observed: { snapshotTxn: number; gets: [string, number | undefined][] }[] = [];

  await clock.run(() =>
    Promise.all(
      clients.map(async (spec, i) => {
        const m = new Manifest<string, number>({ store, prefix: 'p', clock, random: rng.fork(i), profile });
        if (spec.role === 'compactor') {
          // fusio-0.5 reports a commit failed that a checkpoint's HEAD rewrite left visible (§6.1,
          // hazards.test.ts): the property holds there only without compactors.
          if (!PROFILE_RULES[profile].verifiedCommitOutcome) return;
          for (let r = 0; r < spec.rounds; r++) {
            await clock.sleep(spec.thinkMs);
            await m.compactor().compactOnce().catch((err: unknown) => {
              if (!(err instanceof PreconditionFailedError)) throw err;
            });
          }
        } else if (spec.role === 'writer') {
          for (const txn of spec.txns) {
            await clock.sleep(spec.thinkMs);
            const w = await m.sessionWrite();
            const reads: Read[] = [];
            const writes: [string, number | null][] = [];
            for (const o of txn) {
              if (o.kind === 'get') reads.push(['get', o.key, await w.get(o.key)]);
              else if (o.kind === 'scan') {
                const range: KeyRange<string> = { ...(o.start === undefined ? {} : { start: o.start }), ...(o.end === undefined ? {} : { end: o.end }) };
                reads.push(['scan', range, await w.scanRange(range)]);
              } else if (o.kind === 'del') {
                w.delete(o.key);
                writes.push([o.key, null]);
              } else {
                const v = nextValue++;
                w.put(o.key, v);
                writes.push([o.key, v]);
              }
            }
            try {
              const { txnId } = await w.commit();
              committed.push({ txnId, snapshotTxn: w.snapshot.txnId, reads, writes });
            } catch (err) {
              if (!(err instanceof PreconditionFailedError)) throw err;
              for (const [, v] of writes) if (v !== null) failedValues.add(v);
            }
          }
        } else {
          for (const keys of spec.txns) {
            await clock.sleep(spec.thinkMs);
            await using r = await m.sessionRead();
            const gets: [string, number | undefined][] = [];
            for (const k of keys) gets.push([k, await r.get(k)]);
            observed.push({ snapshotTxn: r.snapshot.txnId, gets });
          }
        }
      }),
    ),
  );
  const final = new Manifest<string, number>({ store, prefix: 'p', clock, profile });
  const latest = await clock.run(() => final.scanLatest());
  return { committed, failedValues, observed, latest };
}

function stateAt(committed: readonly Committed[], upTo: number): Map<string, number> {
  const map = new Map<string, number>();
  for (const c of committed) {
    if (c.txnId > upTo) break;
    for (const [k, v] of c.writes) v === null ? map.delete(k) : map.set(k, v);
  }
  return map;
}
const sorted = (m: Map<string, number>, range?: KeyRange<string>) =>
  [...m].filter(([k]) => range === undefined || inRange(k, range)).sort(([a], [b]) => (a < b ? -1 : 1));

describe('serializability of read-modify-write programs, every profile (virtual time)', { timeout: 120_000 }, () => {
  for (const profile of PROFILES) {
    it(`${profile}: writers' reads match the state just before their txn id; one serial order`, async () => {
      let commits = 0;
      let rebased = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.array(client, { minLength: 2, maxLength: 6 }),
          async (seed, clients) => {
            const { committed, failedValues, observed, latest } = await runProgram(profile, seed, clients);
            commits += committed.length;
            committed.sort((a, b) => a.txnId - b.txnId);
            expect(committed.map((c) => c.txnId)).toEqual(committed.map((_, i) => i + 1));
            expect(latest).toEqual(sorted(stateAt(committed, Number.POSITIVE_INFINITY)));
            for (const [, v] of latest) expect(failedValues.has(v)).toBe(false);
            for (const c of committed) {
              if (c.txnId > c.snapshotTxn + 1) rebased++;
              const before = stateAt(committed, c.txnId - 1);
              for (const r of c.reads) {
                if (r[0] === 'get') expect([c.txnId, r[1], r[2]]).toEqual([c.txnId, r[1], before.get(r[1])]);
                else expect([c.txnId, r[2]]).toEqual([c.txnId, sorted(before, r[1])]);
              }
            }
            for (const o of observed) {
              const expected = stateAt(committed, o.snapshotTxn);
              for (const [k, v] of o.gets) expect(v).toBe(expected.get(k));
            }
          },
        ),
        { seed: Number(process.env.FC_SEED ?? 0x5eed), numRuns: Number(process.env.FC_NUM_RUNS ?? 100) },
      );
      expect(commits).toBeGreaterThan(100);
      // Only a rebasing profile commits a transaction past its snapshot's next txn id.
      if (PROFILE_RULES[profile].rebaseOnConflict) expect(rebased).toBeGreaterThan(10);
      else expect(rebased).toBe(0);
    });
  }
});
