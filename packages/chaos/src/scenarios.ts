/**
 * The reference framework's seven chaos scenarios as fault plans: baseline, added latency of
 * 100, 200 and 500 ms, blocking (three random 10-second outages), CPU overload (4 threads at
 * 80 % on 2 cores) and 200 ms plus CPU. Each is a function of the run's length and seed.
 */
import { composePlans, constantFault, type FaultPlan, randomOutages } from './fault-plan.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly plan: (durationS: number, seed: number) => FaultPlan;
}

/** The CPU overload the reference ran: 4 threads at 80 % on this lab's 2-core machines. */
export const REFERENCE_CPU = { kind: 'cpu', threads: 4, duty: 0.8, cores: 2, work_ms: 2 } as const;

const latency = (ms: number): Scenario => ({
  name: `latency-${ms}`,
  description: `+${ms} ms on every request`,
  plan: (d) => constantFault(`+${ms} ms`, { kind: 'latency', ms }, d),
});

export const SCENARIOS: readonly Scenario[] = [
  { name: 'baseline', description: 'no faults', plan: () => ({ name: 'baseline', windows: [] }) },
  latency(100),
  latency(200),
  latency(500),
  {
    name: 'blocking',
    description: 'three random 10-second outages (requests hang, then time out)',
    plan: (d, seed) => randomOutages(seed, { durationS: d, count: 3, lengthS: 10, fromS: Math.min(10, d / 10) }),
  },
  {
    name: 'cpu',
    description: 'CPU overload, 4 threads at 80 % on 2 cores (a processor-sharing model in virtual time)',
    plan: (d) => constantFault('CPU 4×80%', REFERENCE_CPU, d),
  },
  {
    name: 'combined',
    description: '+200 ms and CPU overload together',
    plan: (d) => composePlans('combined', constantFault('+200 ms', { kind: 'latency', ms: 200 }, d), constantFault('CPU 4×80%', REFERENCE_CPU, d)),
  },
];

export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

export function scenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
