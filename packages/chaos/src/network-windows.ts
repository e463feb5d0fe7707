/**
 * Which windows of a plan a network-level injector (the TCP fault proxy, Toxiproxy) can apply.
 * On the wire there are only bytes and connections: no client names, request kinds or keys, and
 * no process to pause, crash or skew — those windows stay with the store seam.
 */
import type { Fault, FaultPlan, FaultWindow } from './fault-plan.js';

/** The faults a TCP-level injector applies. */
export type NetworkFault = Extract<Fault, { kind: 'latency' | 'bandwidth' | 'outage' }>;

/** A window a TCP-level injector applies: a network fault that touches every request. */
export type NetworkWindow = FaultWindow & { readonly fault: NetworkFault };

export function isNetworkWindow(w: FaultWindow): w is NetworkWindow {
  const kind = w.fault.kind;
  if (kind !== 'latency' && kind !== 'bandwidth' && kind !== 'outage') return false;
  const t = w.target;
  return t === undefined || (t.clients === undefined && t.kinds === undefined && t.key_contains === undefined);
}

/** The part of `plan` a network-level injector applies. */
export function networkWindows(plan: FaultPlan): FaultPlan & { readonly windows: readonly NetworkWindow[] } {
  return { name: plan.name, windows: plan.windows.filter(isNetworkWindow) };
}

/** The rest of `plan`: what only the store seam (`FaultyObjectStore`) can apply. */
export function storeWindows(plan: FaultPlan): FaultPlan {
  return { name: plan.name, windows: plan.windows.filter((w) => !isNetworkWindow(w)) };
}

/** Host and port of an `http://` endpoint URL (the only kind a plain TCP proxy can stand in for). */
export function httpEndpointAddress(endpoint: string): { host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || url.hostname === '') return undefined;
  // IPv6 literals come bracketed in URLs; sockets want them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port === '' ? 80 : Number(url.port) };
}
