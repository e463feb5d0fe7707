/**
 * Test helpers for code built on manifest-core: `@manifest-lab/manifest-core/test`.
 */
export {
  type HookedRequest,
  HookedObjectStore,
  InterceptOnce,
  isHeadCas,
  type RequestHooks,
} from './hooked-object-store.js';
export { decodeObjects, type DecodedObject } from './decode-objects.js';
export { simulate, type SimWorld } from './simulation.js';
export { commitEntries } from './commit-entries.js';
export { type PlantedBug, PLANTED_BUGS, type PlantOptions, plantBug } from './planted-bugs.js';
export { describeObjectStoreConformance, type StoreUnderTest } from './conformance.js';
export { describeReferenceScenarios, type ScenarioWorld } from './reference-scenarios.js';
export { createTestBucket } from './test-bucket.js';
