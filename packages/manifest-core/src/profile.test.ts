import { describe, expect, it } from 'vitest';
import {
  CorruptError,
  FatalError,
  NotFoundError,
  PreconditionFailedError,
  ThrottledError,
  TimeoutError,
  TransientError,
  UnimplementedError,
} from './errors.js';
import { classifyError } from './profile.js';

describe("classifyError('fusio-0.5') — the crate's classify_error after fusio's error mapping", () => {
  it('only a precondition failure is a durable conflict', () => {
    expect(classifyError('fusio-0.5', new PreconditionFailedError())).toBe('durable-conflict');
  });
  it('corrupt data and unsupported calls are fatal', () => {
    expect(classifyError('fusio-0.5', new CorruptError('x'))).toBe('fatal');
    expect(classifyError('fusio-0.5', new UnimplementedError('x'))).toBe('fatal');
  });
  it('every other storage failure is "transient" — a 403 or a missing object included', () => {
    for (const err of [
      new FatalError('403'),
      new NotFoundError('404'),
      new ThrottledError('503'),
      new TimeoutError('t'),
      new TransientError('500'),
      new Error('socket hang up'),
      'not even an Error',
    ]) {
      expect(classifyError('fusio-0.5', err)).toBe('transient');
    }
  });
});
