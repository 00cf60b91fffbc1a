import type { IPFamily } from '../../../model/ip.js';
import type { CompiledPolicy, CompiledRule, Direction } from '../../../policy/types.js';
import { splitZeroPrefix } from '../../nftables/policy/addresses.js';
import { portIntervals } from '../../nftables/policy/ports.js';
import type { IpSet } from './ipsets.js';
import { POLICY_CHAIN, policyChain, ruleSet } from './names.js';
import { namedMember, portMatches } from './port-match.js';

/**
 * One policy's rules for one direction: each rule is (peer alternative) × (port alternative),
 * every combination a line. Which lines and sets exist depends on the policy alone; peer pods and
 * named ports are ipset members, so pods coming and going only change members.
 */
export interface IptPolicyChain {
  name: string;
  rules: string[];
  sets: IpSet[];
}

export const q = (s: string): string => `"${s.replace(/["\\]/g, '')}"`;

export function buildPolicyChain(policy: CompiledPolicy, direction: Direction, family: IPFamily): IptPolicyChain {
  const name = policyChain(policy.id, direction);
  const sets: IpSet[] = [];
  const rules: string[] = [];
  for (const rule of policy[direction]) {
    const built = ruleLines(name, direction, rule, family);
    sets.push(...built.sets);
    rules.push(...built.rules);
  }
  return { name, rules, sets };
}

/**
 * Ingress: the remote end is the source, allowed packets are accepted (the pod is the last to
 * judge). Egress: the remote end is the destination, allowed packets go on to the destination's
 * ingress check. Empty sets match nothing: a broken (fail-closed) peer or port list allows nothing.
 */
function ruleLines(chain: string, direction: Direction, rule: CompiledRule, family: IPFamily): { sets: IpSet[]; rules: string[] } {
  const sets: IpSet[] = [];
  const remote = direction === 'ingress' ? 'src' : 'dst';
  const peers: string[] = [];
  if (rule.peers.all) peers.push('');
  else {
    const pods = ruleSet(rule.source, 'pods', family);
    sets.push({ name: pods, type: 'hash:ip', members: [...rule.peers.pods[family]] });
    peers.push(`-m set --match-set ${pods} ${remote}`);
    if (rule.peers.nets[family].length > 0) {
      const nets = ruleSet(rule.source, 'nets', family);
      sets.push({ name: nets, type: 'hash:net', members: rule.peers.nets[family].flatMap(splitZeroPrefix) });
      peers.push(`-m set --match-set ${nets} ${remote}`);
    }
  }
  const ports: string[] = [];
  if (rule.ports.all) ports.push('');
  else {
    ports.push(...portMatches(portIntervals(rule.ports.ranges)));
    // Always present, even empty: a named port resolving on a new pod then only adds a member.
    const named = ruleSet(rule.source, 'named', family);
    sets.push({ name: named, type: 'hash:ip,port', members: rule.ports.named.filter((n) => n.family === family).map(namedMember) });
    ports.push(`-m set --match-set ${named} dst,dst`);
  }
  const verdict = direction === 'ingress' ? 'ACCEPT' : POLICY_CHAIN.egressAllowed;
  const rules: string[] = [];
  for (const peer of peers) {
    for (const port of ports) {
      const parts = [`-A ${chain}`, peer, port, `-m comment --comment ${q(rule.source)}`, `-j ${verdict}`].filter(Boolean);
      rules.push(parts.join(' '));
    }
  }
  return { sets, rules };
}
