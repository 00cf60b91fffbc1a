import type { IPFamily } from '../../../model/ip.js';
import type { CompiledPolicy, CompiledRule, Direction } from '../../../policy/types.js';
import { concat, ipField, l4proto, match, setRef, thDport, type NftFamily, type Rule, type Stmt } from '../ast.js';
import type { Chain } from '../ruleset.js';
import { clip, namedSet, netSet, peerSet, policyChain, portSet } from './names.js';
import { portIntervals } from './ports.js';
import type { SharedSets } from './shared-sets.js';

/**
 * One policy's rules for one direction in one family: accept rules over shared sets. Which rules
 * and sets exist depends on the policies alone (peer pods and named-port destinations are
 * elements), so pods coming and going never change a rule.
 */

const ADDR: Record<NftFamily, string> = { ip: 'ipv4_addr', ip6: 'ipv6_addr' };
const FAMILY: Record<NftFamily, IPFamily> = { ip: 'ipv4', ip6: 'ipv6' };

export function buildPolicyChain(policy: CompiledPolicy, direction: Direction, family: NftFamily, sets: SharedSets): Chain {
  const rules = policy[direction].flatMap((rule) => ruleLines(direction, rule, family, sets));
  return { name: policyChain(policy.id, direction), comment: clip(`${policy.id} ${direction}`), rules };
}

/** A peer alternative: the remote-address match, and whether named-port groups may pair with it. */
interface PeerAlt {
  stmts: Stmt[];
  named: boolean;
}

/**
 * (remote in a peer group OR in the ipBlock nets) AND (protocol/dport in the port intervals OR
 * daddr/protocol/dport in a named-port group) → accept, one rule per combination. Ingress: the
 * remote end is the source; egress: the destination. A rule without peers or ports matches
 * nothing, so it gets no line: what a broken (fail-closed) peer or port list must allow.
 */
function ruleLines(direction: Direction, rule: CompiledRule, family: NftFamily, sets: SharedSets): Rule[] {
  const f = FAMILY[family];
  const addr = ADDR[family];
  const remote = ipField(family, direction === 'ingress' ? 'saddr' : 'daddr');
  const peers: PeerAlt[] = [];
  if (rule.peers.all) peers.push({ stmts: [], named: true });
  for (const g of rule.peers.groups) {
    const name = sets.use(peerSet(g.id), () => ({ keyType: [addr], comment: clip(`peers: ${g.selector}`), elements: g.pods[f].map((a) => ({ key: [a] })) }));
    peers.push({ stmts: [match(remote, setRef(name))], named: true });
  }
  const nets = rule.peers.nets[f];
  if (nets.length > 0) {
    const name = sets.use(netSet(nets), () => ({ keyType: [addr], flags: ['interval'], comment: clip(`ipBlocks ${nets.join(' ')}`), elements: nets.map((c) => ({ key: [c] })) }));
    // An egress named port resolves on peer pods only, and the group holds every pod: never pair it with bare nets.
    peers.push({ stmts: [match(remote, setRef(name))], named: direction === 'ingress' });
  }
  const ports: { stmts: Stmt[]; named: boolean }[] = [];
  if (rule.ports.all) ports.push({ stmts: [], named: false });
  else {
    const intervals = portIntervals(rule.ports.ranges);
    if (intervals.length > 0) {
      const parts = intervals.map((i) => [i.protocol, i.start === i.end ? i.start : `${i.start}-${i.end}`] as [string, string | number]);
      const name = sets.use(portSet(parts.map((p) => p.join(' . ')).join(', ')), () => ({
        keyType: ['inet_proto', 'inet_service'], flags: ['interval'], comment: clip(`ports ${parts.map((p) => p.join(' ')).join(', ')}`), elements: parts.map((key) => ({ key })),
      }));
      ports.push({ stmts: [match(concat(l4proto, thDport), setRef(name))], named: false });
    }
    for (const g of rule.ports.namedGroups) {
      const name = sets.use(namedSet(g.id), () => ({
        keyType: [addr, 'inet_proto', 'inet_service'], comment: clip(`named port ${g.name}/${g.protocol} of ${g.scope === 'targets' ? 'isolated local pods' : 'every pod'}`),
        elements: g.entries.filter((e) => e.family === f).map((e) => ({ key: [e.address, e.protocol.toLowerCase(), e.port] })),
      }));
      ports.push({ stmts: [match(concat(ipField(family, 'daddr'), l4proto, thDport), setRef(name))], named: true });
    }
  }
  const comment = clip(rule.source);
  const out: Rule[] = [];
  for (const peer of peers) {
    for (const port of ports) {
      if (port.named && !peer.named) continue;
      out.push({ stmts: [...peer.stmts, ...port.stmts, { accept: true }], comment });
    }
  }
  return out;
}
