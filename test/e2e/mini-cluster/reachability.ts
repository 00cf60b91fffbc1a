// Scenarios 1–4: what a steady cluster must do — ClusterIP and NodePort across nodes, ClientIP
// affinity, externalTrafficPolicy Local.
import { expect } from 'chai';
import type { E2ECluster } from './cluster.js';
import { SERVICES } from './objects.js';
import { CLIENT_PODS, PROTOS, podNs } from './observe.js';
import { CLIENT_IP, NODE_IP, NODES, PODS, POD_GATEWAY, type NodeName, type PodName } from './topology.js';
import { distinct, replies } from './traffic.js';

// 1.
export async function clusterIpFromPodsOnBothNodes(cluster: E2ECluster): Promise<void> {
  const web = SERVICES.web;
  for (const pod of CLIENT_PODS) {
    for (const proto of PROTOS) {
      const got = await replies(podNs(cluster, pod), { proto, host: web.clusterIP, port: 80 }, 16);
      expect(distinct(got.map((r) => r.name)), `${proto} ClusterIP from ${pod}`).to.deep.equal(['pod-a1', 'pod-b1']);
      expect(distinct(got.map((r) => r.peer)), `${proto} from ${pod}: pod traffic is not masqueraded`).to.deep.equal([PODS[pod].ip]);
    }
  }
}

// 2.
export async function nodePortFromExternalClient(cluster: E2ECluster): Promise<void> {
  const port = SERVICES.web.ports[0]!.nodePort!;
  for (const node of NODES) {
    for (const proto of PROTOS) {
      const got = await replies(cluster.topology.client, { proto, host: NODE_IP[node], port }, 16);
      expect(distinct(got.map((r) => r.name)), `${proto} NodePort ${NODE_IP[node]}:${port}`).to.deep.equal(['pod-a1', 'pod-b1']);
      // externalTrafficPolicy Cluster: masqueraded to the node that took the NodePort traffic.
      for (const r of got) expect([NODE_IP[node], POD_GATEWAY[node]], `${r.name} saw ${r.peer}`).to.include(r.peer);
    }
  }
}

// 3.
export async function sessionAffinity(cluster: E2ECluster): Promise<void> {
  const sticky = SERVICES.sticky;
  for (const pod of CLIENT_PODS) {
    for (const proto of PROTOS) {
      const got = await replies(podNs(cluster, pod), { proto, host: sticky.clusterIP, port: 80 }, 20);
      expect(distinct(got.map((r) => r.name)), `${proto} ${sticky.clusterIP} from ${pod}: endpoints that answered`).to.have.lengthOf(1);
    }
  }
}

// 4.
export async function externalTrafficPolicyLocal(cluster: E2ECluster): Promise<void> {
  const port = SERVICES.local.ports[0]!.nodePort!;
  const localEndpoint: Record<NodeName, PodName> = { 'node-a': 'pod-a1', 'node-b': 'pod-b1' };
  for (const node of NODES) {
    for (const proto of PROTOS) {
      const got = await replies(cluster.topology.client, { proto, host: NODE_IP[node], port }, 10);
      expect(distinct(got.map((r) => r.name)), `${proto} NodePort ${NODE_IP[node]}:${port} (Local)`).to.deep.equal([localEndpoint[node]]);
      expect(distinct(got.map((r) => r.peer)), 'the endpoint sees the client\'s real address').to.deep.equal([CLIENT_IP]);
    }
  }
}
