// Kubernetes objects of the e2e mini-cluster: the two Nodes and the services the tests use.
import type { KubeObject, ObjectRef } from '../../apiserver/store.js';
import { ECHO_PORT, NODE_IP, NODES, PODS, POD_CIDR, type NodeName, type PodName } from './topology.js';

export const NAMESPACE = 'e2e';
export type Proto = 'tcp' | 'udp';

export interface ServicePort {
  proto: Proto;
  port: number;
  nodePort?: number;
}

export interface ServiceSpec {
  name: string;
  clusterIP: string;
  ports: ServicePort[];
  endpoints: PodName[];
  type?: 'ClusterIP' | 'NodePort';
  externalTrafficPolicy?: 'Cluster' | 'Local';
  sessionAffinity?: 'ClientIP';
}

export function nodeObject(node: NodeName): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node },
    spec: { podCIDR: POD_CIDR[node], podCIDRs: [POD_CIDR[node]] },
    status: { addresses: [{ type: 'InternalIP', address: NODE_IP[node] }, { type: 'Hostname', address: node }] },
  };
}

const portName = (p: ServicePort): string => `${p.proto}-${p.port}`;

export function serviceObject(spec: ServiceSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: spec.name, namespace: NAMESPACE },
    spec: {
      type: spec.type ?? 'ClusterIP',
      clusterIP: spec.clusterIP,
      clusterIPs: [spec.clusterIP],
      ipFamilies: ['IPv4'],
      ports: spec.ports.map((p) => ({ name: portName(p), protocol: p.proto.toUpperCase(), port: p.port, targetPort: ECHO_PORT, ...(p.nodePort ? { nodePort: p.nodePort } : {}) })),
      ...(spec.externalTrafficPolicy ? { externalTrafficPolicy: spec.externalTrafficPolicy } : {}),
      ...(spec.sessionAffinity ? { sessionAffinity: spec.sessionAffinity, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } } : {}),
    },
  };
}

/** One EndpointSlice per service, named <service>-1; `endpoints` overrides the spec's list. */
export function sliceObject(spec: ServiceSpec, endpoints: PodName[] = spec.endpoints): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${spec.name}-1`, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': spec.name } },
    addressType: 'IPv4',
    ports: spec.ports.map((p) => ({ name: portName(p), protocol: p.proto.toUpperCase(), port: ECHO_PORT })),
    endpoints: endpoints.map((pod) => ({
      addresses: [PODS[pod].ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: PODS[pod].node,
      targetRef: { kind: 'Pod', namespace: NAMESPACE, name: pod },
    })),
  };
}

export function serviceRef(spec: ServiceSpec): ObjectRef {
  return { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name: spec.name };
}

export function sliceRef(spec: ServiceSpec): ObjectRef {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespace: NAMESPACE, name: `${spec.name}-1` };
}

const both: ServicePort[] = [{ proto: 'tcp', port: 80 }, { proto: 'udp', port: 80 }];
const withNodePort = (nodePort: number): ServicePort[] => both.map((p) => ({ ...p, nodePort }));

/** The services every suite starts with. Tests that change one own it; nothing else uses it. */
export const SERVICES = {
  /** NodePort, endpoints on both nodes: ClusterIP/NodePort reachability, repair, outage, restart. */
  web: { name: 'web', clusterIP: '10.96.0.10', type: 'NodePort', ports: withNodePort(30080), endpoints: ['pod-a1', 'pod-b1'] },
  /** ClientIP affinity over four endpoints on two nodes. */
  sticky: { name: 'sticky', clusterIP: '10.96.0.11', ports: both, endpoints: ['pod-a1', 'pod-a2', 'pod-b1', 'pod-b2'], sessionAffinity: 'ClientIP' },
  /** externalTrafficPolicy Local, one endpoint per node. */
  local: { name: 'local', clusterIP: '10.96.0.12', type: 'NodePort', ports: withNodePort(30082), endpoints: ['pod-a1', 'pod-b1'], externalTrafficPolicy: 'Local' },
  /** Loses pod-b2 in the endpoint-removal test. */
  churn: { name: 'churn', clusterIP: '10.96.0.13', ports: both, endpoints: ['pod-a2', 'pod-b1', 'pod-b2'] },
  /** Deleted in the service-deletion test. */
  doomed: { name: 'doomed', clusterIP: '10.96.0.14', type: 'NodePort', ports: withNodePort(30084), endpoints: ['pod-a1', 'pod-b1'] },
  /** UDP only, for the stale conntrack test. */
  dns: { name: 'dns', clusterIP: '10.96.0.15', ports: [{ proto: 'udp', port: 53 }], endpoints: ['pod-a2', 'pod-b2'] },
} satisfies Record<string, ServiceSpec>;

/** Created while the API server is down (outage test). */
export const LATE: ServiceSpec = { name: 'late', clusterIP: '10.96.0.16', ports: both, endpoints: ['pod-a2', 'pod-b2'] };
/** Created after a daemon restart (restart test). */
export const AFTER_RESTART: ServiceSpec = { name: 'after-restart', clusterIP: '10.96.0.17', ports: both, endpoints: ['pod-b2'] };

export function initialObjects(services: ServiceSpec[] = Object.values(SERVICES)): KubeObject[] {
  return [...NODES.map(nodeObject), ...services.flatMap((s) => [serviceObject(s), sliceObject(s)])];
}
