import { parseAddress, parseCIDR, rangesToCIDRs, sortAddresses, type AddressRange } from '../../../policy/cidr.js';
import type { AddressSet, PolicyPlan } from '../../../policy/types.js';
import type { PolicyRenderOptions } from './options.js';

/** Address inputs of the renderers, normalized per family. */

/** Pod CIDRs split by family, merged into the fewest disjoint CIDRs (interval sets reject overlaps). */
export function podCIDRsByFamily(cidrs: readonly string[]): AddressSet {
  const ranges: AddressRange[] = [];
  for (const text of cidrs) {
    const r = parseCIDR(text);
    if (r) ranges.push({ family: r.family, start: r.start, end: r.end });
  }
  return { ipv4: rangesToCIDRs('ipv4', ranges), ipv6: rangesToCIDRs('ipv6', ranges) };
}

/** Every local pod address the renderer may treat as known: the plan's local pods (targets among them) plus opts.localPods. */
export function knownPodAddresses(plan: PolicyPlan, opts: PolicyRenderOptions): AddressSet {
  if (!opts.localPods?.length) return plan.localPods;
  const out: AddressSet = { ipv4: [...plan.localPods.ipv4], ipv6: [...plan.localPods.ipv6] };
  for (const text of opts.localPods) {
    const parsed = parseAddress(text);
    if (parsed) out[parsed.family].push(parsed.address);
  }
  return { ipv4: sortAddresses(out.ipv4), ipv6: sortAddresses(out.ipv6) };
}

/** An ipBlock net of 0.0.0.0/0 (::/0) as two halves: ipset hash:net cannot hold a /0. */
export function splitZeroPrefix(cidr: string): string[] {
  if (cidr === '0.0.0.0/0') return ['0.0.0.0/1', '128.0.0.0/1'];
  if (cidr === '::/0') return ['::/1', '8000::/1'];
  return [cidr];
}
