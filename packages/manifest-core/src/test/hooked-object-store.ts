import type {
  ListOptions,
  ListPage,
  ObjectHeadInfo,
  ObjectStore,
  PutOptions,
  RequestCounts,
  RequestKind,
  StoredObject,
} from '../ports/object-store.js';

/** One request as it passes through a `HookedObjectStore`. */
export interface HookedRequest {
  readonly kind: RequestKind;
  readonly key: string;
  readonly options?: PutOptions | ListOptions;
}

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
 * the seam where faults are injected, here in its smallest form. Request counts are the inner
 * store's.
 */
export class HookedObjectStore implements ObjectStore {
  constructor(
    readonly inner: ObjectStore,
    private readonly hooks: RequestHooks,
  ) {}

  async #around<T>(request: HookedRequest, op: () => Promise<T>): Promise<T> {
    await this.hooks.before?.(request);
    const out = await op();
    await this.hooks.after?.(request);
    return out;
  }

  get(key: string): Promise<StoredObject | null> {
    return this.#around({ kind: 'GET', key }, () => this.inner.get(key));
  }

  head(key: string): Promise<ObjectHeadInfo | null> {
    return this.#around({ kind: 'HEAD', key }, () => this.inner.head(key));
  }

  put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<string> {
    const kind = options.condition === undefined ? 'PUT' : 'CPUT';
    return this.#around({ kind, key, options }, () => this.inner.put(key, body, options));
  }

  list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    return this.#around({ kind: 'LIST', key: prefix, options }, () => this.inner.list(prefix, options));
  }

  delete(key: string): Promise<void> {
    return this.#around({ kind: 'DELETE', key }, () => this.inner.delete(key));
  }

  requestCounts(): RequestCounts {
    return this.inner.requestCounts();
  }

  resetCounts(): void {
    this.inner.resetCounts();
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
