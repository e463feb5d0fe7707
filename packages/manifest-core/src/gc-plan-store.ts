import { JSON_CONTENT_TYPE } from './layout.js';
import type { ObjectStore, PutCondition } from './ports/object-store.js';
import { newBackoff, retryTransient, type Runtime } from './runtime.js';
import { decodeGcPlan, encodeGcPlan, type GcPlan } from './wire.js';

export interface LoadedGcPlan {
  readonly plan: GcPlan;
  readonly tag: string;
}

/** The GC plan document `P/gc/GARBAGE`; load and put retry transient errors per backoff. */
export class GcPlanStore {
  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    private readonly rt: Runtime,
  ) {}

  load(): Promise<LoadedGcPlan | null> {
    return retryTransient(this.rt, newBackoff(this.rt), async () => {
      const obj = await this.store.get(this.key);
      return obj === null ? null : { plan: decodeGcPlan(obj.body), tag: obj.etag };
    });
  }

  put(plan: GcPlan, condition: PutCondition): Promise<string> {
    return retryTransient(this.rt, newBackoff(this.rt), () =>
      this.store.put(this.key, encodeGcPlan(plan), { condition, contentType: JSON_CONTENT_TYPE }),
    );
  }
}
