// The namespaces of the policy e2e cluster:
//
//   LAN 192.168.56.0/24: bridge br0 in the `lan` namespace (.1), API server .2 (`api`),
//   node-a .10, node-b .11, external client .100 (`ext`, routes the pod CIDRs via the nodes).
//   Pods hang off their node on routed veths (Calico style): the pod has its /32 on eth0 and a
//   default route via the node end, which holds the node's gateway address (10.244.<n>.1/32) and
//   a /32 route to the pod. Each node routes the other's pod CIDR via the other's LAN address.
//
// Why routed /32 veths rather than a cbr0 bridge: every pod-to-pod packet, also between two pods
// of one node, is then routed and passes the node's forward hook, where policy is enforced; with
// a bridge, same-node traffic is only seen by ip-family hooks with br_netfilter
// (bridge-nf-call-iptables), a global module setting we would rather not depend on.
//
// Every address lives in namespaces of one Lab (pxt-<pid>-<n>-<role>); destroyTopology removes all.
import { addAddress, addBridge, addBridgePort, addNamespace, addRoute, addVeth, buildLab, destroyLab, setSysctl, type Lab } from '../../kernel/netns.js';
import { PodAgent } from './agent.js';
import { NODE_IP, NODES, POD_CIDR, POD_GATEWAY, PODS, SERVE_PORTS, type NodeName, type PodModel } from './model.js';

export const LAN_PREFIX = 24;
export const ROUTER_IP = '192.168.56.1';
export const API_IP = '192.168.56.2';
export const EXT_IP = '192.168.56.100';

export interface Topology {
  lab: Lab;
  lan: string;
  api: string;
  ext: string;
  nodes: Record<NodeName, string>;
  /** Pod id (`x/a`) → its namespace. */
  pods: Record<string, string>;
  /** Pod id → its agent (echo servers + probe client); `ext` → the external client's agent. */
  agents: Record<string, PodAgent>;
}

export async function buildTopology(): Promise<Topology> {
  return buildLab(populate);
}

export async function destroyTopology(topology: Topology | undefined): Promise<void> {
  if (topology) await destroyLab(topology.lab);
}

async function populate(lab: Lab): Promise<Topology> {
  const lan = await addNamespace(lab, 'lan');
  const api = await addNamespace(lab, 'api');
  const ext = await addNamespace(lab, 'ext');
  const nodes = { 'node-a': await addNamespace(lab, 'node-a'), 'node-b': await addNamespace(lab, 'node-b') };
  const pods: Record<string, string> = {};
  for (const p of PODS) pods[p.id] = await addNamespace(lab, `pod-${p.namespace}-${p.name}`);
  const topology: Topology = { lab, lan, api, ext, nodes, pods, agents: {} };

  await addBridge(lan, 'br0');
  await addAddress(lan, 'br0', `${ROUTER_IP}/${LAN_PREFIX}`);
  const members: [string, string, string][] = [['p-api', api, API_IP], ['p-ext', ext, EXT_IP], ['p-node-a', nodes['node-a'], NODE_IP['node-a']], ['p-node-b', nodes['node-b'], NODE_IP['node-b']]];
  for (const [port, ns, ip] of members) {
    await addBridgePort(lan, 'br0', port, ns);
    await addAddress(ns, 'eth0', `${ip}/${LAN_PREFIX}`);
  }
  for (const node of NODES) await setUpNode(topology, node);
  for (const node of NODES) await addRoute(ext, POD_CIDR[node], { via: NODE_IP[node] });
  for (const p of PODS) await attachPod(topology, p);
  // Agents start in parallel (each is a node process); distinct source-port ranges are not needed
  // (one namespace each) but make a capture easier to read.
  const started = await Promise.all([
    ...PODS.map((p, i) => PodAgent.start(lab, pods[p.id], p.id, [...SERVE_PORTS], 20_000 + i * 4000)),
    PodAgent.start(lab, ext, 'ext', [], 20_000),
  ]);
  for (const agent of started) topology.agents[agent.name] = agent;
  return topology;
}

async function setUpNode(topology: Topology, node: NodeName): Promise<void> {
  const ns = topology.nodes[node];
  const other: NodeName = node === 'node-a' ? 'node-b' : 'node-a';
  await setSysctl(ns, 'net.ipv4.ip_forward', '1');
  // Rejections are single packets; the per-peer ICMP rate limit would turn some into timeouts.
  await setSysctl(ns, 'net.ipv4.icmp_ratelimit', '0');
  await addRoute(ns, 'default', { via: ROUTER_IP });
  await addRoute(ns, POD_CIDR[other], { via: NODE_IP[other] });
}

async function attachPod(topology: Topology, p: PodModel): Promise<void> {
  const nodeNs = topology.nodes[p.node];
  const podNs = topology.pods[p.id];
  const hostSide = `v-${p.namespace}-${p.name}`;
  await addVeth({ ns: nodeNs, dev: hostSide }, { ns: podNs, dev: 'eth0' });
  await addAddress(nodeNs, hostSide, `${POD_GATEWAY[p.node]}/32`);
  await addRoute(nodeNs, `${p.ip}/32`, { dev: hostSide });
  await addAddress(podNs, 'eth0', `${p.ip}/32`);
  await addRoute(podNs, POD_GATEWAY[p.node], { dev: 'eth0', scope: 'link' });
  await addRoute(podNs, 'default', { via: POD_GATEWAY[p.node], dev: 'eth0' });
}
