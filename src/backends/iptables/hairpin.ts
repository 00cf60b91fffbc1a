import ipaddr from 'ipaddr.js';
import type { IPFamily } from '../../model/ip.js';
import { CHAIN, hashName } from './names.js';
import type { OwnChain } from './port-rules.js';

/**
 * Hairpin masquerade: a pod that reaches itself through a service (source == destination after DNAT)
 * must be masqueraded, or its reply would skip the DNAT's reverse. One rule per local endpoint address,
 * in a chain per /24 (IPv6: /120) so a new connection walks one group, not every local address, and a
 * change rewrites one small chain. PROXYCTL-POSTROUTING jumps here for DNATed connections only.
 */
export interface HairpinRules {
  /** PROXYCTL-HAIRPIN: a jump per group. */
  dispatch: string[];
  /** A chain per group, in group order. */
  groups: OwnChain[];
}

/** The /24 (IPv6 /120) an address belongs to: a group of at most 256 addresses. */
export function hairpinGroup(ip: string, family: IPFamily): string {
  if (family === 'ipv4') return `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  const parts = ipaddr.IPv6.parse(ip).toByteArray();
  parts[15] = 0;
  return `${ipaddr.fromByteArray(parts).toString()}/120`;
}

export function hairpinChainName(group: string): string {
  return hashName('HP', group);
}

/** PROXYCTL-HAIRPIN's jump to one group's chain. */
export function hairpinDispatchRule(group: string): string {
  return `-A ${CHAIN.hairpin} -s ${group} -j ${hairpinChainName(group)}`;
}

/** One group's chain: a rule per address, in text order. */
export function hairpinGroupChain(group: string, addresses: Iterable<string>, family: IPFamily): OwnChain {
  const name = hairpinChainName(group);
  const suffix = family === 'ipv6' ? '/128' : '/32';
  return { name, rules: [...addresses].sort().map((ip) => `-A ${name} -s ${ip}${suffix} -d ${ip}${suffix} -j ${CHAIN.markMasq}`) };
}

/** Every hairpin rule for these local endpoint addresses (repeats allowed). */
export function hairpinRules(addresses: Iterable<string>, family: IPFamily): HairpinRules {
  const byGroup = new Map<string, Set<string>>();
  for (const ip of addresses) {
    const g = hairpinGroup(ip, family);
    let set = byGroup.get(g);
    if (!set) byGroup.set(g, (set = new Set()));
    set.add(ip);
  }
  const groups = [...byGroup.keys()].sort();
  return { dispatch: groups.map(hairpinDispatchRule), groups: groups.map((g) => hairpinGroupChain(g, byGroup.get(g)!, family)) };
}
