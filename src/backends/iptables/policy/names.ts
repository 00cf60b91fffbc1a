import type { IPFamily } from '../../../model/ip.js';
import type { Direction } from '../../../policy/types.js';
import { hash16 } from '../../nftables/policy/hash.js';

/**
 * iptables chain names (at most 28 characters) and ipset names (at most 31). The hashes are the
 * nftables renderer's, upper-cased, so a group or policy has the same hash in both backends.
 */

export const POLICY_CHAIN = {
  forward: 'PROXYCTL-POLICY-FORWARD',
  input: 'PROXYCTL-POLICY-INPUT',
  ingress: 'PROXYCTL-POLICY-INGRESS',
  egressAllowed: 'PROXYCTL-POLICY-ALLOWED',
} as const;

const DIR: Record<Direction, string> = { ingress: 'IN', egress: 'EG' };

/** `PXP-IN-<hash>` / `PXP-EG-<hash>`: the chain of a pod group (same key as nftables). */
export const groupChain = (direction: Direction, key: string): string => `PXP-${DIR[direction]}-${hash16(key).toUpperCase()}`;

/** `PXP-POL-IN-<hash>`: one policy's rules for one direction. */
export const policyChain = (id: string, direction: Direction): string => `PXP-POL-${DIR[direction]}-${hash16(id).toUpperCase()}`;

const FAM: Record<IPFamily, string> = { ipv4: '4', ipv6: '6' };

/** Static ipsets, one per family: `pxc-node-ips4`. */
export const staticSet = (name: 'node-ips' | 'known-pods' | 'pod-cidrs', family: IPFamily): string => `pxc-${name}${FAM[family]}`;

/** Members of a pod group: `pxc-<hash>-members4`. */
export const groupSet = (key: string, family: IPFamily): string => `pxc-${hash16(key)}-members${FAM[family]}`;

/** A peer group's pods, shared by every rule naming the group: `pxc-<group id>-peers4`. */
export const peerSet = (groupId: string, family: IPFamily): string => `pxc-${groupId}-peers${FAM[family]}`;

/** A named port group, shared likewise: `pxc-<group id>-named4`. */
export const namedSet = (groupId: string, family: IPFamily): string => `pxc-${groupId}-named${FAM[family]}`;

/** Flattened ipBlocks, named by their content so equal blocks share one set: `pxc-<hash>-nets4`. */
export const netSet = (nets: readonly string[], family: IPFamily): string => `pxc-${hash16(`nets ${nets.join(' ')}`)}-nets${FAM[family]}`;
