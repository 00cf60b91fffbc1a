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

/**
 * The pods one selector peer chooses. Peers with the same canonical selector (podSelector, and
 * namespaceSelector or else the policy's namespace) are ONE group object, shared by every rule
 * that names it: renderers make one kernel set per group id.
 */
export interface PeerGroup {
  /** 16 base32 characters of sha256(`selector`): stable, independent of which rules use it. */
  id: string;
  /** Canonical selector identity, e.g. `pods {tier In (web)} in namespace prod`. */
  selector: string;
  pods: AddressSet;
}

export interface RulePeers {
  /** from/to absent or empty: "this rule matches all sources (destinations)", of both families. */
  all: boolean;
  /** Addresses of the pods chosen by podSelector / namespaceSelector peers: the union of `groups`. */
  pods: AddressSet;
  /** The selector peers as shared groups, sorted by id, unique. Empty when `all` or when no selector peer is valid. */
  groups: PeerGroup[];
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

/**
 * One named port (name + protocol) resolved on a whole scope of pods, shared by every rule that
 * names it: a renderer's one set per id replaces a copy per rule. Entries beyond a rule's own
 * destinations never widen it:
 * - `targets` (ingress): every enforcement target. An ingress rule only ever judges packets to its
 *   policy's own targets (dispatch is by destination pod), where the group agrees with `named`.
 * - `pods` (egress): every pod policy can see. An egress rule must pair it with a match on one of
 *   its peer groups (or `peers.all`); never with ipBlock nets alone.
 */
export interface NamedPortGroup {
  /** 16 base32 characters of sha256(`${scope} ${name}/${protocol}`). */
  id: string;
  scope: 'targets' | 'pods';
  name: string;
  protocol: Protocol;
  /** Sorted by family, address, protocol, port; unique. */
  entries: NamedPortEntry[];
}

export interface RulePorts {
  /** ports absent or empty: "this rule matches all ports". */
  all: boolean;
  ranges: PortRange[];
  /** Named ports resolved per destination pod (ingress: the selected pod; egress: the peer pod). */
  named: NamedPortEntry[];
  /** The named ports of `ports` as shared groups (see NamedPortGroup), sorted by id, unique. */
  namedGroups: NamedPortGroup[];
}

/**
 * One ingress/egress rule. A packet matches when its remote address (ingress: source, egress:
 * destination) is in `peers` AND (`ports.all` OR its protocol/dport is in `ports.ranges` OR its
 * (daddr, protocol, dport) is in `ports.named`). An empty peers or ports value matches nothing.
 * Objects reachable from different rules may be the same object (groups, and unions or named
 * lists of equal selections): treat the plan as read-only.
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
  /** Every pod on this node that takes part in policy (Running, pod network), isolated or not. */
  localPods: AddressSet;
  targets: PolicyTarget[];
  /** Only policies selecting at least one target. */
  policies: CompiledPolicy[];
  diagnostics: Diagnostic[];
}
