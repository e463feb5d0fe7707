import { type Clock, type ObjectStore, ObjectStoreDecorator, type StoreRequest } from '@manifest-lab/manifest-core';

/**
 * A client far from the store (multi-region): every request waits half of `roundTripMs`
 * before the store sees it and half after it answers. Applied in the run's clock, so in
 * virtual time a remote writer's requests are slower by exactly `roundTripMs`.
 */
export class RemoteLatencyStore extends ObjectStoreDecorator {
  constructor(
    inner: ObjectStore,
    private readonly clock: Clock,
    private readonly roundTripMs: number,
  ) {
    super(inner);
  }

  protected override async around<T>(_request: StoreRequest, op: () => Promise<T>): Promise<T> {
    const half = this.roundTripMs / 2;
    await this.clock.sleep(half);
    const result = await op();
    await this.clock.sleep(half);
    return result;
  }
}
