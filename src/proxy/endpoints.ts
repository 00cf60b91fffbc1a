import { sortByIP } from '../model/ip.js';
import type { EndpointSliceInfo, ServicePortInfo } from '../model/types.js';
import type { PlanEndpoint } from './plan-types.js';

interface Candidate extends PlanEndpoint {
  ready: boolean;
  servingTerminating: boolean;
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
 */
export function endpointsFor(port: ServicePortInfo, slices: EndpointSliceInfo[], nodeName: string): EndpointLists {
  const byKey = new Map<string, Candidate>();
  const unresolvedSlices: EndpointSliceInfo[] = [];
  for (const slice of slices) {
    const slicePort = slice.ports.find((p) => p.name === port.name && p.protocol === port.protocol)
      ?? (typeof port.targetPort === 'string' ? slice.ports.find((p) => p.name === port.targetPort && p.protocol === port.protocol) : undefined)
      ?? (slice.ports.length === 0 && typeof port.targetPort === 'number' ? { port: port.targetPort } : undefined);
    if (!slicePort) {
      if (slice.endpoints.length > 0) unresolvedSlices.push(slice);
      continue;
    }
    for (const ep of slice.endpoints) {
      const candidate: Candidate = {
        ip: ep.addresses[0],
        port: slicePort.port,
        local: ep.nodeName === nodeName,
        ready: ep.ready,
        servingTerminating: ep.serving && ep.terminating,
      };
      const key = `${candidate.ip}|${candidate.port}`;
      const seen = byKey.get(key);
      // The same address in two slices (during a slice split) counts once, with its best condition.
      if (!seen || (!seen.ready && candidate.ready)) byKey.set(key, candidate);
    }
  }
  const all = sortByIP([...byKey.values()], (e) => e.ip, (a, b) => a.port - b.port);
  return {
    cluster: usable(all),
    local: usable(all.filter((e) => e.local)),
    unresolvedSlices,
  };
}

/** Ready endpoints; when none is ready, those still serving while terminating (graceful shutdown). */
function usable(candidates: Candidate[]): PlanEndpoint[] {
  const ready = candidates.filter((c) => c.ready);
  const chosen = ready.length > 0 ? ready : candidates.filter((c) => c.servingTerminating);
  return chosen.map(({ ip, port, local }) => ({ ip, port, local }));
}
