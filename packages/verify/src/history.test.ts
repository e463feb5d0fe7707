import { describe, expect, it } from 'vitest';
import { HistoryError, isNemesis, parseHistory } from './history.js';

const line = (o: Record<string, unknown>) => JSON.stringify({ f: 'txn', time: 0, value: [], ...o });

describe('parseHistory', () => {
  it('pairs invocations with completions by process', () => {
    const h = parseHistory(
      [line({ index: 0, process: 0, type: 'invoke' }), line({ index: 1, process: 1, type: 'invoke' }), line({ index: 2, process: 1, type: 'ok' }), line({ index: 3, process: 0, type: 'fail' }), ''].join('\n'),
    );
    expect(h.txns.map((t) => [t.op.index, t.invokeIndex, t.op.type])).toEqual([
      [2, 1, 'ok'],
      [3, 0, 'fail'],
    ]);
  });

  it('turns an invocation never completed into info', () => {
    const h = parseHistory(line({ index: 0, process: 4, type: 'invoke' }));
    expect(h.txns[0]?.op.type).toBe('info');
  });

  it.each([
    ['not json', /line 1: not valid JSON/],
    [line({ index: 0, process: 0, type: 'done' }), /line 1: `type` must be one of invoke, ok, fail, info/],
    [line({ index: -1, process: 0, type: 'invoke' }), /line 1: `index` must be a non-negative integer/],
    [line({ index: 0, process: 'a', type: 'invoke' }), /`process` must be an integer/],
    [line({ index: 0, process: 0, type: 'invoke', value: [['x', 'k', 1]] }), /micro-op 0: f must be "r", "append" or "w"/],
    [line({ index: 0, process: 0, type: 'invoke', value: [['r', { a: 1 }, null]] }), /a key must be a string or an integer/],
    [line({ index: 0, process: 0, type: 'ok' }), /line 1: process 0 completed \(ok\) without an invocation/],
    [[line({ index: 0, process: 0, type: 'invoke' }), line({ index: 1, process: 0, type: 'invoke' })].join('\n'), /line 2: process 0 invoked again before completing/],
    [[line({ index: 0, process: 0, type: 'invoke' }), line({ index: 1, process: 0, type: 'info' }), line({ index: 2, process: 0, type: 'invoke' })].join('\n'), /line 3: process 0 invoked after an info completion/],
    [[line({ index: 5, process: 0, type: 'invoke' }), line({ index: 5, process: 0, type: 'ok' })].join('\n'), /line 2: index 5 does not increase/],
  ])('rejects %s', (text, message) => {
    expect(() => parseHistory(text)).toThrow(HistoryError);
    expect(() => parseHistory(text)).toThrow(message);
  });
});

describe('nemesis entries', () => {
  it('are skipped as fault annotations, not transactions', () => {
    const text = [
      '{"index":0,"process":0,"type":"invoke","f":"txn","value":[["append","k",1]],"time":0}',
      '{"index":1,"process":"nemesis","type":"info","f":"start","value":"outage 1","time":1}',
      '{"index":2,"process":0,"type":"ok","f":"txn","value":[["append","k",1]],"time":2}',
      '{"index":3,"process":"nemesis","type":"info","f":"stop","value":"outage 1","time":3}',
    ].join('\n');
    const h = parseHistory(text);
    expect(h.ops).toHaveLength(2);
    expect(h.txns).toHaveLength(1);
    expect(isNemesis({ process: 'nemesis' })).toBe(true);
    expect(isNemesis({ process: 0 })).toBe(false);
  });
});
