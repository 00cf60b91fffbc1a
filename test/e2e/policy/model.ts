// The Kubernetes objects of the policy e2e cluster: two Nodes, the upstream netpol model (namespaces
// x, y, z with pods a, b, c each, serving 80 and 81 on TCP and UDP), two Services, and a mutable
// copy of everything the API server holds, so expected tables are computed from the same objects.
import type { KubeObject, ObjectRef } from '../../apiserver/store.js';
import { sourcesOf, type PolicySource } from '../../../src/policy/index.js';

export type NodeName = 'node-a' | 'node-b';
export const NODES: NodeName[] = ['node-a', 'node-b'];
export const NODE_IP: Record<NodeName, string> = { 'node-a': '192.168.56.10', 'node-b': '192.168.56.11' };
export const POD_CIDR: Record<NodeName, string> = { 'node-a': '10.244.0.0/24', 'node-b': '10.244.1.0/24' };
export const POD_GATEWAY: Record<NodeName, string> = { 'node-a': '10.244.0.1', 'node-b': '10.244.1.1' };

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;
export const SERVE_PORTS = [80, 81] as const;

export interface PodModel {
  /** `x/a`: the row/column label and the echo servers' reply name. */
  id: string;
  namespace: string;
  name: string;
  node: NodeName;
  ip: string;
  /** Where the named port "serve" (TCP) points: 80 on pods a and c, 81 on pods b. */
  servePort: number;
}

/** Pods alternate between the nodes (x/a node-a, x/b node-b, x/c node-a, y/a node-b, ...). */
export const PODS: PodModel[] = NAMESPACES.flatMap((namespace, i) => POD_NAMES.map((name, j) => {
  const node: NodeName = (i * 3 + j) % 2 === 0 ? 'node-a' : 'node-b';
  const third = node === 'node-a' ? 0 : 1;
  return { id: `${namespace}/${name}`, namespace, name, node, ip: `10.244.${third}.${(i + 1) * 10 + j + 1}`, servePort: name === 'b' ? 81 : 80 };
}));

export const pod = (id: string): PodModel => {
  const found = PODS.find((p) => p.id === id);
  if (!found) throw new Error(`no pod ${id}`);
  return found;
};

/** ClusterIP service for x/a (egress-to-Service scenarios). */
export const SVC_XA = { namespace: 'x', name: 'svc-a', clusterIP: '10.96.0.10', port: 80 };
/** NodePort service for the frontend tier y/a + y/c (the web + database seed). */
export const SVC_FRONTEND = { namespace: 'y', name: 'frontend', clusterIP: '10.96.0.20', port: 80, nodePort: 30080, endpoints: ['y/a', 'y/c'] };
/** Extra pod labels of the seeds: the ingress controller, and the tiers of the web application in y. */
export const EXTRA_LABELS: Record<string, Record<string, string>> = {
  'z/c': { 'app.kubernetes.io/name': 'ingress-nginx' },
  'y/a': { tier: 'frontend' },
  'y/c': { tier: 'frontend' },
  'y/b': { tier: 'db' },
};

export function nodeObject(node: NodeName): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name: node },
    spec: { podCIDR: POD_CIDR[node], podCIDRs: [POD_CIDR[node]] },
    status: { addresses: [{ type: 'InternalIP', address: NODE_IP[node] }, { type: 'Hostname', address: node }] },
  };
}

export function namespaceObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ns: name, ...labels } } };
}

export function podObject(p: PodModel, labels: Record<string, string> = {}): KubeObject {
  const serve = SERVE_PORTS.flatMap((port) => (['TCP', 'UDP'] as const).map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { namespace: p.namespace, name: p.name, labels: { pod: p.name, ...(EXTRA_LABELS[p.id] ?? {}), ...labels } },
    spec: {
      nodeName: p.node,
      containers: [
        { name: 'main', image: 'agnhost', ports: serve },
        // A second container so "serve" can point at 80 on some pods and 81 on others.
        { name: 'sidecar', image: 'agnhost', ports: [{ name: 'serve', containerPort: p.servePort, protocol: 'TCP' }] },
      ],
    },
    status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], hostIP: NODE_IP[p.node] },
  };
}

function serviceObject(s: { namespace: string; name: string; clusterIP: string; port: number; nodePort?: number }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { namespace: s.namespace, name: s.name },
    spec: {
      type: s.nodePort ? 'NodePort' : 'ClusterIP', clusterIP: s.clusterIP, clusterIPs: [s.clusterIP], ipFamilies: ['IPv4'],
      ports: (['TCP', 'UDP'] as const).map((protocol) => ({ name: protocol.toLowerCase(), protocol, port: s.port, targetPort: s.port, ...(s.nodePort ? { nodePort: s.nodePort } : {}) })),
    },
  };
}

function sliceObject(s: { namespace: string; name: string; port: number }, endpoints: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { namespace: s.namespace, name: `${s.name}-1`, labels: { 'kubernetes.io/service-name': s.name } },
    addressType: 'IPv4',
    ports: (['TCP', 'UDP'] as const).map((protocol) => ({ name: protocol.toLowerCase(), protocol, port: s.port })),
    endpoints: endpoints.map(pod).map((p) => ({
      addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: p.node,
      targetRef: { kind: 'Pod', namespace: p.namespace, name: p.name },
    })),
  };
}

export function netpol(id: string, spec: Record<string, unknown>): KubeObject {
  const [namespace, name] = id.split('/');
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

export function refOf(object: KubeObject): ObjectRef {
  const meta = object.metadata as { namespace?: string; name: string };
  return { apiVersion: String(object.apiVersion), kind: String(object.kind), namespace: meta.namespace, name: meta.name };
}

const keyOf = (o: KubeObject): string => {
  const r = refOf(o);
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
};

/** What the API server holds (the test's side of it): every write goes through here. */
export class ClusterModel {
  private readonly objects = new Map<string, KubeObject>();

  constructor(initial: KubeObject[]) {
    for (const o of initial) this.objects.set(keyOf(o), o);
  }

  static initial(): ClusterModel {
    return new ClusterModel([
      ...NODES.map(nodeObject),
      ...NAMESPACES.map((n) => namespaceObject(n)),
      ...PODS.map((p) => podObject(p)),
      serviceObject(SVC_XA), sliceObject(SVC_XA, ['x/a']),
      serviceObject(SVC_FRONTEND), sliceObject(SVC_FRONTEND, SVC_FRONTEND.endpoints),
    ]);
  }

  all(): KubeObject[] {
    return [...this.objects.values()];
  }

  set(object: KubeObject): void {
    this.objects.set(keyOf(object), object);
  }

  remove(object: KubeObject): void {
    this.objects.delete(keyOf(object));
  }

  policies(): KubeObject[] {
    return this.all().filter((o) => o.kind === 'NetworkPolicy');
  }

  /** Pods, Namespaces and NetworkPolicies as the policy compiler takes them. */
  sources(): PolicySource[] {
    return sourcesOf(this.all().filter((o) => o.kind === 'Pod' || o.kind === 'Namespace' || o.kind === 'NetworkPolicy'));
  }
}
