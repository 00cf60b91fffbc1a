import type { Direction } from '../../../policy/types.js';
import { hash16 } from './hash.js';

/** Names in `table ip|ip6 proxyctl-policy`. Static ones are fixed; the rest hash a stable identity. */

export const POLICY_TABLE = 'proxyctl-policy';

export const POLICY_SET = {
  nodeIPs: 'node-ips',
  egressPods: 'egress-pods',
  ingressPods: 'ingress-pods',
  knownPods: 'known-pods',
  podCIDRs: 'pod-cidrs',
} as const;

export const POLICY_CHAIN = {
  forwardEgress: 'forward-egress',
  forwardIngress: 'forward-ingress',
  inputEgress: 'input-egress',
} as const;

/** `ingress-<hash>`: the chain of every pod judged by exactly these policies in this direction. */
export const groupChain = (direction: Direction, key: string): string => `${direction}-${hash16(key)}`;

/** `policy-<hash>-ingress`: one policy's rules for one direction. */
export const policyChain = (id: string, direction: Direction): string => `policy-${hash16(id)}-${direction}`;

/**
 * Sets shared by every rule that needs the same content, named by its identity: `peers-<group id>`
 * (a peer group's pods), `named-<group id>` (a named port group), `nets-<hash>` (flattened
 * ipBlocks) and `ports-<hash>` (numeric port intervals), the last two hashing their content.
 */
export const peerSet = (groupId: string): string => `peers-${groupId}`;
export const namedSet = (groupId: string): string => `named-${groupId}`;
export const netSet = (nets: readonly string[]): string => `nets-${hash16(`nets ${nets.join(' ')}`)}`;
export const portSet = (intervals: string): string => `ports-${hash16(`ports ${intervals}`)}`;

/** nft keeps at most 128 bytes of a comment; ours are ASCII identities, cut with a marker. */
export function clip(text: string, max = 128): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
