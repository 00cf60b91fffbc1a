import type { IPFamily } from '../../../model/ip.js';
import type { Member } from '../../../policy/membership.js';
import { groupKey } from '../../nftables/policy/groups.js';
import { groupSet, namedSet, peerSet, staticSet } from './names.js';
import { namedMember } from './port-match.js';

/** Where one pod member lives among the policy ipsets, as renderPolicyIptables would render it. */
export interface MemberEntry {
  family: IPFamily;
  set: string;
  /** As `ipset save` prints it (and the renderer writes it). */
  member: string;
  /** The set exists only in some modes (known-pods: unknown pods denied); absent means nothing to do. */
  optional: boolean;
}

export function memberEntry(m: Member): MemberEntry {
  switch (m.kind) {
    case 'peer':
      return { family: m.family, set: peerSet(m.group, m.family), member: m.address, optional: false };
    case 'named':
      return { family: m.entry.family, set: namedSet(m.group, m.entry.family), member: namedMember(m.entry), optional: false };
    case 'dispatch':
      return { family: m.family, set: groupSet(groupKey(m.direction, m.policies), m.family), member: m.address, optional: false };
    case 'local':
      return { family: m.family, set: staticSet('known-pods', m.family), member: m.address, optional: true };
  }
}
