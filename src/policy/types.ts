import type { Diagnostic } from '../model/diagnostics.js';
import type { IPFamily } from '../model/ip.js';
import type { Protocol } from '../model/types.js';

/** The plan the NetworkPolicy compiler hands to the backends. Every array is sorted by a stable key. */

export type Direction = 'ingress' | 'egress';
export type PolicyType = 'Ingress' | 'Egress';

/** A raw Kubernetes object and the file it came from (structurally the model's SourcedObject). */
export interface PolicySource {
  object: unknown;
  file?: string;
}

export interface PolicyContext {
  /** Pods with spec.nodeName equal to this are enforcement targets; null makes every node's pods targets. */
  nodeName: string | null;
  /** "Traffic is allowed to a pod if ... the traffic source is the pod's local node": these addresses. */
  nodeIPs?: readonly string[];
}

/** Addresses split by family, each list sorted numerically and unique. */
export interface AddressSet {
  ipv4: string[];
  ipv6: string[];
}

/** An ipBlock peer, normalized (host bits cleared, canonical text). */
export interface IPBlock {
  family: IPFamily;
  cidr: string;
  /** "CIDRs that should not be included within this rule"; sorted. */
  except: string[];
}

export interface RulePeers {
  /** from/to absent or empty: "this rule matches all sources (destinations)", of both families. */
  all: boolean;
  /** Addresses of the pods chosen by podSelector / namespaceSelector peers. */
  pods: AddressSet;
  /** ipBlock peers as written, normalized; sorted by family, address, prefix. */
  ipBlocks: IPBlock[];
  /** The same ipBlocks flattened: union of (cidr minus except) as disjoint CIDRs, ready for one interval set. */
  nets: AddressSet;
}

/** A numeric port, a range port..endPort, or (no port) every port of the protocol. */
export interface PortRange {
  protocol: Protocol;
  port?: number;
  endPort?: number;
}

/** A named port resolved on one destination pod: the rule matches (daddr, protocol, dport). */
export interface NamedPortEntry {
  family: IPFamily;
  address: string;
  protocol: Protocol;
  port: number;
}

export interface RulePorts {
  /** ports absent or empty: "this rule matches all ports". */
  all: boolean;
  ranges: PortRange[];
  /** Named ports resolved per destination pod (ingress: the selected pod; egress: the peer pod). */
  named: NamedPortEntry[];
}

/**
 * One ingress/egress rule. A packet matches when its remote address (ingress: source, egress:
 * destination) is in `peers` AND (`ports.all` OR its protocol/dport is in `ports.ranges` OR its
 * (daddr, protocol, dport) is in `ports.named`). An empty peers or ports value matches nothing.
 */
export interface CompiledRule {
  /** Comment-friendly origin, e.g. `default/allow-web ingress[0]`. */
  source: string;
  /** Position in the policy's spec list: with the policy id, the stable identity of the rule. */
  index: number;
  peers: RulePeers;
  ports: RulePorts;
}

export interface CompiledPolicy {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  /** Effective policyTypes (defaulted, or widened to both on bad input); order Ingress, Egress. */
  policyTypes: PolicyType[];
  /** Rules for a direction the policy does not name are empty (the API ignores them). */
  ingress: CompiledRule[];
  egress: CompiledRule[];
  /** Enforcement-target pods it selects (`namespace/name`). */
  targets: string[];
}

/** A pod on this node that at least one policy isolates. Pods not listed allow everything. */
export interface PolicyTarget {
  id: string;
  namespace: string;
  name: string;
  addresses: AddressSet;
  ingressIsolated: boolean;
  egressIsolated: boolean;
  /** Ids of the policies whose ingress (egress) rules are unioned for this pod. */
  ingressPolicies: string[];
  egressPolicies: string[];
}

export interface PolicyPlan {
  nodeName: string | null;
  /** Always allowed to reach local pods (ingress only). */
  nodeIPs: AddressSet;
  targets: PolicyTarget[];
  /** Only policies selecting at least one target. */
  policies: CompiledPolicy[];
  diagnostics: Diagnostic[];
}
