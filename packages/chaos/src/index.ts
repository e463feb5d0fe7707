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
export { type FaultCount, type FaultCounts, FaultyObjectStore, totalFaultCounts } from './faulty-store.js';
export { REFERENCE_CPU, SCENARIO_NAMES, SCENARIOS, type Scenario, scenario } from './scenarios.js';
// Real time: network faults on a TCP proxy or a Toxiproxy server, and real CPU burning.
export { type CpuBurn, type CpuBurnOptions, startCpuBurn } from './cpu-burner.js';
export { httpEndpointAddress, isNetworkWindow, type NetworkFault, type NetworkWindow, networkWindows, storeWindows } from './network-windows.js';
export { TcpFaultProxy, type TcpFaultProxyCounts, type TcpFaultProxyOptions } from './tcp-fault-proxy.js';
export { type ToxicEvent, type ToxicSpec, ToxiproxyFaults, type ToxiproxyFaultsOptions, toxicsForWindow } from './toxiproxy.js';
export { type ChaosEnvironment, chaosEnvironment, type CompactionCounts, compactionNemesis, type NemesisHost, SkewedClock } from './process-nemeses.js';
export { HAZARD_DURATION_S, HAZARD_LEASE_TTL_MS, HAZARD_NAMES, type HazardFindings, type HazardScenario, HAZARDS, hazard } from './hazards.js';
