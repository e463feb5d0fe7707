export {
  composePlans,
  constantFault,
  cpuSlowdownMs,
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
export { REFERENCE_CPU, SCENARIO_NAMES, SCENARIOS, type Scenario, scenario } from './scenarios.js';
