// A policy lab: one node namespace routing between pod namespaces on veths (routed /32 and /128,
// Calico style) and two external hosts, dual-stack. Echo servers answer "NAME <peer>".
import { addAddress, addNamespace, addRoute, addVeth, createLab, destroyLab, setSysctl, type Lab } from '../kernel/netns.js';
import { startEchoServer } from '../kernel/servers.js';
import type { IPFamily } from '../../src/model/ip.js';

export type Host = 'server' | 'friend' | 'stranger' | 'locked' | 'ghost' | 'ext1' | 'ext2';
export const HOSTS: readonly Host[] = ['server', 'friend', 'stranger', 'locked', 'ghost', 'ext1', 'ext2'];

interface FamilyPlan {
  /** The node's address: on the veths to external hosts, and in the plan's nodeIPs. */
  node: string;
  /** The node end of every pod veth (the pods' gateway). */
  podGateway: string;
  podCIDR: string;
  hosts: Record<Host, string>;
}

export const LAB: Record<IPFamily, FamilyPlan> = {
  ipv4: {
    node: '192.168.56.10',
    podGateway: '10.244.0.1',
    podCIDR: '10.244.0.0/24',
    hosts: { server: '10.244.0.2', friend: '10.244.0.3', stranger: '10.244.0.4', locked: '10.244.0.5', ghost: '10.244.0.9', ext1: '192.168.56.100', ext2: '192.168.56.101' },
  },
  ipv6: {
    node: 'fd00:192:168:56::10',
    podGateway: 'fd00:10:244::1',
    podCIDR: 'fd00:10:244::/64',
    hosts: { server: 'fd00:10:244::2', friend: 'fd00:10:244::3', stranger: 'fd00:10:244::4', locked: 'fd00:10:244::5', ghost: 'fd00:10:244::9', ext1: 'fd00:192:168:56::100', ext2: 'fd00:192:168:56::101' },
  },
};

export const FAMILIES: readonly IPFamily[] = ['ipv4', 'ipv6'];
const EXTERNAL = new Set<Host>(['ext1', 'ext2']);

/** Which TCP/UDP ports each host (and the node) serves. */
export const SERVES: Record<Host | 'node', { port: number; proto: 'tcp' | 'udp' }[]> = {
  server: [{ port: 8080, proto: 'tcp' }, { port: 9090, proto: 'tcp' }, { port: 8080, proto: 'udp' }],
  friend: [{ port: 8080, proto: 'tcp' }],
  stranger: [],
  locked: [{ port: 8080, proto: 'tcp' }],
  ghost: [{ port: 8080, proto: 'tcp' }],
  ext1: [{ port: 8080, proto: 'tcp' }],
  ext2: [],
  node: [{ port: 8080, proto: 'tcp' }, { port: 9090, proto: 'tcp' }],
};

export interface PolicyLab {
  lab: Lab;
  node: string;
  hosts: Record<Host, string>;
}

export async function buildPolicyLab(): Promise<PolicyLab> {
  const lab = createLab();
  try {
    const node = await addNamespace(lab, 'pnode');
    await setSysctl(node, 'net.ipv4.ip_forward', '1');
    await setSysctl(node, 'net.ipv6.conf.all.forwarding', '1');
    const hosts = {} as Record<Host, string>;
    for (const host of HOSTS) {
      hosts[host] = await addNamespace(lab, `p-${host}`);
      await addVeth({ ns: node, dev: `v-${host}` }, { ns: hosts[host], dev: 'eth0' });
      for (const family of FAMILIES) {
        const f = LAB[family];
        const bits = family === 'ipv4' ? 32 : 128;
        const gateway = EXTERNAL.has(host) ? f.node : f.podGateway;
        await addAddress(node, `v-${host}`, `${gateway}/${bits}`);
        await addRoute(node, `${f.hosts[host]}/${bits}`, { dev: `v-${host}` });
        await addAddress(hosts[host], 'eth0', `${f.hosts[host]}/${bits}`);
        await addRoute(hosts[host], gateway, { dev: 'eth0', scope: 'link' });
        await addRoute(hosts[host], 'default', { via: gateway, dev: 'eth0' });
      }
    }
    const servers = [...HOSTS.map((h) => [h, hosts[h]] as const), ['node', node] as const];
    await Promise.all(servers.flatMap(([name, ns]) => SERVES[name].map((s) => startEchoServer(lab, ns, { name, ...s }))));
    return { lab, node, hosts };
  } catch (error) {
    await destroyLab(lab);
    throw error;
  }
}

/** Forget neighbours everywhere, so IPv6 neighbour discovery runs again under the rules being tested. */
export async function flushNeighbours(lab: PolicyLab): Promise<void> {
  const { run } = await import('../kernel/exec.js');
  for (const ns of [lab.node, ...Object.values(lab.hosts)]) await run('ip', ['-n', ns, 'neigh', 'flush', 'all'], { check: false });
}
