import { warningFor, type Diagnostic } from './diagnostics.js';
import { compareCIDRs, compareIPs, normalizeCIDR, normalizeIP } from './ip.js';
import type { ClusterState, NodeContext } from './types.js';

export interface NodeFlags {
  nodeName: string;
  nodeIPs?: string[];
  clusterCIDRs?: string[];
  nodePortAddresses?: string[];
  masqueradeAll?: boolean;
  nodePortRange?: string;
}

export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

/** Thrown for a flag value that cannot be used; the CLI reports it and exits 2. */
export class FlagError extends Error {
  constructor(readonly flag: string, message: string) {
    super(`${flag}: ${message}`);
    this.name = 'FlagError';
  }
}

export function parseNodePortRange(text: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1 || max > 65535 || min > max) throw new FlagError('--service-node-port-range', `invalid range ${JSON.stringify(text)} (expected A-B within 1-65535)`);
  return { min, max };
}

function parseList(values: string[] | undefined, flag: string, parse: (v: string) => string | undefined, compare: (a: string, b: string) => number): string[] {
  const out = (values ?? []).map((v) => {
    const parsed = parse(v);
    if (!parsed) throw new FlagError(flag, `invalid value ${JSON.stringify(v)}`);
    return parsed;
  });
  return [...new Set(out)].sort(compare);
}

/** Node facts: flags win; otherwise the Node object's InternalIPs and podCIDRs. */
export function buildNodeContext(flags: NodeFlags, state: ClusterState): { ctx: NodeContext; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const node = state.nodes.find((n) => n.name === flags.nodeName);
  let nodeIPs = parseList(flags.nodeIPs, '--node-ip', normalizeIP, compareIPs);
  let clusterCIDRs = parseList(flags.clusterCIDRs, '--cluster-cidr', normalizeCIDR, compareCIDRs);
  const nodePortAddresses = parseList(flags.nodePortAddresses, '--nodeport-addresses', normalizeCIDR, compareCIDRs);
  const ref = { kind: 'Node', name: flags.nodeName };
  if (nodeIPs.length === 0) {
    nodeIPs = [...(node?.internalIPs ?? [])].sort(compareIPs);
    if (nodeIPs.length === 0) diagnostics.push(warningFor(ref, 'status.addresses', node ? 'node has no InternalIP and no --node-ip was given; NodePorts are not rendered' : 'node not found in the input and no --node-ip was given; NodePorts are not rendered'));
  }
  if (clusterCIDRs.length === 0) {
    clusterCIDRs = [...(node?.podCIDRs ?? [])].sort(compareCIDRs);
    if (clusterCIDRs.length === 0) diagnostics.push(warningFor(ref, 'spec.podCIDRs', 'no pod CIDR known (no --cluster-cidr and none on the Node); traffic from outside the cluster to ClusterIPs is not masqueraded'));
  }
  return {
    ctx: {
      nodeName: flags.nodeName,
      nodeIPs,
      clusterCIDRs,
      nodePortAddresses,
      masqueradeAll: flags.masqueradeAll ?? false,
      nodePortRange: parseNodePortRange(flags.nodePortRange ?? DEFAULT_NODE_PORT_RANGE),
    },
    diagnostics,
  };
}
