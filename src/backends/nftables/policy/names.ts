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

export type RuleSetKind = 'pods' | 'nets' | 'ports';

/** `ingress-<hash>`: the chain of every pod judged by exactly these policies in this direction. */
export const groupChain = (direction: Direction, key: string): string => `${direction}-${hash16(key)}`;

/** `policy-<hash>-ingress`: one policy's rules for one direction. */
export const policyChain = (id: string, direction: Direction): string => `policy-${hash16(id)}-${direction}`;

/** `policy-<hash>-ingress-0-pods`: a set of one rule (index = position in the policy's list). */
export const ruleSet = (id: string, direction: Direction, index: number, kind: RuleSetKind): string =>
  `${policyChain(id, direction)}-${index}-${kind}`;

/** nft keeps at most 128 bytes of a comment; ours are ASCII identities, cut with a marker. */
export function clip(text: string, max = 128): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
