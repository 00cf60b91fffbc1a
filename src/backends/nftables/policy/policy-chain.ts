import type { IPFamily } from '../../../model/ip.js';
import type { CompiledPolicy, CompiledRule, Direction } from '../../../policy/types.js';
import { concat, ipField, l4proto, match, setRef, thDport, type NftFamily, type Rule, type Stmt } from '../ast.js';
import type { Chain, Element, NftSet } from '../ruleset.js';
import { clip, policyChain, ruleSet } from './names.js';
import { portIntervals, uncoveredNamed } from './ports.js';

/**
 * One policy's rules for one direction in one family: a chain of accept rules and the sets they
 * look up. Which rules and sets exist depends on the policy alone (peer pod addresses and named
 * ports are elements), so pods coming and going never change a rule.
 */
export interface PolicyChain {
  chain: Chain;
  sets: NftSet[];
}

const ADDR: Record<NftFamily, string> = { ip: 'ipv4_addr', ip6: 'ipv6_addr' };
const ANY: Record<NftFamily, string> = { ip: '0.0.0.0/0', ip6: '::/0' };
const FAMILY: Record<NftFamily, IPFamily> = { ip: 'ipv4', ip6: 'ipv6' };

export function buildPolicyChain(policy: CompiledPolicy, direction: Direction, family: NftFamily): PolicyChain {
  const sets: NftSet[] = [];
  const rules: Rule[] = [];
  for (const rule of policy[direction]) {
    const built = ruleParts(policy.id, direction, rule, family);
    sets.push(...built.sets);
    rules.push(...built.rules);
  }
  return { chain: { name: policyChain(policy.id, direction), comment: clip(`${policy.id} ${direction}`), rules }, sets };
}

/**
 * (remote in pods OR remote in nets) AND (daddr . proto . dport in ports) → accept. Ingress: the
 * remote end is the source and daddr the local pod; egress: the remote end is the destination.
 * An empty set matches nothing, which is what a broken (fail-closed) peer or port list must allow.
 */
function ruleParts(id: string, direction: Direction, rule: CompiledRule, family: NftFamily): { sets: NftSet[]; rules: Rule[] } {
  const f = FAMILY[family];
  const addr = ADDR[family];
  const comment = clip(rule.source);
  const sets: NftSet[] = [];
  const remote = ipField(family, direction === 'ingress' ? 'saddr' : 'daddr');
  const portMatch: Stmt[] = [];
  if (!rule.ports.all) {
    const name = ruleSet(id, direction, rule.index, 'ports');
    sets.push({ name, keyType: [addr, 'inet_proto', 'inet_service'], flags: ['interval'], comment: clip(`ports of ${rule.source}`), elements: portElements(rule, family) });
    portMatch.push(match(concat(ipField(family, 'daddr'), l4proto, thDport), setRef(name)));
  }
  const accept: Stmt = { accept: true };
  if (rule.peers.all) return { sets, rules: [{ stmts: [...portMatch, accept], comment }] };

  const rules: Rule[] = [];
  const pods = ruleSet(id, direction, rule.index, 'pods');
  sets.push({ name: pods, keyType: [addr], comment: clip(`peer pods of ${rule.source}`), elements: rule.peers.pods[f].map((a) => ({ key: [a] })) });
  rules.push({ stmts: [match(remote, setRef(pods)), ...portMatch, accept], comment });
  if (rule.peers.nets[f].length > 0) {
    const nets = ruleSet(id, direction, rule.index, 'nets');
    sets.push({ name: nets, keyType: [addr], flags: ['interval'], comment: clip(`ipBlocks of ${rule.source}`), elements: rule.peers.nets[f].map((c) => ({ key: [c] })) });
    rules.push({ stmts: [match(remote, setRef(nets)), ...portMatch, accept], comment });
  }
  return { sets, rules };
}

/** Numeric ranges hold for any daddr (`0.0.0.0/0 . tcp . 80-90`); named ports for their pod only. */
function portElements(rule: CompiledRule, family: NftFamily): Element[] {
  const intervals = portIntervals(rule.ports.ranges);
  const out: Element[] = intervals.map((i) => ({ key: [ANY[family], i.protocol, i.start === i.end ? i.start : `${i.start}-${i.end}`] }));
  for (const n of uncoveredNamed(rule.ports.named, intervals, FAMILY[family])) out.push({ key: [n.address, n.protocol.toLowerCase(), n.port] });
  return out;
}
