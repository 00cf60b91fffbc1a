import { compareIPOrder, ipOrder, type IPOrder } from '../model/ip.js';
import type { EndpointSliceInfo, EndpointSlicePort, ServicePortInfo } from '../model/types.js';
import type { PlanEndpoint } from './plan-types.js';

interface Candidate {
  endpoint: PlanEndpoint;
  order: IPOrder;
  ready: boolean;
  servingTerminating: boolean;
}

export interface EndpointLists {
  cluster: PlanEndpoint[];
  /** This node's usable endpoints; left empty when the caller said it does not need them. */
  local: PlanEndpoint[];
  /** Slices that carry no port for this service port (the targetPort could not be resolved). */
  unresolvedSlices: EndpointSliceInfo[];
}

/**
 * Endpoints of one service port from its slices of one address family. The slice port is found by the
 * service port's name (the EndpointSlice controller names slice ports after service ports, having
 * resolved named targetPorts per pod); a named targetPort is tried as a fallback for hand-made slices.
 * The lists share their PlanEndpoint objects. `withLocal` false skips the local list (no traffic policy
 * Local applies): the common case, and a pass per port saved on a cold start.
 */
export function endpointsFor(port: ServicePortInfo, slices: EndpointSliceInfo[], nodeName: string, withLocal = true): EndpointLists {
  const candidates: Candidate[] = [];
  const unresolvedSlices: EndpointSliceInfo[] = [];
  for (const slice of slices) {
    const portNumber = slicePortFor(port, slice.ports);
    if (portNumber === undefined) {
      if (slice.endpoints.length > 0) unresolvedSlices.push(slice);
      continue;
    }
    for (const ep of slice.endpoints) {
      const ip = ep.address;
      candidates.push({
        endpoint: { ip, port: portNumber, local: ep.nodeName === nodeName },
        order: ipOrder(ip),
        ready: ep.ready,
        servingTerminating: ep.serving && ep.terminating,
      });
    }
  }
  // Stable: of the copies of one address (a slice split lists it twice), the first keeps its place.
  candidates.sort((a, b) => compareIPOrder(a.order, b.order) || a.endpoint.port - b.endpoint.port);
  const all = withoutCopies(candidates);
  return {
    cluster: usable(all),
    local: withLocal ? usable(all.filter((c) => c.endpoint.local)) : [],
    unresolvedSlices,
  };
}

function slicePortFor(port: ServicePortInfo, slicePorts: EndpointSlicePort[]): number | undefined {
  const byName = slicePorts.find((p) => p.name === port.name && p.protocol === port.protocol)
    ?? (typeof port.targetPort === 'string' ? slicePorts.find((p) => p.name === port.targetPort && p.protocol === port.protocol) : undefined);
  if (byName) return byName.port;
  return slicePorts.length === 0 && typeof port.targetPort === 'number' ? port.targetPort : undefined;
}

/**
 * One candidate per address and port, with its best condition: the same address in two slices (during a
 * slice split) counts once. Copies are adjacent in the sorted input; the first ready one wins, else the first.
 */
function withoutCopies(sorted: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    const copy = last !== undefined && last.endpoint.ip === c.endpoint.ip && last.endpoint.port === c.endpoint.port;
    if (!copy) out.push(c);
    else if (!last.ready && c.ready) out[out.length - 1] = c;
  }
  return out;
}

/** Ready endpoints; when none is ready, those still serving while terminating (graceful shutdown). */
function usable(candidates: Candidate[]): PlanEndpoint[] {
  const ready = candidates.filter((c) => c.ready);
  const chosen = ready.length > 0 ? ready : candidates.filter((c) => c.servingTerminating);
  return chosen.map((c) => c.endpoint);
}
