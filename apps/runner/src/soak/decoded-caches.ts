/**
 * The manifest clients' decoded-object caches (`DecodedCache`: segments and checkpoint payloads
 * parsed once and reused). They fill as the manifest grows, up to a fixed capacity per client,
 * so over an hour they look like a leak that is not one: a soak counts their entries every
 * bucket and, once the run is over, weighs an entry by emptying them — so the memory verdict
 * can be about what grows beyond them.
 */
import { Manifest, type ManifestOptions } from '@manifest-lab/manifest-core';
import type { StoredValue } from '@manifest-lab/workload';
import { liveHeapMb } from './memory.js';

export interface CacheCounts {
  readonly decoded_segments: number;
  readonly decoded_checkpoints: number;
}

/** What one cached entry costs, and what the caches could hold at most. */
export interface CacheCalibration {
  /** Live heap freed per cached segment / checkpoint, KB (0 when there were none). */
  readonly segment_entry_kb: number;
  readonly checkpoint_entry_kb: number;
  /** Entries at the end of the run, and the capacity of the caches counted. */
  readonly segments: number;
  readonly checkpoints: number;
  readonly segment_capacity: number;
  readonly checkpoint_capacity: number;
}

export class DecodedCaches {
  /**
   * The current manifest of each client, by name: a client that crashed and restarted replaces
   * its dead process's manifest, whose caches are then garbage, neither counted nor kept alive.
   */
  readonly #manifests = new Map<string, Manifest<string, StoredValue>>();

  /** A `WorkloadEnvironment.manifestFactory` that builds the default manifest and remembers it as the client's. */
  readonly factory = (options: ManifestOptions, client: string): Manifest<string, StoredValue> => {
    const m = new Manifest<string, StoredValue>(options);
    this.#manifests.set(client, m);
    return m;
  };

  counts(): CacheCounts {
    let s = 0;
    let c = 0;
    for (const m of this.#manifests.values()) {
      s += m.parts.segments.decoded.size;
      c += m.parts.checkpoints.decoded.size;
    }
    return { decoded_segments: s, decoded_checkpoints: c };
  }

  /** Empty every cache, measuring the live heap each frees. Only after the run: it ends the caching. */
  calibrate(): CacheCalibration {
    const { decoded_segments: segments, decoded_checkpoints: checkpoints } = this.counts();
    let segmentCapacity = 0;
    let checkpointCapacity = 0;
    const before = liveHeapMb();
    for (const m of this.#manifests.values()) {
      segmentCapacity += m.parts.segments.decoded.capacity;
      m.parts.segments.decoded.capacity = 0;
    }
    const withoutSegments = liveHeapMb();
    for (const m of this.#manifests.values()) {
      checkpointCapacity += m.parts.checkpoints.decoded.capacity;
      m.parts.checkpoints.decoded.capacity = 0;
    }
    const withoutEither = liveHeapMb();
    const kb = (freedMb: number, n: number) => (n === 0 ? 0 : Math.round((Math.max(0, freedMb) * 1000 * 1000) / n) / 1000);
    return {
      segment_entry_kb: kb(before - withoutSegments, segments),
      checkpoint_entry_kb: kb(withoutSegments - withoutEither, checkpoints),
      segments,
      checkpoints,
      segment_capacity: segmentCapacity,
      checkpoint_capacity: checkpointCapacity,
    };
  }
}
