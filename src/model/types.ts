import type { ObjectRef } from './diagnostics.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface ServicePortInfo {
  /** Service port name; '' when the service has a single unnamed port. */
  name: string;
  protocol: Protocol;
  port: number;
  targetPort: number | string;
  nodePort?: number;
}

/** A Service proxyctl must program (ExternalName, headless and foreign-proxy services never get here). */
export interface ServiceInfo {
  ref: ObjectRef;
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  clusterIPs: string[];
  ports: ServicePortInfo[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  externalTrafficLocal: boolean;
  internalTrafficLocal: boolean;
  /** Seconds of ClientIP affinity; undefined when sessionAffinity is None. */
  affinityTimeout?: number;
  healthCheckNodePort?: number;
}

export interface EndpointInfo {
  /** The first address: the API lets clients use only the first (the others are validated, not kept). */
  address: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
}

export interface EndpointSlicePort {
  name: string;
  protocol: Protocol;
  port: number;
}

export interface EndpointSliceInfo {
  ref: ObjectRef;
  namespace: string;
  name: string;
  serviceName: string;
  addressType: 'IPv4' | 'IPv6';
  ports: EndpointSlicePort[];
  endpoints: EndpointInfo[];
}

export interface NodeInfo {
  ref: ObjectRef;
  name: string;
  internalIPs: string[];
  podCIDRs: string[];
}

export interface ClusterState {
  services: ServiceInfo[];
  slices: EndpointSliceInfo[];
  nodes: NodeInfo[];
}

/** Facts about the node we render for; flags override what the Node object says. */
export interface NodeContext {
  nodeName: string;
  nodeIPs: string[];
  clusterCIDRs: string[];
  /** CIDRs selecting which node IPs accept NodePort traffic; empty means every node IP. */
  nodePortAddresses: string[];
  masqueradeAll: boolean;
  nodePortRange: { min: number; max: number };
}
