import type { Diagnostic } from '../model/diagnostics.js';
import type { IPFamily } from '../model/ip.js';
import type { Protocol } from '../model/types.js';

export interface PlanEndpoint {
  ip: string;
  port: number;
  /** On this node: eligible for traffic policy Local, and a hairpin candidate. */
  local: boolean;
}

/** What one service port of one IP family must get on this node. */
export interface ServicePortPlan {
  /** Stable identity `namespace/name/protocol/port`, the source of every name derived from it. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** externalIPs and load-balancer ingress IPs of this family. */
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** loadBalancerSourceRanges of this family; non-empty means other sources are dropped at the LB IPs. */
  sourceRanges: string[];
  /** externalTrafficPolicy Local applies: external traffic keeps its source and stays on this node. */
  externalLocal: boolean;
  affinityTimeout?: number;
  /** Every usable endpoint (ready, else serving+terminating). Empty: the port rejects. */
  cluster: PlanEndpoint[];
  /** Endpoints for cluster-internal traffic (all, or local ones under internalTrafficPolicy Local). */
  internal: PlanEndpoint[];
  /** Endpoints for external traffic (all, or local ones under externalTrafficPolicy Local). */
  external: PlanEndpoint[];
}

export interface FamilyPlan {
  family: IPFamily;
  nodeIPs: string[];
  /** Node addresses that accept NodePort traffic. */
  nodePortIPs: string[];
  clusterCIDRs: string[];
  masqueradeAll: boolean;
  ports: ServicePortPlan[];
}

export interface ProxyPlan {
  families: FamilyPlan[];
  diagnostics: Diagnostic[];
}
