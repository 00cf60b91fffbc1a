import type { Command } from 'commander';
import type { NodeFlags } from '../model/context.js';

export function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** The node-context flags shared by render, run and diff. */
export function addNodeContextOptions(cmd: Command): Command {
  return cmd
    .option('--node-name <name>', 'the node to render for (default: $NODE_NAME)', process.env.NODE_NAME)
    .option('--node-ip <ip>', 'node address (repeatable; default: the Node\'s InternalIPs)', collect, [])
    .option('--cluster-cidr <cidr>', 'pod CIDR (repeatable; default: the Node\'s spec.podCIDRs)', collect, [])
    .option('--nodeport-addresses <cidr>', 'node addresses accepting NodePorts (repeatable; default: all node IPs)', collect, [])
    .option('--masquerade-all', 'masquerade all traffic to ClusterIPs', false)
    .option('--service-node-port-range <range>', 'NodePort range A-B', '30000-32767');
}

export function nodeFlagsFrom(opts: Record<string, unknown>): NodeFlags {
  return {
    nodeName: String(opts.nodeName),
    nodeIPs: opts.nodeIp as string[],
    clusterCIDRs: opts.clusterCidr as string[],
    nodePortAddresses: opts.nodeportAddresses as string[],
    masqueradeAll: Boolean(opts.masqueradeAll),
    nodePortRange: opts.serviceNodePortRange as string,
  };
}
