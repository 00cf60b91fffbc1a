import type { Member } from '../../../policy/membership.js';
import type { NftFamily } from '../ast.js';
import type { Element } from '../ruleset.js';
import { groupKey } from './groups.js';
import { clip, groupChain, namedSet, peerSet, POLICY_SET } from './names.js';

/** Where one pod member lives in the policy tables, as renderPolicyNftables would render it. */
export interface MemberElement {
  family: NftFamily;
  set: string;
  element: Element;
  /** The set exists only in some modes (known-pods: unknown pods denied); absent means nothing to do. */
  optional: boolean;
}

export function memberElement(m: Member): MemberElement {
  switch (m.kind) {
    case 'peer':
      return { family: nft(m.family), set: peerSet(m.group), element: { key: [m.address] }, optional: false };
    case 'named':
      return { family: nft(m.entry.family), set: namedSet(m.group), element: { key: [m.entry.address, m.entry.protocol.toLowerCase(), m.entry.port] }, optional: false };
    case 'dispatch':
      return {
        family: nft(m.family),
        set: m.direction === 'ingress' ? POLICY_SET.ingressPods : POLICY_SET.egressPods,
        element: { key: [m.address], comment: clip(m.pod), verdict: { kind: 'jump', target: groupChain(m.direction, groupKey(m.direction, m.policies)) } },
        optional: false,
      };
    case 'local':
      return { family: nft(m.family), set: POLICY_SET.knownPods, element: { key: [m.address] }, optional: true };
  }
}

const nft = (family: 'ipv4' | 'ipv6'): NftFamily => (family === 'ipv4' ? 'ip' : 'ip6');
