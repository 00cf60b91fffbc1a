// The test mini-cluster: a LAN namespace with a bridge, node-a and node-b on it, an external
// client, and pods on routed /32 (/128) veths (Calico style) with echo servers on 8080.
import {
  addAddress,
  addBridge,
  addNamespace,
  addRoute,
  addVeth,
  addBridgePort,
  buildLab,
  setSysctl,
  type Lab,
} from './netns.js';
import { startEchoServer } from './servers.js';

export type Family = 'ipv4' | 'ipv6';
export type PodName = 'pod-1' | 'pod-2' | 'pod-3' | 'client-pod';

export interface FamilyAddresses {
  family: Family;
  lanPrefix: number;
  router: string;
  nodeA: string;
  nodeB: string;
  client: string;
  pods: Record<PodName, string>;
  podGatewayA: string;
  podGatewayB: string;
  podCidrA: string;
  podCidrB: string;
  clusterCidr: string;
  serviceCidr: string;
  /** Service fixtures use <service prefix><n> for n = 10..15. */
  serviceIp(n: number): string;
}

export const ADDRESSES: Record<Family, FamilyAddresses> = {
  ipv4: {
    family: 'ipv4',
    lanPrefix: 24,
    router: '192.168.56.1',
    nodeA: '192.168.56.10',
    nodeB: '192.168.56.11',
    client: '192.168.56.100',
    pods: { 'pod-1': '10.244.0.2', 'pod-2': '10.244.0.3', 'client-pod': '10.244.0.4', 'pod-3': '10.244.1.2' },
    podGatewayA: '10.244.0.1',
    podGatewayB: '10.244.1.1',
    podCidrA: '10.244.0.0/24',
    podCidrB: '10.244.1.0/24',
    clusterCidr: '10.244.0.0/16',
    serviceCidr: '10.96.0.0/12',
    serviceIp: (n) => `10.96.0.${n}`,
  },
  ipv6: {
    family: 'ipv6',
    lanPrefix: 64,
    router: 'fd00:192:168:56::1',
    nodeA: 'fd00:192:168:56::10',
    nodeB: 'fd00:192:168:56::11',
    client: 'fd00:192:168:56::100',
    pods: { 'pod-1': 'fd00:10:244::2', 'pod-2': 'fd00:10:244::3', 'client-pod': 'fd00:10:244::4', 'pod-3': 'fd00:10:244:1::2' },
    podGatewayA: 'fd00:10:244::1',
    podGatewayB: 'fd00:10:244:1::1',
    podCidrA: 'fd00:10:244::/64',
    podCidrB: 'fd00:10:244:1::/64',
    clusterCidr: 'fd00:10:244::/56',
    serviceCidr: 'fd00:10:96::/112',
    serviceIp: (n) => `fd00:10:96::${n}`,
  },
};

export const ECHO_PORT = 8080;
const SERVER_PODS: PodName[] = ['pod-1', 'pod-2', 'pod-3'];
const POD_NODE: Record<PodName, 'nodeA' | 'nodeB'> = { 'pod-1': 'nodeA', 'pod-2': 'nodeA', 'client-pod': 'nodeA', 'pod-3': 'nodeB' };

export interface MiniCluster {
  lab: Lab;
  lan: string;
  nodeA: string;
  nodeB: string;
  client: string;
  pods: Record<PodName, string>;
}

/** Addresses node-a may legitimately use as a masquerade source. */
export function nodeAAddresses(a: FamilyAddresses): string[] {
  return [a.nodeA, a.podGatewayA];
}

export async function buildMiniCluster(): Promise<MiniCluster> {
  return buildLab(populate);
}

async function populate(lab: Lab): Promise<MiniCluster> {
  const lan = await addNamespace(lab, 'lan');
  const nodeA = await addNamespace(lab, 'node-a');
  const nodeB = await addNamespace(lab, 'node-b');
  const client = await addNamespace(lab, 'client');
  const pods = {} as Record<PodName, string>;
  for (const pod of Object.keys(POD_NODE) as PodName[]) pods[pod] = await addNamespace(lab, pod);
  const cluster: MiniCluster = { lab, lan, nodeA, nodeB, client, pods };

  await addBridge(lan, 'br0');
  for (const [port, ns] of [['p-node-a', nodeA], ['p-node-b', nodeB], ['p-client', client]] as const) {
    await addBridgePort(lan, 'br0', port, ns);
  }
  for (const ns of [nodeA, nodeB]) {
    await setSysctl(ns, 'net.ipv4.ip_forward', '1');
    await setSysctl(ns, 'net.ipv6.conf.all.forwarding', '1');
    // The kernel rate-limits ICMP errors per peer (a new IPv6 peer's first error is held back
    // ~1 s); a rejected UDP probe sends one datagram, so limits would turn "refused" into "timeout".
    await setSysctl(ns, 'net.ipv4.icmp_ratelimit', '0');
    await setSysctl(ns, 'net.ipv6.icmp.ratelimit', '0');
  }
  for (const pod of Object.keys(POD_NODE) as PodName[]) {
    await addVeth({ ns: cluster[POD_NODE[pod]], dev: `v-${pod}` }, { ns: pods[pod], dev: 'eth0' });
  }
  for (const a of Object.values(ADDRESSES)) await addressFamily(cluster, a);
  await Promise.all(
    SERVER_PODS.flatMap((pod) =>
      (['tcp', 'udp'] as const).map((proto) => startEchoServer(lab, pods[pod], { name: pod, port: ECHO_PORT, proto })),
    ),
  );
  return cluster;
}

async function addressFamily(cluster: MiniCluster, a: FamilyAddresses): Promise<void> {
  const host = a.family === 'ipv4' ? 32 : 128;
  await addAddress(cluster.lan, 'br0', `${a.router}/${a.lanPrefix}`);
  await addAddress(cluster.nodeA, 'eth0', `${a.nodeA}/${a.lanPrefix}`);
  await addAddress(cluster.nodeB, 'eth0', `${a.nodeB}/${a.lanPrefix}`);
  await addAddress(cluster.client, 'eth0', `${a.client}/${a.lanPrefix}`);
  // Nodes need a default route so locally generated traffic to a ClusterIP gets routed at all.
  await addRoute(cluster.nodeA, 'default', { via: a.router });
  await addRoute(cluster.nodeB, 'default', { via: a.router });
  await addRoute(cluster.nodeA, a.podCidrB, { via: a.nodeB });
  await addRoute(cluster.nodeB, a.podCidrA, { via: a.nodeA });
  // The external client can reach ClusterIPs through node-a (for the masquerade test).
  await addRoute(cluster.client, a.serviceCidr, { via: a.nodeA });
  for (const pod of Object.keys(POD_NODE) as PodName[]) {
    const node = cluster[POD_NODE[pod]];
    const gateway = POD_NODE[pod] === 'nodeA' ? a.podGatewayA : a.podGatewayB;
    await addAddress(node, `v-${pod}`, `${gateway}/${host}`);
    await addRoute(node, `${a.pods[pod]}/${host}`, { dev: `v-${pod}` });
    await addAddress(cluster.pods[pod], 'eth0', `${a.pods[pod]}/${host}`);
    await addRoute(cluster.pods[pod], gateway, { dev: 'eth0', scope: 'link' });
    await addRoute(cluster.pods[pod], 'default', { via: gateway, dev: 'eth0' });
  }
}
