import { CHAIN, MASQ_MARK } from './names.js';
import { quote, type FamilyShell, type OwnChain } from './port-rules.js';

/** Jump rules from a built-in chain into ours (kept out of restore input by the daemon: see ensureHooks). */
export interface HookRule {
  table: 'nat' | 'filter';
  chain: string;
  /** The rule without `-A CHAIN `. */
  rule: string;
}

/** What a node contributes whatever its services: hooks, and our static chains with their rules. */
export interface NodeRules {
  family: FamilyShell['family'];
  hooks: HookRule[];
  natChains: OwnChain[];
  filterChains: OwnChain[];
  /** Last lines of PROXYCTL-SERVICES (nat): NodePort dispatch, after every service address. */
  natServicesTail: string[];
}

export const BUILTIN_CHAINS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;

/** Pure: the node's static rules for one family. */
export function renderNodeRules(fp: FamilyShell & { nodeIPs?: string[] }, nodeName: string): NodeRules {
  const host = (ip: string) => `${ip}/${fp.family === 'ipv6' ? 128 : 32}`;
  const hooks: HookRule[] = [
    { table: 'nat', chain: 'PREROUTING', rule: `-m comment --comment ${quote('proxyctl service portals')} -j ${CHAIN.services}` },
    { table: 'nat', chain: 'OUTPUT', rule: `-m comment --comment ${quote('proxyctl service portals')} -j ${CHAIN.services}` },
    { table: 'nat', chain: 'POSTROUTING', rule: `-m comment --comment ${quote('proxyctl postrouting rules')} -j ${CHAIN.postrouting}` },
  ];
  for (const chain of ['INPUT', 'FORWARD', 'OUTPUT']) {
    hooks.push(
      { table: 'filter', chain, rule: `-m conntrack --ctstate NEW -m comment --comment ${quote('proxyctl service firewall')} -j ${CHAIN.firewall}` },
      { table: 'filter', chain, rule: `-m conntrack --ctstate NEW -m comment --comment ${quote('proxyctl services without endpoints')} -j ${CHAIN.services}` },
      { table: 'filter', chain, rule: `-m conntrack --ctstate NEW -m comment --comment ${quote('proxyctl external services')} -j ${CHAIN.external}` },
    );
  }
  const a = (chain: string, rules: string[]): OwnChain => ({ name: chain, rules: rules.map((r) => `-A ${chain} ${r}`) });
  return {
    family: fp.family,
    hooks,
    // Declaration order after the shared chains: POSTROUTING, MARK-MASQ, OFF-CLUSTER, HAIRPIN.
    natChains: [
      a(CHAIN.postrouting, [
        `-m conntrack --ctstate DNAT -m comment --comment ${quote('pods reaching themselves through a service')} -j ${CHAIN.hairpin}`,
        `-m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
        `-j MARK --xor-mark ${MASQ_MARK}`,
        `-m comment --comment ${quote(`proxyctl masquerade on ${nodeName}`)} -j MASQUERADE --random-fully`,
      ]),
      a(CHAIN.markMasq, [`-j MARK --or-mark ${MASQ_MARK}`]),
      a(CHAIN.offCluster, [...fp.clusterCIDRs.map((cidr) => `-s ${cidr} -j RETURN`), `-j ${CHAIN.markMasq}`]),
      // Its rules come from the services' local endpoints (hairpinRules).
      { name: CHAIN.hairpin, rules: [] },
    ],
    filterChains: [],
    // NodePort dispatch last, as kube-proxy does: specific service addresses match first.
    natServicesTail: fp.nodePortIPs.map((ip) => `-A ${CHAIN.services} -d ${host(ip)} -m comment --comment ${quote('proxyctl nodeports')} -j ${CHAIN.nodePorts}`),
  };
}
