import { CheckpointStore } from './checkpoint-store.js';
import { GcPlanStore } from './gc-plan-store.js';
import { HeadStore } from './head-store.js';
import { Layout } from './layout.js';
import { LeaseStore } from './lease-store.js';
import type { ObjectStore } from './ports/object-store.js';
import type { Runtime } from './runtime.js';
import { SegmentStore } from './segment-store.js';

/** The role stores of one manifest over one `ObjectStore` + prefix, and its runtime. */
export class ManifestParts {
  readonly layout: Layout;
  readonly head: HeadStore;
  readonly segments: SegmentStore;
  readonly checkpoints: CheckpointStore;
  readonly leases: LeaseStore;
  readonly gcPlan: GcPlanStore;

  constructor(
    readonly store: ObjectStore,
    prefix: string,
    readonly rt: Runtime,
  ) {
    this.layout = new Layout(prefix);
    this.head = new HeadStore(store, this.layout.head, () => rt.clock.wallNow());
    this.segments = new SegmentStore(store, this.layout);
    this.checkpoints = new CheckpointStore(store, this.layout);
    this.leases = new LeaseStore(store, this.layout, rt);
    this.gcPlan = new GcPlanStore(store, this.layout.gcPlan, rt);
  }
}
