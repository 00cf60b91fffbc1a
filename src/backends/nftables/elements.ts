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

const goto = (target: string): Element['verdict'] => ({ kind: 'goto', target });

/** Pure: one service port of one family → its elements. Chains it points at are named by endpoint count. */
export function serviceElements(p: ServicePortPlan, fp: FamilyPlan): Contribution {
  const out: Contribution = {};
  const add = (set: SetName, e: Element) => (out[set] ??= []).push(e);
  const proto = p.protocol.toLowerCase();
  const comment = p.id;
  const clusterKey = [p.clusterIP, proto, p.port];
  const externalKeys = [...p.externalIPs, ...p.loadBalancerIPs].filter((ip, i, all) => all.indexOf(ip) === i).map((ip) => [ip, proto, p.port]);
  const nodePortKey = p.nodePort !== undefined && fp.nodePortIPs.length > 0 ? [proto, p.nodePort] : undefined;

  add(SET.clusterIPs, { key: [p.clusterIP] });
  for (const ep of p.cluster) if (ep.local) add(SET.hairpin, { key: [ep.ip, ep.ip] });

  if (p.cluster.length === 0) {
    // No endpoint anywhere: every address of the port rejects (TCP reset / ICMP port unreachable).
    for (const key of [clusterKey, ...externalKeys]) add(SET.noEndpointIPs, { key, comment, verdict: goto(CHAIN.reject) });
    if (nodePortKey) add(SET.noEndpointNodePorts, { key: nodePortKey, comment, verdict: goto(CHAIN.reject) });
    return out;
  }

  if (p.internal.length === 0) {
    add(SET.noEndpointIPs, { key: clusterKey, comment, verdict: 'drop' }); // internalTrafficPolicy Local, none here
  } else {
    add(SET.serviceIPs, { key: clusterKey, comment, verdict: goto(lbChain(p.internal.length)) });
    addEndpoints(out, SET.endpoints, clusterKey, p.internal);
  }

  for (const key of externalKeys) {
    if (!p.externalLocal) {
      add(SET.externalMasq, { key });
      add(SET.serviceIPs, { key, comment, verdict: goto(lbChain(p.external.length)) });
      addEndpoints(out, SET.endpoints, key, p.external);
    } else {
      add(SET.externalLocal, { key });
      add(SET.serviceIPs, { key, comment, verdict: goto(externalLocalChain(p.external.length)) });
      addEndpoints(out, SET.endpoints, key, p.external);
      add(SET.fallbackIPs, { key, comment, verdict: goto(clusterLbChain(p.cluster.length)) });
      addEndpoints(out, SET.clusterEndpoints, key, p.cluster);
    }
  }

  if (nodePortKey) {
    if (!p.externalLocal) {
      add(SET.nodePortMasq, { key: nodePortKey });
      add(SET.serviceNodePorts, { key: nodePortKey, comment, verdict: goto(nodePortLbChain(p.external.length)) });
      addEndpoints(out, SET.nodePortEndpoints, nodePortKey, p.external);
    } else {
      add(SET.nodePortLocal, { key: nodePortKey });
      add(SET.serviceNodePorts, { key: nodePortKey, comment, verdict: goto(nodePortExternalLocalChain(p.external.length)) });
      addEndpoints(out, SET.nodePortEndpoints, nodePortKey, p.external);
      add(SET.fallbackNodePorts, { key: nodePortKey, comment, verdict: goto(nodePortClusterLbChain(p.cluster.length)) });
      addEndpoints(out, SET.nodePortClusterEndpoints, nodePortKey, p.cluster);
    }
  }

  if (p.sourceRanges.length > 0) {
    for (const ip of p.loadBalancerIPs) {
      const key = [ip, proto, p.port];
      add(SET.firewallIPs, { key });
      for (const range of p.sourceRanges) add(SET.firewallAllow, { key: [...key, range] });
    }
  }

  if (p.affinityTimeout !== undefined && fp.family === 'ipv4') {
    // IPv6 is left out: nft 1.0.6 aborts on a map update with a concatenated IPv6 key (see render.ts).
    const verdict = goto(affinityChain(p.affinityTimeout));
    for (const key of [clusterKey, ...externalKeys]) add(SET.affinityServices, { key, comment, verdict });
    if (nodePortKey) for (const ip of fp.nodePortIPs) add(SET.affinityServices, { key: [ip, ...nodePortKey], comment, verdict });
  }
  return out;
}

function addEndpoints(out: Contribution, set: SetName, key: (string | number)[], endpoints: PlanEndpoint[]): void {
  const list = (out[set] ??= []);
  endpoints.forEach((ep, i) => list.push({ key: [...key, i], data: [ep.ip, ep.port] }));
}

/** Elements that belong to the node rather than to one service. */
export function nodeElements(fp: FamilyPlan): Contribution {
  return {
    [SET.clusterCIDRs]: [...fp.clusterCIDRs].sort(compareCIDRs).map((c) => ({ key: [c] })),
    [SET.nodePortIPs]: sortByIP([...fp.nodePortIPs], (ip) => ip).map((ip) => ({ key: [ip] })),
  };
}
