import type { IPFamily } from '../../../model/ip.js';
import type { CompiledPolicy, CompiledRule, Direction } from '../../../policy/types.js';
import { splitZeroPrefix } from '../../nftables/policy/addresses.js';
import { portIntervals } from '../../nftables/policy/ports.js';
import type { IpSet } from './ipsets.js';
import { namedSet, netSet, peerSet, POLICY_CHAIN, policyChain } from './names.js';
import { namedMember, portMatches } from './port-match.js';

/**
 * One policy's rules for one direction: each rule is (peer alternative) × (port alternative),
 * every combination a line. Which lines and sets exist depends on the policies alone; peer pods and
 * named ports are members of sets shared by every rule with the same peer group, named port or
 * ipBlocks (`sets`, filled on first use), so pods coming and going only change members.
 */
export interface IptPolicyChain {
  name: string;
  rules: string[];
}

export const q = (s: string): string => `"${s.replace(/["\\]/g, '')}"`;

export function buildPolicyChain(policy: CompiledPolicy, direction: Direction, family: IPFamily, sets: Map<string, IpSet>): IptPolicyChain {
  const name = policyChain(policy.id, direction);
  return { name, rules: policy[direction].flatMap((rule) => ruleLines(name, direction, rule, family, sets)) };
}

/** A peer alternative and whether named-port groups may pair with it (as in the nftables layout). */
interface Alt {
  match: string;
  named: boolean;
}

/**
 * Ingress: the remote end is the source, allowed packets are accepted (the pod is the last to
 * judge). Egress: the remote end is the destination, allowed packets go on to the destination's
 * ingress check. A rule without peers or ports matches nothing and gets no line (fail closed).
 */
function ruleLines(chain: string, direction: Direction, rule: CompiledRule, family: IPFamily, sets: Map<string, IpSet>): string[] {
  // Content is a function of the name: the first rule to need a set builds it.
  const use = (name: string, build: () => Omit<IpSet, 'name'>) => {
    if (!sets.has(name)) sets.set(name, { name, ...build() });
    return name;
  };
  const remote = direction === 'ingress' ? 'src' : 'dst';
  const peers: Alt[] = [];
  if (rule.peers.all) peers.push({ match: '', named: true });
  for (const g of rule.peers.groups) {
    const name = use(peerSet(g.id, family), () => ({ type: 'hash:ip', members: g.pods[family] }));
    peers.push({ match: `-m set --match-set ${name} ${remote}`, named: true });
  }
  const nets = rule.peers.nets[family];
  if (nets.length > 0) {
    const name = use(netSet(nets, family), () => ({ type: 'hash:net', members: nets.flatMap(splitZeroPrefix) }));
    // Egress named ports resolve on peer pods only, and the group holds every pod.
    peers.push({ match: `-m set --match-set ${name} ${remote}`, named: direction === 'ingress' });
  }
  const ports: Alt[] = [];
  if (rule.ports.all) ports.push({ match: '', named: false });
  else {
    for (const m of portMatches(portIntervals(rule.ports.ranges))) ports.push({ match: m, named: false });
    for (const g of rule.ports.namedGroups) {
      const name = use(namedSet(g.id, family), () => ({ type: 'hash:ip,port', members: g.entries.filter((n) => n.family === family).map(namedMember) }));
      ports.push({ match: `-m set --match-set ${name} dst,dst`, named: true });
    }
  }
  const verdict = direction === 'ingress' ? 'ACCEPT' : POLICY_CHAIN.egressAllowed;
  const rules: string[] = [];
  for (const peer of peers) {
    for (const port of ports) {
      if (port.named && !peer.named) continue;
      rules.push([`-A ${chain}`, peer.match, port.match, `-m comment --comment ${q(rule.source)}`, `-j ${verdict}`].filter(Boolean).join(' '));
    }
  }
  return rules;
}
