import { describe, expect, it } from 'vitest';
import { type HistoryEvent, HistoryRecorder, historyToJsonl } from './history.js';

describe('HistoryRecorder', () => {
  it('pairs each invoke with one completion, defaulting to the invoked value', () => {
    let now = 0;
    const h = new HistoryRecorder(() => now);
    h.invoke(0, [['r', 'k', null], ['append', 'k', 1]]);
    now = 1.5;
    h.invoke(1, [['r', 'k', null]]);
    h.complete(0, 'ok', [['r', 'k', []], ['append', 'k', 1]]);
    now = 2;
    h.complete(1, 'fail');
    expect(historyToJsonl(h.events)).toBe(
      [
        '{"index":0,"process":0,"type":"invoke","f":"txn","value":[["r","k",null],["append","k",1]],"time":0}',
        '{"index":1,"process":1,"type":"invoke","f":"txn","value":[["r","k",null]],"time":1500000}',
        '{"index":2,"process":0,"type":"ok","f":"txn","value":[["r","k",[]],["append","k",1]],"time":1500000}',
        '{"index":3,"process":1,"type":"fail","f":"txn","value":[["r","k",null]],"time":2000000}',
        '',
      ].join('\n'),
    );
  });

  it('refuses a second invoke or a completion without one', () => {
    const h = new HistoryRecorder(() => 0);
    h.invoke(0, []);
    expect(() => h.invoke(0, [])).toThrow(/invoked twice/);
    expect(() => h.complete(1, 'ok')).toThrow(/without an invoke/);
  });
});

describe('HistoryRecorder with a sink', () => {
  it('hands every event over in batches, keeps none, and numbers them as without a sink', () => {
    const batches: number[] = [];
    const spilled: HistoryEvent[] = [];
    const sink = {
      batch: 3,
      write: (events: readonly HistoryEvent[]) => {
        batches.push(events.length);
        spilled.push(...events);
      },
    };
    const withSink = new HistoryRecorder(() => 1, sink);
    const plain = new HistoryRecorder(() => 1);
    for (const h of [withSink, plain]) {
      for (let p = 0; p < 3; p++) h.invoke(p, [['append', 'k', p]]);
      h.nemesis('start', 'fault');
      for (let p = 0; p < 3; p++) h.complete(p, 'ok');
    }
    expect(withSink.events.length).toBeLessThan(3);
    withSink.flush();
    expect(withSink.events).toEqual([]);
    expect(batches).toEqual([3, 3, 1]);
    expect(withSink.count).toBe(7);
    expect(historyToJsonl(spilled)).toBe(historyToJsonl(plain.events));
  });
});
