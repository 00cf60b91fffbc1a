import { warningFor, type Diagnostic } from '../model/diagnostics.js';
import { cidrContains, familyOf, FAMILIES, type IPFamily } from '../model/ip.js';
import type { ClusterState, EndpointSliceInfo, NodeContext, ServiceInfo } from '../model/types.js';
import { endpointsFor } from './endpoints.js';
import { compareText } from '../model/convert.js';
import type { FamilyPlan, ProxyPlan, ServicePortPlan } from './plan-types.js';

/** Pure: cluster state and node facts in, what every service port must get on this node out. */
export function planServices(state: ClusterState, ctx: NodeContext): ProxyPlan {
  const diagnostics: Diagnostic[] = [];
  const slicesByService = groupSlices(state.slices);
  const families = familyShells(ctx);
  for (const service of state.services) {
    const ports = planService(service, slicesByService.get(service.namespace)?.get(service.name) ?? [], ctx, diagnostics);
    for (const fp of families) appendTo(fp.ports, ports[fp.family]);
  }
  for (const fp of families) fp.ports.sort(comparePorts);
  return { families, diagnostics: dedupe(diagnostics) };
}

/** Appends in place: a spread push copies its arguments onto the stack first. */
function appendTo<T>(target: T[], items: T[]): void {
  for (const item of items) target.push(item);
}

/** Per-family node facts with no ports yet. */
export function familyShells(ctx: NodeContext): FamilyPlan[] {
  return FAMILIES.map((family) => {
    const nodeIPs = ctx.nodeIPs.filter((ip) => familyOf(ip) === family);
    const npCIDRs = ctx.nodePortAddresses.filter((c) => familyOf(c) === family);
    return {
      family,
      nodeIPs,
      nodePortIPs: ctx.nodePortAddresses.length === 0 ? nodeIPs : nodeIPs.filter((ip) => npCIDRs.some((c) => cidrContains(c, ip))),
      clusterCIDRs: ctx.clusterCIDRs.filter((c) => familyOf(c) === family),
      masqueradeAll: ctx.masqueradeAll,
      ports: [],
    };
  });
}

/** One service's ports for each family: the unit the daemon replans when a service or slice changes. */
export function planService(service: ServiceInfo, slices: EndpointSliceInfo[], ctx: NodeContext, diagnostics: Diagnostic[]): Record<IPFamily, ServicePortPlan[]> {
  checkNodePorts(service, ctx, diagnostics);
  return {
    ipv4: planServiceFamily(service, 'ipv4', slices, ctx, diagnostics).sort(comparePorts),
    ipv6: planServiceFamily(service, 'ipv6', slices, ctx, diagnostics).sort(comparePorts),
  };
}

/** Namespace, name, protocol, then port number: stable, and 80 sorts before 443. */
function comparePorts(a: ServicePortPlan, b: ServicePortPlan): number {
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.protocol, b.protocol) || a.port - b.port;
}

/**
 * Slices by namespace, then service name: keyed by the strings the objects already hold, whose hashes
 * are computed once, rather than by a `namespace/name` string built (and hashed) per slice and per service.
 */
function groupSlices(slices: EndpointSliceInfo[]): Map<string, Map<string, EndpointSliceInfo[]>> {
  const byNamespace = new Map<string, Map<string, EndpointSliceInfo[]>>();
  for (const s of slices) {
    let byName = byNamespace.get(s.namespace);
    if (!byName) byNamespace.set(s.namespace, (byName = new Map()));
    const list = byName.get(s.serviceName);
    if (list) list.push(s);
    else byName.set(s.serviceName, [s]);
  }
  return byNamespace;
}

function planServiceFamily(
  service: ServiceInfo, family: IPFamily, slices: EndpointSliceInfo[], ctx: NodeContext, diagnostics: Diagnostic[],
): ServicePortPlan[] {
  const clusterIP = service.clusterIPs.find((ip) => familyOf(ip) === family);
  if (!clusterIP) return [];
  const familySlices = slices.filter((s) => (s.addressType === 'IPv4') === (family === 'ipv4'));
  const externalIPs = ofFamily(service.externalIPs, family);
  const loadBalancerIPs = ofFamily(service.loadBalancerIPs, family);
  const sourceRanges = ofFamily(service.loadBalancerSourceRanges, family);
  const externallyReachable = externalIPs.length > 0 || loadBalancerIPs.length > 0 || service.type !== 'ClusterIP';
  const externalLocal = service.externalTrafficLocal && externallyReachable;
  const needsLocal = service.internalTrafficLocal || externalLocal;
  return service.ports.map((port) => {
    const lists = endpointsFor(port, familySlices, ctx.nodeName, needsLocal);
    for (const slice of lists.unresolvedSlices) {
      diagnostics.push(warningFor(slice.ref, 'ports', `no port named ${JSON.stringify(port.name)} (${port.protocol}) for service port ${port.port} of ${service.namespace}/${service.name}; its endpoints are not used for that port`));
    }
    return {
      id: `${service.namespace}/${service.name}/${port.protocol.toLowerCase()}/${port.port}`,
      namespace: service.namespace,
      name: service.name,
      portName: port.name,
      protocol: port.protocol,
      clusterIP,
      port: port.port,
      nodePort: nodePortInRange(port.nodePort, ctx) ? port.nodePort : undefined,
      externalIPs,
      loadBalancerIPs,
      sourceRanges,
      externalLocal,
      affinityTimeout: service.affinityTimeout,
      cluster: lists.cluster,
      internal: service.internalTrafficLocal ? lists.local : lists.cluster,
      external: externalLocal ? lists.local : lists.cluster,
    };
  });
}

/**
 * The addresses or CIDRs of one family. The list itself when it has no other (nearly always: most are
 * empty), shared with the service: plans are never mutated, and 30k empty lists at 10k services would
 * live through the render.
 */
function ofFamily(list: string[], family: IPFamily): string[] {
  return list.every((a) => familyOf(a) === family) ? list : list.filter((a) => familyOf(a) === family);
}

function nodePortInRange(nodePort: number | undefined, ctx: NodeContext): boolean {
  return nodePort !== undefined && nodePort >= ctx.nodePortRange.min && nodePort <= ctx.nodePortRange.max;
}

function checkNodePorts(service: ServiceInfo, ctx: NodeContext, diagnostics: Diagnostic[]): void {
  service.ports.forEach((port, i) => {
    if (port.nodePort !== undefined && !nodePortInRange(port.nodePort, ctx)) {
      const { min, max } = ctx.nodePortRange;
      diagnostics.push(warningFor(service.ref, `spec.ports[${i}].nodePort`,
        `nodePort ${port.nodePort} of service ${service.namespace}/${service.name} is outside the service node port range ${min}-${max}; not rendered`));
    }
  });
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
