import type { Diagnostic } from '../model/diagnostics.js';
import type { NodeContext } from '../model/types.js';
import { planService } from '../proxy/plan.js';
import type { ServicePortPlan } from '../proxy/plan-types.js';
import type { ClusterStore } from '../sync/store.js';

/** What the daemon's side jobs (NodePort holders, health checks, conntrack) need to know per service. */
export interface ServiceFacts {
  namespace: string;
  name: string;
  nodePorts: { protocol: ServicePortPlan['protocol']; port: number }[];
  healthCheck?: { port: number; localEndpoints: number };
  /** UDP ports with their service addresses and current endpoint IPs. */
  udp: { port: number; nodePort?: number; ips: string[]; endpoints: string[] }[];
}

export function serviceFacts(store: ClusterStore, key: string, ctx: NodeContext): ServiceFacts | undefined {
  const service = store.services.get(key);
  if (!service) return undefined;
  const ignored: Diagnostic[] = [];
  const planned = planService(service, store.slicesOf(key), ctx, ignored);
  const ports = [...planned.ipv4, ...planned.ipv6];
  const nodePorts = new Map<string, { protocol: ServicePortPlan['protocol']; port: number }>();
  for (const p of ports) if (p.nodePort !== undefined) nodePorts.set(`${p.protocol}/${p.nodePort}`, { protocol: p.protocol, port: p.nodePort });
  const udp = new Map<number, ServiceFacts['udp'][number]>();
  for (const p of ports.filter((q) => q.protocol === 'UDP')) {
    const entry = udp.get(p.port) ?? { port: p.port, nodePort: p.nodePort, ips: [], endpoints: [] };
    entry.ips.push(p.clusterIP, ...p.externalIPs, ...p.loadBalancerIPs);
    entry.endpoints.push(...p.cluster.map((e) => e.ip));
    udp.set(p.port, entry);
  }
  const local = new Set(ports.flatMap((p) => p.cluster.filter((e) => e.local).map((e) => e.ip)));
  return {
    namespace: service.namespace,
    name: service.name,
    nodePorts: [...nodePorts.values()],
    healthCheck: service.healthCheckNodePort !== undefined && service.externalTrafficLocal && service.type === 'LoadBalancer'
      ? { port: service.healthCheckNodePort, localEndpoints: local.size }
      : undefined,
    udp: [...udp.values()],
  };
}

/** Facts that give a side job something to do; the others behave exactly as an absent entry. */
export function hasSideJobs(f: ServiceFacts): boolean {
  return f.nodePorts.length > 0 || f.udp.length > 0 || f.healthCheck !== undefined;
}

export interface StaleUdp {
  ips: string[];
  port: number;
  nodePort?: number;
  gainedFirstEndpoint: boolean;
  removedEndpointIPs: string[];
}

/** UDP flows to clean: endpoints that went away, and ports that just got their first endpoint. */
export function staleUdp(before: ServiceFacts | undefined, after: ServiceFacts | undefined): StaleUdp[] {
  const out: StaleUdp[] = [];
  for (const old of before?.udp ?? []) {
    const now = after?.udp.find((u) => u.port === old.port);
    const removed = old.endpoints.filter((ip) => !now?.endpoints.includes(ip));
    if (removed.length) out.push({ ips: old.ips, port: old.port, nodePort: old.nodePort, gainedFirstEndpoint: false, removedEndpointIPs: removed });
  }
  for (const now of after?.udp ?? []) {
    const old = before?.udp.find((u) => u.port === now.port);
    // Only a port we saw rejecting (known, no endpoints) has cached rejects to clear. An unknown port
    // (first sync after a start, or a new service) has none: clearing would cut healthy flows.
    if (now.endpoints.length > 0 && old && old.endpoints.length === 0) {
      out.push({ ips: now.ips, port: now.port, nodePort: now.nodePort, gainedFirstEndpoint: true, removedEndpointIPs: [] });
    }
  }
  return out;
}
