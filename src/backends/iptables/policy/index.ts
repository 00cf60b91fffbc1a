import type { IPFamily } from '../../../model/ip.js';
import type { PolicyPlan } from '../../../policy/types.js';
import { knownPodAddresses, podCIDRsByFamily, splitZeroPrefix } from '../../nftables/policy/addresses.js';
import { podGroups, usedPolicyDirections, type PodGroup } from '../../nftables/policy/groups.js';
import type { PolicyRenderOptions } from '../../nftables/policy/options.js';
import { ipsetRestoreText, type IpSet } from './ipsets.js';
import { clip } from '../../nftables/policy/names.js';
import { groupChain, groupSet, policyChain, POLICY_CHAIN, staticSet } from './names.js';
import { buildPolicyChain, q } from './policy-chain.js';

export { POLICY_CHAIN, groupChain, groupSet, namedSet, netSet, peerSet, policyChain, staticSet } from './names.js';
export type { IpSet } from './ipsets.js';

export interface IptablesPolicyRender {
  /** `ipset restore` input: every set we use, created if missing, flushed and filled. */
  ipset: string;
  /** `iptables-restore --noflush` (ip6tables-restore for IPv6) input for the filter table. */
  rules: string;
  /** The ipsets named in `ipset`, so an applier can destroy ours that are no longer wanted. */
  setNames: string[];
}

/**
 * Pure: PolicyPlan → ipsets and filter rules for one family. Same judgement (and the same
 * shared peer, named-port and ipBlock sets, as ipsets) as the nftables layout; iptables differences:
 * - no verdict maps: a group is one `-m set --match-set pxc-<hash>-members src|dst` rule;
 * - no per-table accept: an allowed packet between isolated pods is ACCEPTed in the built-in
 *   chain (after both its egress and ingress checks), so our hook rules belong after any rule
 *   that must still see such packets. Traffic involving no isolated pod is only RETURNed.
 * Empty output when nothing is isolated and unknown pods are allowed.
 */
export function renderPolicyIptables(plan: PolicyPlan, family: IPFamily, opts: PolicyRenderOptions): IptablesPolicyRender {
  const deny = opts.unknownPods === 'deny';
  if (plan.targets.length === 0 && !deny) return { ipset: '', rules: '', setNames: [] };
  const v6 = family === 'ipv6';
  const nodeIPs = staticSet('node-ips', family);
  const podCIDRs = staticSet('pod-cidrs', family);
  const knownPods = staticSet('known-pods', family);
  const sets: IpSet[] = [{ name: nodeIPs, type: 'hash:ip', members: [...plan.nodeIPs[family]] }];
  if (deny) {
    sets.push(
      { name: podCIDRs, type: 'hash:net', members: podCIDRsByFamily(opts.podCIDRs)[family].flatMap(splitZeroPrefix) },
      { name: knownPods, type: 'hash:ip', members: knownPodAddresses(plan, opts)[family] },
    );
  }

  const chains = new Map<string, string[]>();
  const add = (chain: string, rule: string) => {
    const list = chains.get(chain) ?? [];
    list.push(`-A ${chain} ${rule}`);
    chains.set(chain, list);
  };
  for (const c of Object.values(POLICY_CHAIN)) chains.set(c, []);
  const hooks = [
    `-A FORWARD -m comment --comment ${q('proxyctl network policy')} -j ${POLICY_CHAIN.forward}`,
    `-A INPUT -m comment --comment ${q('proxyctl network policy: pods reaching the node')} -j ${POLICY_CHAIN.input}`,
  ];
  const unknown = (dir: 'src' | 'dst', extra = '') =>
    `-m set --match-set ${podCIDRs} ${dir} -m set ! --match-set ${knownPods} ${dir}${extra} -m comment --comment ${q('unknown pod address')} -j DROP`;

  const F = POLICY_CHAIN.forward;
  add(F, `-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment ${q('replies of allowed connections')} -j ACCEPT`);
  if (deny) {
    add(F, unknown('src'));
    add(F, unknown('dst'));
  }
  const egress = podGroups(plan, 'egress');
  const ingress = podGroups(plan, 'ingress');
  const dispatch = (chain: string, g: PodGroup, dir: 'src' | 'dst') =>
    add(chain, `-m set --match-set ${groupSet(g.key, family)} ${dir} -m comment --comment ${q(clip(`${g.direction} of pods selected by ${g.policies.join(', ')}`, 256))} -j ${groupChain(g.direction, g.key)}`);
  for (const g of egress) dispatch(F, g, 'src');
  add(F, `-j ${POLICY_CHAIN.ingress}`);

  for (const g of ingress) dispatch(POLICY_CHAIN.ingress, g, 'dst');

  add(POLICY_CHAIN.egressAllowed, `-j ${POLICY_CHAIN.ingress}`);
  add(POLICY_CHAIN.egressAllowed, `-m comment --comment ${q('allowed by egress and ingress policy')} -j ACCEPT`);

  // INPUT: egress of local pods to the node. Host traffic is the host firewall's: we only RETURN it.
  const I = POLICY_CHAIN.input;
  add(I, `-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`);
  if (v6) {
    for (const t of ['router-solicitation', 'neighbour-solicitation', 'neighbour-advertisement']) {
      add(I, `-p ipv6-icmp -m icmp6 --icmpv6-type ${t} -m comment --comment ${q('IPv6 neighbour discovery')} -j RETURN`);
    }
  }
  if (deny) add(I, unknown('src', ' -m addrtype ! --src-type LOCAL'));
  for (const g of egress) dispatch(I, g, 'src');

  for (const [direction, groups] of [['ingress', ingress], ['egress', egress]] as const) {
    for (const g of groups) {
      const chain = groupChain(direction, g.key);
      chains.set(chain, []);
      sets.push({ name: groupSet(g.key, family), type: 'hash:ip', members: g.pods.flatMap((p) => p.addresses[family]) });
      add(chain, `-m conntrack --ctstate INVALID -m comment --comment ${q('not part of any connection')} -j DROP`);
      if (direction === 'ingress') add(chain, `-m set --match-set ${nodeIPs} src -m comment --comment ${q('from this node')} -j ACCEPT`);
      for (const id of g.policies) add(chain, `-m comment --comment ${q(id)} -j ${policyChain(id, direction)}`);
      add(chain, `-m comment --comment ${q(`default deny ${direction}`)} -j DROP`);
    }
  }
  const policies = new Map(plan.policies.map((p) => [p.id, p]));
  const shared = new Map<string, IpSet>();
  for (const { id, direction } of usedPolicyDirections(plan, [...ingress, ...egress])) {
    const built = buildPolicyChain(policies.get(id)!, direction, family, shared);
    chains.set(built.name, built.rules);
  }
  sets.push(...shared.values());

  const rules = ['*filter', ...[...chains.keys()].map((c) => `:${c} - [0:0]`), ...hooks, ...[...chains.values()].flat(), 'COMMIT'].join('\n') + '\n';
  return { ipset: ipsetRestoreText(sets, family), rules, setNames: sets.map((s) => s.name) };
}
