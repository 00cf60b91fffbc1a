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
  const out: Contribution = {};
  const add = (set: SetName, key: Key, verdict?: Verdict) => addElement(out, set, key, p.id, verdict);
  const proto = p.protocol.toLowerCase();
  const clusterKey = [p.clusterIP, proto, p.port];
  const externalKeys = [...p.externalIPs, ...p.loadBalancerIPs].filter((ip, i, all) => all.indexOf(ip) === i).map((ip) => [ip, proto, p.port]);
  const nodePortKey = p.nodePort !== undefined && fp.nodePortIPs.length > 0 ? [proto, p.nodePort] : undefined;

  add(SET.clusterIPs, [p.clusterIP]);
  for (const ep of p.cluster) if (ep.local) add(SET.hairpin, [ep.ip, ep.ip]);

  if (p.cluster.length === 0) {
    // No endpoint anywhere: every address of the port rejects (TCP reset / ICMP port unreachable).
    for (const key of [clusterKey, ...externalKeys]) add(SET.noEndpointIPs, key, goto(CHAIN.reject));
    if (nodePortKey) add(SET.noEndpointNodePorts, nodePortKey, goto(CHAIN.reject));
    return out;
  }

  if (p.internal.length === 0) {
    add(SET.noEndpointIPs, clusterKey, 'drop'); // internalTrafficPolicy Local, none here
  } else {
    add(SET.serviceIPs, clusterKey, goto(lbChain(p.internal.length)));
    addEndpoints(out, SET.endpoints, clusterKey, p.internal);
  }

  for (const key of externalKeys) {
    if (!p.externalLocal) {
      add(SET.externalMasq, key);
      add(SET.serviceIPs, key, goto(lbChain(p.external.length)));
      addEndpoints(out, SET.endpoints, key, p.external);
    } else {
      add(SET.externalLocal, key);
      add(SET.serviceIPs, key, goto(externalLocalChain(p.external.length)));
      addEndpoints(out, SET.endpoints, key, p.external);
      add(SET.fallbackIPs, key, goto(clusterLbChain(p.cluster.length)));
      addEndpoints(out, SET.clusterEndpoints, key, p.cluster);
    }
  }

  if (nodePortKey) {
    if (!p.externalLocal) {
      add(SET.nodePortMasq, nodePortKey);
      add(SET.serviceNodePorts, nodePortKey, goto(nodePortLbChain(p.external.length)));
      addEndpoints(out, SET.nodePortEndpoints, nodePortKey, p.external);
    } else {
      add(SET.nodePortLocal, nodePortKey);
      add(SET.serviceNodePorts, nodePortKey, goto(nodePortExternalLocalChain(p.external.length)));
      addEndpoints(out, SET.nodePortEndpoints, nodePortKey, p.external);
      add(SET.fallbackNodePorts, nodePortKey, goto(nodePortClusterLbChain(p.cluster.length)));
      addEndpoints(out, SET.nodePortClusterEndpoints, nodePortKey, p.cluster);
    }
  }

  if (p.sourceRanges.length > 0) {
    for (const ip of p.loadBalancerIPs) {
      const key = [ip, proto, p.port];
      add(SET.firewallIPs, key);
      for (const range of p.sourceRanges) add(SET.firewallAllow, [...key, range]);
    }
  }

  if (p.affinityTimeout !== undefined && fp.family === 'ipv4') {
    // IPv6 is left out: nft 1.0.6 aborts on a map update with a concatenated IPv6 key (see render.ts).
    const verdict = goto(affinityChain(p.affinityTimeout));
    for (const key of [clusterKey, ...externalKeys]) add(SET.affinityServices, key, verdict);
    if (nodePortKey) for (const ip of fp.nodePortIPs) add(SET.affinityServices, [ip, ...nodePortKey], verdict);
  }
  return out;
}

/**
 * Verdict elements carry the port's id as their comment; plain set elements carry nothing. The key's
 * text is made once here: the index and the printer both read it (100k+ joins fewer in a 10k render).
 */
function addElement(out: Contribution, set: SetName, key: Key, comment: string, verdict?: Verdict): void {
  const keyText = key.join(' . ');
  (out[set] ??= []).push(verdict ? { key, keyText, comment, verdict } : { key, keyText });
}

/** The maps whose elements addEndpoints makes (keyed `service key . index`). */
export const ENDPOINT_MAPS: ReadonlySet<string> = new Set([SET.endpoints, SET.clusterEndpoints, SET.nodePortEndpoints, SET.nodePortClusterEndpoints]);

function addEndpoints(out: Contribution, set: SetName, key: Key, endpoints: PlanEndpoint[]): void {
  const list = (out[set] ??= []);
  const serviceKeyText = key.join(' . ');
  endpoints.forEach((ep, i) => list.push(new EndpointElement(key, serviceKeyText, i, ep)));
}

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

  /** The printed element, straight from its parts (no key or data list, no memo: 100k of these die young). */
  get text(): string {
    return `${this.serviceKeyText} . ${this.index} : ${this.endpoint.ip} . ${this.endpoint.port}`;
  }
}

/** Elements that belong to the node rather than to one service. */
export function nodeElements(fp: FamilyPlan): Contribution {
  return {
    [SET.clusterCIDRs]: [...fp.clusterCIDRs].sort(compareCIDRs).map((c) => ({ key: [c] })),
    [SET.nodePortIPs]: sortByIP([...fp.nodePortIPs], (ip) => ip).map((ip) => ({ key: [ip] })),
  };
}
