import type { IPFamily } from '../../../model/ip.js';
import type { PolicyPlan } from '../../../policy/types.js';
import type { NftFamily } from '../ast.js';
import type { Chain, Element, NftSet, Table } from '../ruleset.js';
import { podCIDRsByFamily, knownPodAddresses } from './addresses.js';
import { buildBaseChains } from './base-chains.js';
import { buildGroupChain } from './group-chain.js';
import { DIRECTIONS, podGroups, usedPolicyDirections, type PodGroup } from './groups.js';
import { clip, groupChain, POLICY_SET, POLICY_TABLE } from './names.js';
import type { PolicyRenderOptions } from './options.js';
import { buildPolicyChain } from './policy-chain.js';
import { SharedSets } from './shared-sets.js';

export type { PolicyRenderOptions } from './options.js';
export { localPodAddresses } from './local-pods.js';
export { policyTablesJson } from './json.js';
export { POLICY_CHAIN, POLICY_SET, POLICY_TABLE, groupChain, namedSet, netSet, peerSet, policyChain, portSet } from './names.js';
export { hash16 } from './hash.js';

const FAMILIES: readonly { nft: NftFamily; ip: IPFamily }[] = [{ nft: 'ip', ip: 'ipv4' }, { nft: 'ip6', ip: 'ipv6' }];

/**
 * Pure: PolicyPlan → `table ip proxyctl-policy` and `table ip6 proxyctl-policy`. Dispatch is by
 * verdict maps keyed by pod address; per-pod state lives in elements only. Peer pods, named-port
 * destinations, ipBlocks and port lists are sets shared by every rule with the same content, so
 * the table grows with distinct selectors, not with rules × pods. No tables when nothing is
 * isolated and unknown pods are allowed (there is nothing to enforce).
 */
export function renderPolicyNftables(plan: PolicyPlan, opts: PolicyRenderOptions): Table[] {
  const deny = opts.unknownPods === 'deny';
  if (plan.targets.length === 0 && !deny) return [];
  const groups = DIRECTIONS.flatMap((d) => podGroups(plan, d));
  const used = usedPolicyDirections(plan, groups);
  const policies = new Map(plan.policies.map((p) => [p.id, p]));
  const cidrs = podCIDRsByFamily(opts.podCIDRs);
  const known = knownPodAddresses(plan, opts);
  return FAMILIES.map(({ nft, ip }): Table => {
    const addr = nft === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
    const sets: NftSet[] = [
      { name: POLICY_SET.nodeIPs, keyType: [addr], comment: 'always allowed to reach local pods', elements: plan.nodeIPs[ip].map((a) => ({ key: [a] })) },
      dispatchMap(POLICY_SET.ingressPods, addr, groups.filter((g) => g.direction === 'ingress'), plan.localPods[ip], ip, 'ingress-isolated local pod -> its group chain'),
      dispatchMap(POLICY_SET.egressPods, addr, groups.filter((g) => g.direction === 'egress'), plan.localPods[ip], ip, 'egress-isolated local pod -> its group chain'),
    ];
    if (deny) {
      sets.push(
        { name: POLICY_SET.podCIDRs, keyType: [addr], flags: ['interval'], comment: 'this node\'s pod CIDRs', elements: cidrs[ip].map((c) => ({ key: [c] })) },
        { name: POLICY_SET.knownPods, keyType: [addr], comment: 'local pods the control plane knows', elements: known[ip].map((a) => ({ key: [a] })) },
      );
    }
    const chains: Chain[] = [...buildBaseChains({ family: nft, unknownPodsDeny: deny }), ...groups.map((g) => buildGroupChain(g, nft))];
    const shared = new SharedSets();
    for (const { id, direction } of used) chains.push(buildPolicyChain(policies.get(id)!, direction, nft, shared));
    return { family: nft, name: POLICY_TABLE, comment: tableComment(plan.nodeName), sets: [...sets, ...shared.list()], chains };
  });
}

export const tableComment = (nodeName: string | null): string =>
  clip(`proxyctl network policy for node ${nodeName ?? '(every node)'}; managed by proxyctl, do not edit`);

/** Walks the plan's local pods (sorted) rather than sorting: every target is one of them. */
function dispatchMap(name: string, addr: string, groups: PodGroup[], local: readonly string[], family: IPFamily, comment: string): NftSet {
  const byAddress = new Map<string, Element>();
  for (const g of groups) {
    const verdict = { kind: 'jump' as const, target: groupChain(g.direction, g.key) };
    for (const pod of g.pods) for (const a of pod.addresses[family]) byAddress.set(a, { key: [a], comment: clip(pod.id), verdict });
  }
  const elements: Element[] = [];
  for (const a of local) {
    const e = byAddress.get(a);
    if (e) elements.push(e);
  }
  return { name, keyType: [addr], dataType: ['verdict'], comment, elements };
}
