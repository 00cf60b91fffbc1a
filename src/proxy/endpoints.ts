import { compareIPOrder, ipOrder, type IPOrder } from '../model/ip.js';
import type { EndpointInfo, EndpointSliceInfo, EndpointSlicePort, ServicePortInfo } from '../model/types.js';
import type { PlanEndpoint } from './plan-types.js';

/**
 * The endpoints of one service port found in its slices, as parallel lists (one entry per slice
 * endpoint): no wrapper object per endpoint, which a cold start at 100k endpoints pays for in GC.
 */
interface Found {
  endpoints: PlanEndpoint[];
  sources: EndpointInfo[];
  orders: IPOrder[];
}

export interface EndpointLists {
  cluster: PlanEndpoint[];
  local: PlanEndpoint[];
  /** Slices that carry no port for this service port (the targetPort could not be resolved). */
  unresolvedSlices: EndpointSliceInfo[];
}

/**
 * Endpoints of one service port from its slices of one address family. The slice port is found by the
 * service port's name (the EndpointSlice controller names slice ports after service ports, having
 * resolved named targetPorts per pod); a named targetPort is tried as a fallback for hand-made slices.
 * The lists share their PlanEndpoint objects.
 */
export function endpointsFor(port: ServicePortInfo, slices: EndpointSliceInfo[], nodeName: string): EndpointLists {
  const found: Found = { endpoints: [], sources: [], orders: [] };
  const unresolvedSlices: EndpointSliceInfo[] = [];
  for (const slice of slices) {
    const portNumber = slicePortFor(port, slice.ports);
    if (portNumber === undefined) {
      if (slice.endpoints.length > 0) unresolvedSlices.push(slice);
      continue;
    }
    for (const ep of slice.endpoints) {
      const ip = ep.addresses[0];
      found.endpoints.push({ ip, port: portNumber, local: ep.nodeName === nodeName });
      found.sources.push(ep);
      found.orders.push(ipOrder(ip));
    }
  }
  return { ...usable(found, sortedIndexes(found)), unresolvedSlices };
}

function slicePortFor(port: ServicePortInfo, slicePorts: EndpointSlicePort[]): number | undefined {
  const byName = slicePorts.find((p) => p.name === port.name && p.protocol === port.protocol)
    ?? (typeof port.targetPort === 'string' ? slicePorts.find((p) => p.name === port.targetPort && p.protocol === port.protocol) : undefined);
  if (byName) return byName.port;
  return slicePorts.length === 0 && typeof port.targetPort === 'number' ? port.targetPort : undefined;
}

/**
 * Indexes of `found` by address, then port. Ties keep their slice order (the index breaks them), so of
 * the copies of one address (a slice split lists it twice) the first keeps its place.
 */
function sortedIndexes(found: Found): Uint32Array {
  const { endpoints, orders } = found;
  const indexes = new Uint32Array(endpoints.length);
  for (let i = 0; i < indexes.length; i++) indexes[i] = i;
  return indexes.sort((a, b) => compareIPOrder(orders[a], orders[b]) || endpoints[a].port - endpoints[b].port || a - b);
}

/**
 * Ready endpoints; when none is ready, those still serving while terminating (graceful shutdown) — for
 * every endpoint and, separately, for this node's own. One pass over the sorted endpoints: copies of an
 * address and port (the same address in two slices during a split) are adjacent and count once, with
 * their best condition: the first ready copy, else the first.
 */
function usable(found: Found, sorted: Uint32Array): { cluster: PlanEndpoint[]; local: PlanEndpoint[] } {
  const ready: PlanEndpoint[] = [];
  const localReady: PlanEndpoint[] = [];
  const serving: PlanEndpoint[] = [];
  const localServing: PlanEndpoint[] = [];
  for (let start = 0; start < sorted.length;) {
    const end = endOfCopies(found, sorted, start);
    const chosen = bestCopy(found, sorted, start, end);
    const endpoint = found.endpoints[chosen];
    const source = found.sources[chosen];
    if (source.ready) {
      ready.push(endpoint);
      if (endpoint.local) localReady.push(endpoint);
    } else if (source.serving && source.terminating) {
      serving.push(endpoint);
      if (endpoint.local) localServing.push(endpoint);
    }
    start = end;
  }
  return {
    cluster: ready.length > 0 ? ready : serving,
    local: localReady.length > 0 ? localReady : localServing,
  };
}

/** The copy to use among sorted[start..end): the first ready one, else the first. */
function bestCopy(found: Found, sorted: Uint32Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (found.sources[sorted[i]].ready) return sorted[i];
  return sorted[start];
}

/** Where the run of copies starting at sorted[start] ends (exclusive). */
function endOfCopies(found: Found, sorted: Uint32Array, start: number): number {
  const first = found.endpoints[sorted[start]];
  let end = start + 1;
  while (end < sorted.length && isCopy(found.endpoints[sorted[end]], first)) end++;
  return end;
}

function isCopy(a: PlanEndpoint, b: PlanEndpoint): boolean {
  return a.ip === b.ip && a.port === b.port;
}
