import { VirtualClock } from '../clock/virtual-clock.js';
import type { JsonValue, Key } from '../json.js';
import { Manifest, type ManifestOptions } from '../manifest.js';
import { SeededRandom } from '../random.js';
import { MemoryObjectStore } from '../stores/memory-object-store.js';

/** A manifest on a fresh memory store under virtual time — the lab's default world. */
export interface SimWorld<K extends Key, V extends JsonValue> {
  readonly clock: VirtualClock;
  readonly store: MemoryObjectStore;
  readonly manifest: Manifest<K, V>;
  /** Another `Manifest` on the same store and prefix: a second process. */
  open(overrides?: Partial<ManifestOptions>): Manifest<K, V>;
}

/**
 * Run `fn` in a fresh simulated world (memory store, `VirtualClock`, seeded random) and return
 * its result. Everything `fn` does is deterministic given `seed`.
 */
export function simulate<T, K extends Key = Key, V extends JsonValue = JsonValue>(
  fn: (world: SimWorld<K, V>) => Promise<T>,
  options: { seed?: number; prefix?: string; manifest?: Partial<ManifestOptions> } = {},
): Promise<T> {
  const clock = new VirtualClock();
  const store = new MemoryObjectStore();
  const random = new SeededRandom(options.seed ?? 0);
  let opened = 0;
  const open = (overrides: Partial<ManifestOptions> = {}) =>
    new Manifest<K, V>({
      store,
      prefix: options.prefix ?? 'test',
      clock,
      random: random.fork(opened++),
      ...options.manifest,
      ...overrides,
    });
  const manifest = open();
  return clock.run(() => fn({ clock, store, manifest, open }));
}
