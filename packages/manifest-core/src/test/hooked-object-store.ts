import type { ObjectStore } from '../ports/object-store.js';
import { ObjectStoreDecorator, type StoreRequest } from '../stores/object-store-decorator.js';

/** One request as it passes through a `HookedObjectStore`. */
export type HookedRequest = StoreRequest;

export interface RequestHooks {
  /** Runs before the request reaches the inner store: sleep to stall it, throw to fail it. */
  before?(request: HookedRequest): void | Promise<void>;
  /**
   * Runs after the inner store answered: throw to lose the response of an applied request
   * (an ambiguous failure).
   */
  after?(request: HookedRequest): void | Promise<void>;
}

/**
 * An `ObjectStore` decorator that lets a test stall, fail or observe individual requests —
 * the seam where faults are injected, here in its smallest form.
 */
export class HookedObjectStore extends ObjectStoreDecorator {
  constructor(
    inner: ObjectStore,
    private readonly hooks: RequestHooks,
  ) {
    super(inner);
  }

  protected override async around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    await this.hooks.before?.(request);
    const out = await op();
    await this.hooks.after?.(request);
    return out;
  }
}

/** A conditional PUT of a manifest's `HEAD.json`: the commit point. */
export function isHeadCas(req: HookedRequest): boolean {
  return req.kind === 'CPUT' && (req.key === 'HEAD.json' || req.key.endsWith('/HEAD.json'));
}

/**
 * Runs an action once, just before the first request that matches — to stall that request or to
 * slip another process's work in front of it. `arm` sets (or re-sets) the action.
 */
export class InterceptOnce extends HookedObjectStore {
  readonly #state: { action: ((req: HookedRequest) => Promise<void>) | undefined; fired: boolean };

  constructor(
    inner: ObjectStore,
    match: (req: HookedRequest) => boolean,
    action?: (req: HookedRequest) => Promise<void>,
  ) {
    const state = { action, fired: false };
    super(inner, {
      async before(req) {
        if (state.fired || state.action === undefined || !match(req)) return;
        state.fired = true;
        await state.action(req);
      },
    });
    this.#state = state;
  }

  arm(action: (req: HookedRequest) => Promise<void>): void {
    this.#state.action = action;
    this.#state.fired = false;
  }

  /** Whether the action has run since it was last armed. */
  get fired(): boolean {
    return this.#state.fired;
  }
}

/**
 * A store whose first checkpoint PUT stalls `ms` of `clock` time: a slow compactor, whose
 * checkpoint lands after other work (§6.4, §6.5).
 */
export function slowFirstCheckpointPut(inner: ObjectStore, clock: { sleep(ms: number): Promise<void> }, ms: number): InterceptOnce {
  return new InterceptOnce(
    inner,
    (req) => req.kind === 'PUT' && req.key.includes('/checkpoints/'),
    () => clock.sleep(ms),
  );
}
