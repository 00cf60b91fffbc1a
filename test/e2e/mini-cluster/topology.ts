// The e2e mini-cluster's namespaces (DESIGN.md "Test mini-cluster"), kubenet style:
//
//   LAN 192.168.56.0/24: a bridge br0 in its own namespace (router address .1), node-a .10,
//   node-b .11, the API server .2, the external client .100.
//   Each node has a cbr0 bridge holding .1 of its pod CIDR (10.244.0.0/24 on node-a,
//   10.244.1.0/24 on node-b); pods hang off cbr0 on veth pairs with a /24 and a default route
//   via .1. Each node routes the other node's pod CIDR via the other node's LAN address.
//
// Everything lives in namespaces of one Lab (names pxt-<pid>-<n>-<role>); nothing is
// configured in the machine's own namespace. destroyTopology removes it all.
import { addAddress, addBridge, addBridgePort, addNamespace, addRoute, buildLab, destroyLab, setSysctl, type Lab } from '../../kernel/netns.js';
import { startEchoServer } from '../../kernel/servers.js';

export type NodeName = 'node-a' | 'node-b';
export type PodName = 'pod-a1' | 'pod-a2' | 'pod-b1' | 'pod-b2' | 'client-a' | 'client-b';

export interface PodSpec {
  node: NodeName;
  ip: string;
  /** Runs TCP and UDP echo servers on ECHO_PORT. */
  server: boolean;
}

export const ECHO_PORT = 8080;
export const LAN_PREFIX = 24;
export const ROUTER_IP = '192.168.56.1';
export const API_IP = '192.168.56.2';
export const CLIENT_IP = '192.168.56.100';
export const NODE_IP: Record<NodeName, string> = { 'node-a': '192.168.56.10', 'node-b': '192.168.56.11' };
export const POD_CIDR: Record<NodeName, string> = { 'node-a': '10.244.0.0/24', 'node-b': '10.244.1.0/24' };
export const POD_GATEWAY: Record<NodeName, string> = { 'node-a': '10.244.0.1', 'node-b': '10.244.1.1' };
export const PODS: Record<PodName, PodSpec> = {
  'pod-a1': { node: 'node-a', ip: '10.244.0.2', server: true },
  'pod-a2': { node: 'node-a', ip: '10.244.0.3', server: true },
  'client-a': { node: 'node-a', ip: '10.244.0.4', server: false },
  'pod-b1': { node: 'node-b', ip: '10.244.1.2', server: true },
  'pod-b2': { node: 'node-b', ip: '10.244.1.3', server: true },
  'client-b': { node: 'node-b', ip: '10.244.1.4', server: false },
};
export const NODES: NodeName[] = ['node-a', 'node-b'];

export interface Topology {
  lab: Lab;
  lan: string;
  api: string;
  client: string;
  nodes: Record<NodeName, string>;
  pods: Record<PodName, string>;
}

/** Builds the namespaces, links, addresses, routes and echo servers; cleans up itself on failure. */
export async function buildTopology(): Promise<Topology> {
  return buildLab(populate);
}

export async function destroyTopology(topology: Topology | undefined): Promise<void> {
  if (topology) await destroyLab(topology.lab);
}

async function populate(lab: Lab): Promise<Topology> {
  const lan = await addNamespace(lab, 'lan');
  const api = await addNamespace(lab, 'api');
  const client = await addNamespace(lab, 'client');
  const nodes = { 'node-a': await addNamespace(lab, 'node-a'), 'node-b': await addNamespace(lab, 'node-b') };
  const pods = {} as Record<PodName, string>;
  for (const pod of Object.keys(PODS) as PodName[]) pods[pod] = await addNamespace(lab, pod);
  const topology: Topology = { lab, lan, api, client, nodes, pods };

  await addBridge(lan, 'br0');
  await addAddress(lan, 'br0', `${ROUTER_IP}/${LAN_PREFIX}`);
  const lanMembers: [string, string, string][] = [['p-api', api, API_IP], ['p-client', client, CLIENT_IP], ['p-node-a', nodes['node-a'], NODE_IP['node-a']], ['p-node-b', nodes['node-b'], NODE_IP['node-b']]];
  for (const [port, ns, ip] of lanMembers) {
    await addBridgePort(lan, 'br0', port, ns);
    await addAddress(ns, 'eth0', `${ip}/${LAN_PREFIX}`);
  }
  for (const node of NODES) await setUpNode(topology, node);
  for (const pod of Object.keys(PODS) as PodName[]) await attachPod(topology, pod);
  await Promise.all(
    (Object.keys(PODS) as PodName[]).filter((pod) => PODS[pod].server).flatMap((pod) =>
      (['tcp', 'udp'] as const).map((proto) => startEchoServer(lab, pods[pod], { name: pod, port: ECHO_PORT, proto })),
    ),
  );
  return topology;
}

async function setUpNode(topology: Topology, node: NodeName): Promise<void> {
  const ns = topology.nodes[node];
  const other: NodeName = node === 'node-a' ? 'node-b' : 'node-a';
  await setSysctl(ns, 'net.ipv4.ip_forward', '1');
  // Rejections are single packets; the kernel's per-peer ICMP rate limit would turn them into timeouts.
  await setSysctl(ns, 'net.ipv4.icmp_ratelimit', '0');
  // Replies between pods on one cbr0 are bridged, never routed: conntrack must see them to undo the
  // DNAT, as on a real kubenet node (br_netfilter). Set in the node namespace only.
  await setSysctl(ns, 'net.bridge.bridge-nf-call-iptables', '1');
  await setSysctl(ns, 'net.bridge.bridge-nf-call-ip6tables', '1');
  await addBridge(ns, 'cbr0');
  await addAddress(ns, 'cbr0', `${POD_GATEWAY[node]}/24`);
  await addRoute(ns, 'default', { via: ROUTER_IP });
  await addRoute(ns, POD_CIDR[other], { via: NODE_IP[other] });
}

async function attachPod(topology: Topology, pod: PodName): Promise<void> {
  const { node, ip } = PODS[pod];
  const nodeNs = topology.nodes[node];
  const hostSide = `veth-${pod}`;
  await addBridgePort(nodeNs, 'cbr0', hostSide, topology.pods[pod]);
  await addAddress(topology.pods[pod], 'eth0', `${ip}/24`);
  await addRoute(topology.pods[pod], 'default', { via: POD_GATEWAY[node] });
}
