export {
  composePlans,
  constantFault,
  type Fault,
  type FaultPlan,
  FaultPlanError,
  faultPlanToJson,
  type FaultTarget,
  faultWindowRecords,
  type FaultWindow,
  parseFaultPlan,
  randomOutages,
  windowApplies,
} from './fault-plan.js';
export { type FaultCounts, FaultyObjectStore } from './faulty-store.js';
