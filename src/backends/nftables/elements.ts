import { compareCIDRs, sortByIP } from '../../model/ip.js';
import type { FamilyPlan, PlanEndpoint, ServicePortPlan } from '../../proxy/plan-types.js';
import type { Element } from './ruleset.js';
import {
  affinityChain, clusterLbChain, externalLocalChain, lbChain, nodePortClusterLbChain, nodePortExternalLocalChain,
  nodePortLbChain, CHAIN, SET,
} from './names.js';

export type SetName = (typeof SET)[keyof typeof SET];

/** The elements one service port adds to the shared sets and maps: the unit of incremental updates. */
export type Contribution = Partial<Record<SetName, Element[]>>;

type Verdict = NonNullable<Element['verdict']>;

/** One verdict object per target, shared by every element that jumps there (elements are never mutated). */
const gotoVerdicts = new Map<string, Verdict>();
function goto(target: string): Verdict {
  let verdict = gotoVerdicts.get(target);
  if (!verdict) gotoVerdicts.set(target, (verdict = { kind: 'goto', target }));
  return verdict;
}

type Key = (string | number)[];

/** Pure: one service port of one family → its elements. Chains it points at are named by endpoint count. */
export function serviceElements(p: ServicePortPlan, fp: FamilyPlan): Contribution {
  const out = new ContributionBuilder(p.id);
  const proto = p.protocol.toLowerCase();
  const clusterKey = [p.clusterIP, proto, p.port];
  const externalKeys = externalAddresses(p).map((ip) => [ip, proto, p.port]);
  const nodePortKey = p.nodePort !== undefined && fp.nodePortIPs.length > 0 ? [proto, p.nodePort] : undefined;

  out.add(SET.clusterIPs, [p.clusterIP]);
  for (const ep of p.cluster) if (ep.local) out.element(SET.hairpin, new HairpinElement(ep.ip));

  if (p.cluster.length === 0) {
    // No endpoint anywhere: every address of the port rejects (TCP reset / ICMP port unreachable).
    for (const key of [clusterKey, ...externalKeys]) out.add(SET.noEndpointIPs, key, goto(CHAIN.reject));
    if (nodePortKey) out.add(SET.noEndpointNodePorts, nodePortKey, goto(CHAIN.reject));
    return out.sets;
  }

  if (p.internal.length === 0) {
    out.add(SET.noEndpointIPs, clusterKey, 'drop'); // internalTrafficPolicy Local, none here
  } else {
    out.add(SET.serviceIPs, clusterKey, goto(lbChain(p.internal.length)));
    out.endpoints(SET.endpoints, clusterKey, p.internal);
  }

  for (const key of externalKeys) {
    if (!p.externalLocal) {
      out.add(SET.externalMasq, key);
      out.add(SET.serviceIPs, key, goto(lbChain(p.external.length)));
      out.endpoints(SET.endpoints, key, p.external);
    } else {
      out.add(SET.externalLocal, key);
      out.add(SET.serviceIPs, key, goto(externalLocalChain(p.external.length)));
      out.endpoints(SET.endpoints, key, p.external);
      out.add(SET.fallbackIPs, key, goto(clusterLbChain(p.cluster.length)));
      out.endpoints(SET.clusterEndpoints, key, p.cluster);
    }
  }

  if (nodePortKey) {
    if (!p.externalLocal) {
      out.add(SET.nodePortMasq, nodePortKey);
      out.add(SET.serviceNodePorts, nodePortKey, goto(nodePortLbChain(p.external.length)));
      out.endpoints(SET.nodePortEndpoints, nodePortKey, p.external);
    } else {
      out.add(SET.nodePortLocal, nodePortKey);
      out.add(SET.serviceNodePorts, nodePortKey, goto(nodePortExternalLocalChain(p.external.length)));
      out.endpoints(SET.nodePortEndpoints, nodePortKey, p.external);
      out.add(SET.fallbackNodePorts, nodePortKey, goto(nodePortClusterLbChain(p.cluster.length)));
      out.endpoints(SET.nodePortClusterEndpoints, nodePortKey, p.cluster);
    }
  }

  if (p.sourceRanges.length > 0) {
    for (const ip of p.loadBalancerIPs) {
      const key = [ip, proto, p.port];
      out.add(SET.firewallIPs, key);
      for (const range of p.sourceRanges) out.add(SET.firewallAllow, [...key, range]);
    }
  }

  if (p.affinityTimeout !== undefined && fp.family === 'ipv4') {
    // IPv6 is left out: nft 1.0.6 aborts on a map update with a concatenated IPv6 key (see render.ts).
    const verdict = goto(affinityChain(p.affinityTimeout));
    for (const key of [clusterKey, ...externalKeys]) out.add(SET.affinityServices, key, verdict);
    if (nodePortKey) for (const ip of fp.nodePortIPs) out.add(SET.affinityServices, [ip, ...nodePortKey], verdict);
  }
  return out.sets;
}

/** externalIPs then load-balancer IPs, each once (most ports have none). */
function externalAddresses(p: ServicePortPlan): string[] {
  if (p.loadBalancerIPs.length === 0 && p.externalIPs.length < 2) return p.externalIPs;
  return [...new Set([...p.externalIPs, ...p.loadBalancerIPs])];
}

/**
 * One owner's elements, by set. A class rather than closures per port: nothing is allocated per call
 * but the elements (and no function objects for the 10k ports of a render).
 */
class ContributionBuilder {
  readonly sets: Contribution = {};

  constructor(private readonly comment: string) {}

  /**
   * Verdict elements carry the port's id as their comment; plain set elements carry nothing. The key's
   * text is made once here: the index and the printer both read it.
   */
  add(set: SetName, key: Key, verdict?: Verdict): void {
    const keyText = key.join(' . ');
    (this.sets[set] ??= []).push(verdict ? { key, keyText, comment: this.comment, verdict } : { key, keyText });
  }

  element(set: SetName, e: Element): void {
    (this.sets[set] ??= []).push(e);
  }

  /** The endpoint-map elements of one service key (`key . index : address . port`). */
  endpoints(set: SetName, key: Key, endpoints: PlanEndpoint[]): void {
    const list = (this.sets[set] ??= []);
    const serviceKeyText = key.join(' . ');
    for (let i = 0; i < endpoints.length; i++) list.push(new EndpointElement(key, serviceKeyText, i, endpoints[i]));
  }
}

/** The maps whose elements `ContributionBuilder.endpoints` makes (keyed `service key . index`). */
export const ENDPOINT_MAPS: ReadonlySet<string> = new Set([SET.endpoints, SET.clusterEndpoints, SET.nodePortEndpoints, SET.nodePortClusterEndpoints]);

/**
 * `service key . index : endpoint address . port`, the bulk of every table (100k of 150k elements at
 * 10k services). One small object referring to the shared service key and the plan's endpoint: its key
 * and data lists are built when read and not kept, so a 10k render allocates 26 MB fewer long-lived
 * objects (each of which every scavenge had to copy) and the daemon holds that much less.
 */
export class EndpointElement implements Element {

  constructor(private readonly serviceKey: Key, readonly serviceKeyText: string, private readonly index: number, private readonly endpoint: PlanEndpoint) {}

  get key(): Key {
    return [...this.serviceKey, this.index];
  }

  /** The index and the printer read this instead of `key`: no list, one concatenation with the shared service key text. */
  get keyText(): string {
    return `${this.serviceKeyText} . ${this.index}`;
  }

  get data(): Key {
    return [this.endpoint.ip, this.endpoint.port];
  }

  /** `addr . port`, the map value as printed. */
  get dataText(): string {
    return `${this.endpoint.ip} . ${this.endpoint.port}`;
  }

  /** Position under the service key (the numgen value that selects this endpoint). */
  get position(): number {
    return this.index;
  }

  /** The printed element, straight from its parts (no key or data list, no memo: 100k of these die young). */
  get text(): string {
    return `${this.serviceKeyText} . ${this.index} : ${this.endpoint.ip} . ${this.endpoint.port}`;
  }
}

/**
 * `address . address`: a local endpoint reaching itself through a service is masqueraded (50k of these
 * at 10k services × 10 endpoints on one node of two). Its key list and text are built when read, not
 * kept: a list and a string fewer per element, for the whole render and in the daemon.
 */
export class HairpinElement implements Element {
  constructor(readonly address: string) {}

  get key(): Key {
    return [this.address, this.address];
  }

  get keyText(): string {
    return `${this.address} . ${this.address}`;
  }

  get text(): string {
    return this.keyText;
  }
}

/** Elements that belong to the node rather than to one service. */
export function nodeElements(fp: FamilyPlan): Contribution {
  return {
    [SET.clusterCIDRs]: [...fp.clusterCIDRs].sort(compareCIDRs).map((c) => ({ key: [c] })),
    [SET.nodePortIPs]: sortByIP([...fp.nodePortIPs], (ip) => ip).map((ip) => ({ key: [ip] })),
  };
}
